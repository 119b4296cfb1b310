"""The family record's section: the family plan: outcomes and actions.

Everyone who may see the family reads the plan; its lead worker and a manager of its team
keep it. Every form posts and redirects without JavaScript; with htmx, adding an outcome
or action refreshes the plan in place, and changing or completing an action swaps just
its row.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from caseapp.frameworks.supporting_families import HeadlineOutcomes
from caseapp.models import PlanAction, PlanOutcome
from caseapp.services.casework import (
    Casework,
    NoOpenEpisode,
    load_casework,
)
from caseapp.services.family_frame import frame_of
from caseapp.services.plans import (
    ActionEdit,
    ActionRow,
    OutcomeEdit,
    PlanConflict,
    PlanInvalid,
    PlanRecordNotFound,
    PlanView,
    action_edit,
    add_action,
    add_outcome,
    children_of,
    complete_action,
    outcome_edit,
    plan_after_change,
    plan_of,
    update_action,
    update_outcome,
    view_plan,
)
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.numbers import whole_number
from caseapp.web.plan_forms import (
    ActionForm,
    CompleteActionForm,
    OutcomeForm,
    edit_action_form,
    new_action_form,
    outcome_form,
)
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.triage import when

bp = Blueprint("plans", __name__, url_prefix="/families/<int:family_id>/plan")


@bp.errorhandler(NoOpenEpisode)
def _no_open_episode(error: NoOpenEpisode) -> ResponseReturnValue:
    flash("This family has no open episode, so its plan cannot be changed.", "info")
    plan_url = url_for("plans.show", family_id=error.args[0])
    if wants_fragment():
        # The whole page has changed meaning: load it, rather than swap it into a part.
        return Response(status=204, headers={"HX-Redirect": plan_url})
    return redirect(plan_url)


def _headline() -> HeadlineOutcomes:
    return current_app.extensions["caseapp.headline_outcomes"]


@bp.context_processor
def plan_context() -> dict[str, object]:
    return {"headline": _headline(), "when": when}


# --- the plan page ---------------------------------------------------------------------


def _plan_page(
    plan: PlanView,
    *,
    new_outcome: OutcomeForm | None = None,
    failed_action: tuple[int | None, ActionForm] | None = None,
    notice: str | None = None,
) -> str:
    """The plan page, or only its plan block for an htmx request. A form that failed is
    shown with its errors in its place; every other form is empty."""

    def action_form_for(outcome_id: int | None) -> ActionForm:
        if failed_action is not None and failed_action[0] == outcome_id:
            return failed_action[1]
        return new_action_form(outcome_id, fresh=True)

    return render_page(
        "plans/show.html",
        fragment="plan",
        plan=plan,
        frame=None if wants_fragment() else frame_of(plan),
        section="plans",
        outcome_form=new_outcome or outcome_form(plan.children, _headline(), fresh=True),
        action_form_for=action_form_for,
        failed_action=failed_action[0] if failed_action else False,
        notice=notice,
    )


@bp.route("")
@case_work
def show(family_id: int) -> ResponseReturnValue:
    return _plan_page(view_plan(current_actor(), family_id, with_frame=not wants_fragment()))


@bp.post("/outcomes")
@case_work
def new_outcome(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    casework = load_casework(actor, family_id, keeping=True)
    form = outcome_form(children_of(casework), _headline())
    if form.validate_on_submit():
        draft = form.draft()
        try:
            outcome = add_outcome(actor, casework, draft, _headline())
        except PlanInvalid as invalid:
            form.add_problems(invalid.problems)
        else:
            return _added(casework, f"Outcome added: {draft.description.strip()}", outcome)
    return _plan_page(plan_of(casework), new_outcome=form)


@bp.post("/actions")
@case_work
def new_action(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    casework = load_casework(actor, family_id, keeping=True)
    # The outcome the action is for (the service checks it is this plan's), or none: the
    # plan as a whole. It also names the form's fields, so errors show on the right form.
    chosen = request.form.get("outcome", "")
    outcome_id = whole_number(chosen)
    form = new_action_form(outcome_id)
    if form.validate_on_submit():
        draft = form.draft()
        try:
            action = add_action(actor, casework, outcome_id, draft)
        except PlanInvalid as invalid:
            form.add_problems(invalid.problems)
        else:
            return _added(casework, f"Action added: {draft.description.strip()}", action)
    plan = plan_of(casework)
    if outcome_id is not None and outcome_id not in {outcome.id for outcome in plan.outcomes}:
        raise PlanRecordNotFound(outcome_id)
    return _plan_page(plan, failed_action=(outcome_id, form))


def _added(
    casework: Casework, message: str, record: PlanOutcome | PlanAction
) -> ResponseReturnValue:
    """After adding to the plan: the refreshed plan in place, or Post/Redirect/Get to the
    new outcome or action."""
    if wants_fragment():
        announce_timeline_change()
        return _plan_page(plan_after_change(casework), notice=message)
    flash(message, "success")
    kind = "outcome" if isinstance(record, PlanOutcome) else "action"
    return redirect(
        url_for("plans.show", family_id=record.family_id, _anchor=f"{kind}-{record.id}")
    )


# --- an outcome --------------------------------------------------------------------------


@bp.route("/outcomes/<int:outcome_id>", methods=["GET", "POST"])
@case_work
def edit_outcome(family_id: int, outcome_id: int) -> ResponseReturnValue:
    actor = current_actor()
    edit = outcome_edit(actor, family_id, outcome_id, audit=request.method == "GET")
    form = outcome_form(edit.children, _headline(), edit.outcome)
    if request.method == "POST" and form.version_missing:
        abort(400)
    if request.method == "GET" or not form.validate_on_submit():
        return _outcome_page(edit, form)
    try:
        update_outcome(actor, edit, form.version.data or 0, form.draft(), _headline())
    except PlanInvalid as invalid:
        form.add_problems(invalid.problems)
        return _outcome_page(edit, form)
    except PlanConflict as conflict:
        form.show_version(conflict.record.version)
        return _outcome_page(edit, form, conflict)
    flash("Outcome updated", "success")
    return redirect(url_for("plans.show", family_id=family_id, _anchor=f"outcome-{outcome_id}"))


def _outcome_page(
    edit: OutcomeEdit, form: OutcomeForm, conflict: PlanConflict | None = None
) -> str:
    return render_page(
        "plans/outcome.html",
        edit=edit,
        form=form,
        conflict=conflict,
        frame=frame_of(edit),
        section="plans",
    )


# --- an action ---------------------------------------------------------------------------


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@case_work
def edit_action(family_id: int, action_id: int) -> ResponseReturnValue:
    actor = current_actor()
    opening = request.method == "GET"
    edit = action_edit(
        actor, family_id, action_id, audit=opening, with_frame=opening and not wants_fragment()
    )
    form = edit_action_form(edit.action)
    if request.method == "POST" and form.version_missing:
        abort(400)
    if request.method == "GET" or not form.validate_on_submit():
        return _action_page(edit, form)
    try:
        action = update_action(actor, edit, form.version.data or 0, form.draft())
    except PlanInvalid as invalid:
        form.add_problems(invalid.problems)
        return _action_page(edit, form)
    except PlanConflict as conflict:
        form.show_version(conflict.record.version)
        return _action_page(edit, form, conflict)
    return _action_changed(action, "Action updated")


@bp.post("/actions/<int:action_id>/complete")
@case_work
def complete(family_id: int, action_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = CompleteActionForm()
    if not form.validate_on_submit():
        # Not from our page; but whether the action exists is still only for its keepers.
        action_edit(actor, family_id, action_id)
        abort(400)
    try:
        action = complete_action(actor, family_id, action_id, form.version.data or 0)
    except PlanConflict as conflict:
        return _action_unchanged(conflict.record, _conflict_message(conflict, "marking it done"))
    except PlanInvalid:
        current = action_edit(actor, family_id, action_id).action
        status = current.status.label.lower()
        return _action_unchanged(current, f"This action is {status}, so it cannot be marked done.")
    return _action_changed(action, "Marked as done")


def _action_page(edit: ActionEdit, form: ActionForm, conflict: PlanConflict | None = None) -> str:
    return render_page(
        "plans/action.html",
        fragment="action_edit",
        action=edit.action,
        form=form,
        conflict=conflict,
        # In place of the action's row, focus moves to the form; a page of its own starts
        # at the top as usual.
        in_place=wants_fragment(),
        frame=None if wants_fragment() else frame_of(edit),
        section="plans",
    )


def _action_changed(action: PlanAction, message: str) -> ResponseReturnValue:
    """Saved: the action's row in place (read again on first use, with its new version),
    or Post/Redirect/Get to it."""
    if wants_fragment():
        announce_timeline_change()
        return _row(action, message)
    flash(f"{message}: {action.description}", "success")
    return _back_to(action)


def _action_unchanged(action: PlanAction, message: str) -> ResponseReturnValue:
    """Nothing was saved: say why, beside the action as it is now."""
    if wants_fragment():
        return _row(action, message, problem=True)
    flash(message, "info")
    return _back_to(action)


def _row(action: PlanAction, notice: str, problem: bool = False) -> str:
    return render_page(
        "plans/action.html",
        fragment="action_row",
        row=ActionRow(action),
        notice=notice,
        problem=problem,
    )


def _back_to(action: PlanAction) -> ResponseReturnValue:
    return redirect(
        url_for("plans.show", family_id=action.family_id, _anchor=f"action-{action.id}")
    )


def _conflict_message(conflict: PlanConflict, doing: str) -> str:
    change = conflict.change
    at = f" {when(change.at)}" if change.at else ""
    return (
        f"{change.by} changed this action{at}, before you finished {doing}. Nothing was "
        "saved. It is shown below as it is now."
    )
