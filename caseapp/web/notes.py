"""The family record's section: case notes: contacts and visits."""

from __future__ import annotations

from flask import Blueprint, abort
from flask.typing import ResponseReturnValue

from caseapp.services.casework import FamilyNotFound, load_casework
from caseapp.services.family_frame import family_frame
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.rendering import render_page

bp = Blueprint("notes", __name__, url_prefix="/families/<int:family_id>/notes")


@bp.route("")
@case_work
def index(family_id: int) -> ResponseReturnValue:
    try:
        casework = load_casework(current_actor(), family_id)
    except FamilyNotFound:
        abort(404)
    return render_page(
        "families/section_placeholder.html", frame=family_frame(casework), section="notes"
    )
