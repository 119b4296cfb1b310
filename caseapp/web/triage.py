"""Triage of a request against the framework, and allocation of a lead worker."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import TriageOutcome
from caseapp.domain.roles import Role
from caseapp.domain.triage_rules import indicators_field, level_field
from caseapp.domain.working_days import UK_TIME
from caseapp.frameworks import Framework
from caseapp.models.types import uk_today, utcnow
from caseapp.services import allocation as allocation_service
from caseapp.services.allocation import (
    CANDIDATE_SORTS,
    AllocationCase,
    AllocationConflict,
    AllocationInvalid,
    CurrentAllocation,
    current_allocation,
    find_candidates,
    load_allocation_case,
    open_allocation,
)
from caseapp.services.context import Actor
from caseapp.services.duplicates import possible_duplicates_for_request
from caseapp.services.triage import (
    EpisodeNotFound,
    TriageCase,
    TriageClosed,
    TriageConflict,
    TriageHeld,
    TriageInvalid,
    decide_triage,
    decided_while_open,
    load_triage_case,
    open_triage,
    start_triage,
)
from caseapp.web.access import current_actor, roles_required
from caseapp.web.formatting import uk_time
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import render_page, wants_fragment
from caseapp.web.triage_forms import AllocateForm, StartTriageForm, TriageForm, triage_form

bp = Blueprint("triage", __name__, url_prefix="/hub/episodes")


# --- times as people in England say them --------------------------------------------------


def when(value: datetime | None) -> str:
    """'at 2:15pm' today, 'on 27 Nov 2026 at 2:15pm' on another day."""
    if value is None:
        return ""
    local = value.astimezone(UK_TIME)
    if local.date() == utcnow().astimezone(UK_TIME).date():
        return f"at {uk_time(local)}"
    return f"on {local.day} {local:%b %Y} at {uk_time(local)}"


@bp.context_processor
def triage_context() -> dict[str, object]:
    return {
        "when": when,
        "now": utcnow(),
        "level_field": level_field,
        "indicators_field": indicators_field,
        "EpisodeStatus": EpisodeStatus,
        "Role": Role,
        "framework": _framework(),
        "today": uk_today(),
    }


def _framework() -> Framework:
    return current_app.extensions["caseapp.framework"]


# --- picking a request up ------------------------------------------------------------------


@bp.post("/<int:episode_id>/start")
@roles_required(Role.HUB_COORDINATOR)
def start(episode_id: int) -> ResponseReturnValue:
    form = StartTriageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        start_triage(current_actor(), episode_id, form.take_over_from.data)
    except EpisodeNotFound:
        return _decided_elsewhere(episode_id)
    except TriageHeld as held:
        confirm = StartTriageForm(formdata=None, take_over_from=held.holder.id)
        return render_page("triage/take_over.html", held=held, episode_id=episode_id, form=confirm)
    except TriageClosed as closed:
        flash(_decided_message(closed), "info")
        return redirect(url_for("hub.queue"))
    except TriageConflict:
        flash("This request changed as you picked it up. Check it and try again.", "info")
    return redirect(url_for("triage.decide", episode_id=episode_id))


def _decided_message(closed: TriageClosed) -> str:
    decided = f"{closed.decided_by.name} decided this request" if closed.decided_by else "Decided"
    outcome = f": {closed.outcome.label}" if closed.outcome else ""
    return f"{decided} {when(closed.decided_at)}{outcome}. Nothing more to triage."


# --- the decision --------------------------------------------------------------------------


def _triage_page(case: TriageCase, form: TriageForm, notice: str | None = None) -> str:
    return render_page(
        "triage/decide.html",
        case=case,
        form=form,
        notice=notice,
        allocation_days=current_app.config["CASEAPP_DEADLINES"].allocation_working_days,
        duplicates=possible_duplicates_for_request(case.request.id),
        held_by_other=case.held_by_someone_else(current_user.id),
    )


def _new_triage_form(case: TriageCase) -> TriageForm:
    form = triage_form(case.children, case.facts, _framework(), case.today)
    if not form.is_submitted():
        form.version.data = case.episode.version
    return form


@bp.route("/<int:episode_id>/triage", methods=["GET", "POST"])
@roles_required(Role.HUB_COORDINATOR)
def decide(episode_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        case = (
            load_triage_case(actor, episode_id)
            if request.method == "POST"
            else open_triage(actor, episode_id)
        )
    except EpisodeNotFound:
        if request.method == "POST":
            return _decided_elsewhere(episode_id)
        abort(404)
    form = _new_triage_form(case)
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _triage_page(case, form)
    try:
        episode = decide_triage(actor, episode_id, form.version.data or 0, form.choices())
    except TriageInvalid as invalid:
        form.add_problems(invalid.problems)
        return _triage_page(case, form)
    except EpisodeNotFound:
        return _decided_elsewhere(episode_id)
    except (TriageClosed, TriageHeld, TriageConflict) as error:
        try:
            current = load_triage_case(actor, episode_id)
        except EpisodeNotFound:
            return _decided_elsewhere(episode_id)
        form.show_version(current.episode.version)
        return _triage_page(current, form, _changed_message(error))
    outcome = form.choices().outcome
    if outcome is TriageOutcome.EARLY_HELP:
        flash(f"Decision recorded: {outcome.label}. Now allocate a lead worker.", "success")
        return redirect(url_for("triage.allocate", episode_id=episode.id))
    label = outcome.label if outcome else ""
    flash(f"Decision recorded for the {case.family.name}: {label}.", "success")
    return redirect(url_for("hub.queue"))


def _decided_elsewhere(episode_id: int) -> ResponseReturnValue:
    """The request left the Hub (and this person's view) while they were deciding it."""
    closed = decided_while_open(current_actor(), episode_id)
    if closed is None:
        abort(404)
    flash(_changed_message(closed), "info")
    return redirect(url_for("hub.queue"))


def _changed_message(error: Exception) -> str:
    if isinstance(error, TriageClosed):
        return _decided_message(error) + " Nothing you chose was saved."
    if isinstance(error, TriageHeld):
        return (
            f"{error.holder.name} took this request over {when(error.since)}. "
            "Nothing you chose was saved."
        )
    return (
        "This request changed while you were deciding (for example, another coordinator "
        "picked it up). Nothing you chose was saved. Check the request and record your "
        "decision again."
    )


# --- allocation ----------------------------------------------------------------------------


def _allocate_page(case: AllocationCase, form: AllocateForm, conflict: str | None = None) -> str:
    query = request.args.get("q", "")
    sort = request.args.get("sort", "name")
    candidates = find_candidates(
        query, page_asked_for(), sort, current_app.config["CASEAPP_PAGE_SIZE"]
    )
    return render_page(
        "triage/allocate.html",
        fragment="candidates" if request.method == "GET" else None,
        case=case,
        form=form,
        candidates=candidates,
        sorts=CANDIDATE_SORTS,
        conflict=conflict,
    )


def conflict_message(current: CurrentAllocation, user_id: int) -> str:
    """What happened while the person was choosing, in the words a coordinator would use."""
    if current.lead_worker_id is None:
        return (
            f"This family's episode changed while you were choosing (it is now "
            f"{current.status.label.lower()}). Nothing you chose was saved. Check the "
            "details below and choose again."
        )
    who = "You" if current.assigned_by_id == user_id else current.assigned_by_name
    where = " in another window" if current.assigned_by_id == user_id else ""
    return (
        f"{who} allocated this family to {current.lead_worker_name} "
        f"{when(current.assigned_at)}{where} while you were choosing. Nothing you chose was "
        "saved."
    )


@bp.route("/<int:episode_id>/allocate", methods=["GET", "POST"])
@roles_required(Role.HUB_COORDINATOR, Role.MANAGER)
def allocate(episode_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = AllocateForm()
    if request.method == "GET":
        # A new page of candidates shows staff, not the family: not a read of its record.
        case = _allocation_case(actor, episode_id, audit=not wants_fragment())
        form.version.data = case.current.version
        return _allocate_page(case, form)
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _allocate_page(_allocation_case(actor, episode_id), form)
    try:
        # Called before any look-up of our own: whoever just lost the race for this family
        # can no longer see it, but is still owed an answer about who has it.
        episode = allocation_service.allocate(
            actor,
            episode_id,
            form.version.data or 0,
            form.chosen_lead_worker(),
            form.reason.data or "",
        )
    except EpisodeNotFound:
        abort(404)
    except AllocationInvalid as invalid:
        form.add_problems(invalid.problems)
        return _allocate_page(_allocation_case(actor, episode_id), form)
    except AllocationConflict as conflict:
        message = conflict_message(conflict.current, actor.user_id)
        try:
            current = load_allocation_case(actor, episode_id)
        except EpisodeNotFound:
            return render_page(
                "triage/allocation_taken.html", current=conflict.current, message=message
            )
        form.show_version(conflict.current.version)
        return _allocate_page(current, form, message)
    chosen = current_allocation(episode_id)
    # A first allocation is dated by this assignment; a reassignment keeps the first date.
    verb = "Allocated" if episode.allocated_at == chosen.assigned_at else "Reassigned"
    flash(f"{verb} to {chosen.lead_worker_name}", "success")
    return redirect(url_for("families.show", family_id=episode.family_id))


def _allocation_case(actor: Actor, episode_id: int, audit: bool = False) -> AllocationCase:
    try:
        if audit:
            return open_allocation(actor, episode_id)
        return load_allocation_case(actor, episode_id)
    except EpisodeNotFound:
        abort(404)
