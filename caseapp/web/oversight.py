"""The family record's section: management oversight."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.roles import Role
from caseapp.models.types import uk_today
from caseapp.services.casework import FamilyNotFound, NotYoursToKeep
from caseapp.services.oversight import OversightInvalid, record_oversight, view_oversight
from caseapp.web.access import current_actor, roles_required
from caseapp.web.family_sections import case_work
from caseapp.web.oversight_forms import OversightForm
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment

bp = Blueprint("oversight", __name__, url_prefix="/families/<int:family_id>/oversight")


def _page(family_id: int, form: OversightForm | None = None, notice: str = "") -> str:
    try:
        page = view_oversight(current_actor(), family_id, current_app.config["CASEAPP_DEADLINES"])
    except FamilyNotFound:
        abort(404)
    return render_page(
        "oversight/show.html",
        fragment="oversight",
        frame=page.frame,
        section="oversight",
        page=page,
        form=form or OversightForm(formdata=None, oversight_on=uk_today()),
        notice=notice,
    )


@bp.get("")
@case_work
def show(family_id: int) -> ResponseReturnValue:
    return _page(family_id)


@bp.post("")
@roles_required(Role.MANAGER)
def record(family_id: int) -> ResponseReturnValue:
    form = OversightForm()
    if form.validate_on_submit():
        try:
            record_oversight(
                current_actor(),
                family_id,
                form.oversight_on.data,
                form.summary.data or "",
                form.actions.data or "",
            )
        except FamilyNotFound:
            abort(404)
        except NotYoursToKeep:
            abort(403)
        except OversightInvalid as invalid:
            form.add_problems(invalid.problems)
        else:
            message = "Oversight recorded."
            if wants_fragment():
                announce_timeline_change()
                return _page(family_id, notice=message)
            flash(message, "success")
            return redirect(url_for("oversight.show", family_id=family_id))
    return _page(family_id, form)
