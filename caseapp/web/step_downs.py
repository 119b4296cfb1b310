"""Recording a family stepping down from children's social care into early help."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.roles import Role
from caseapp.services.allocation import find_candidates
from caseapp.services.duplicates import PossibleDuplicate
from caseapp.services.step_downs import (
    NEW_FAMILY,
    ChooseFamily,
    StepDownInvalid,
    record_step_down,
)
from caseapp.web.access import current_actor, roles_required
from caseapp.web.rendering import render_page
from caseapp.web.step_down_forms import StepDownForm
from caseapp.web.triage import when

bp = Blueprint("step_downs", __name__, url_prefix="/step-downs")

# Lead workers offered in the list; a council with more can still type to find one.
LEAD_WORKERS_LISTED = 500


def _page(form: StepDownForm, matches: list[PossibleDuplicate] | None = None) -> str:
    return render_page(
        "step_downs/new.html", form=form, matches=matches or [], NEW_FAMILY=NEW_FAMILY
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.HUB_COORDINATOR, Role.MANAGER)
def new() -> ResponseReturnValue:
    lead_workers = find_candidates(page_size=LEAD_WORKERS_LISTED).candidates
    form = StepDownForm(lead_workers=lead_workers)
    if not form.validate_on_submit():
        return _page(form)
    try:
        recorded = record_step_down(current_actor(), form.details())
    except StepDownInvalid as invalid:
        form.add_problems(invalid.problems)
        return _page(form, invalid.matches)
    except ChooseFamily as choose:
        if form.family_choice.data:
            form.family_choice.errors = ["Select one of the families below, or a new family"]
        return _page(form, choose.matches)
    flash(
        f"Step-down recorded for the {recorded.family_name}. {recorded.lead_worker_name} is "
        f"the lead worker; the step-down TAF meeting is {when(recorded.taf_at)}.",
        "success",
    )
    if recorded.visible:
        return redirect(url_for("families.show", family_id=recorded.family_id))
    return redirect(url_for("home.index"))
