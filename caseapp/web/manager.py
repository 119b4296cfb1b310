"""The families behind each figure of the manager's view (home.manager draws the figures)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.charts import figure_text
from caseapp.domain.roles import Role
from caseapp.models.types import utcnow
from caseapp.services.manager_view import UnknownFigure, figure_families
from caseapp.web.access import current_actor, roles_required
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import render_page

bp = Blueprint("manager", __name__, url_prefix="/manager")

# A filter rather than a template macro: the manager's view writes over a hundred figures,
# and a macro call costs ten times a function call.
bp.add_app_template_filter(figure_text, "figure_number")


@bp.route("/families")
@roles_required(Role.MANAGER)
def families() -> ResponseReturnValue:
    key = request.args.get("figure", "")[:100]
    if not key:
        # The figures themselves are the manager's view.
        return redirect(url_for("home.manager"))
    try:
        page = figure_families(
            current_actor(),
            key,
            page_asked_for(),
            current_app.config["CASEAPP_PAGE_SIZE"],
            current_app.extensions["caseapp.framework"],
            current_app.config["CASEAPP_DEADLINES"],
            utcnow(),
        )
    except UnknownFigure:
        abort(404)
    return render_page("manager/families.html", fragment="figure_list", page=page, now=utcnow())
