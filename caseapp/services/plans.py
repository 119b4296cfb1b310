"""The family plan: outcomes (what will be different) and actions (who does what by when).

The plan is edited by the lead worker and, in an absence, a manager of the team, often on
the same day. Outcomes and actions carry a version: a save names the version its form was
loaded at, and if the record changed since, nothing is saved and the person is shown what
it says now, who changed it and when (PlanConflict).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Select, func, inspect, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.casework import ActionStatus, MeetingStatus, OutcomeStatus
from caseapp.domain.plan import (
    ActionDraft,
    OutcomeDraft,
    action_overdue,
    action_problems,
    completed_on_for,
    outcome_problems,
)
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.frameworks.supporting_families import HeadlineOutcomes
from caseapp.models import (
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    TafMeeting,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import (
    Casework,
    FamilyNotFound,
    NotYoursToKeep,
    RecordNotFound,
    load_casework,
)
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame, view_section
from caseapp.services.timeline import add_timeline_event

PlanRecord = TypeVar("PlanRecord", PlanOutcome, PlanAction)


@dataclass(frozen=True)
class ActionDetails:
    description: str
    owner_name: str
    owner_agency: str
    due_on: date
    outcome_id: int | None = None
    owner_user_id: int | None = None


class PlanRecordNotFound(RecordNotFound):
    """No such outcome or action in this family's open plan: answers 404."""


class PlanInvalid(ValueError):
    """The outcome or action breaks a rule; each problem names its form field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class LastChange:
    """Who last saved a plan record, and when, from the audit trail."""

    by: str
    at: datetime | None


class PlanConflict(Exception):
    """Someone saved the record after the form was loaded; nothing was saved. Carries the
    record as it is now and who changed it when."""

    def __init__(self, record: PlanOutcome | PlanAction, change: LastChange) -> None:
        super().__init__(f"{type(record).__name__} {record.id} changed since it was loaded")
        self.record = record
        self.change = change


# --- reading the plan --------------------------------------------------------------------


@dataclass(frozen=True)
class LatestScore:
    score: int
    scored_at: datetime


@dataclass(frozen=True)
class OutcomeView:
    outcome: PlanOutcome
    actions: list[PlanAction]
    latest_score: LatestScore | None


@dataclass(frozen=True)
class PlanGroup:
    """The outcomes for one child, or (member None) for the whole family."""

    member: FamilyMember | None
    outcomes: list[OutcomeView]


@dataclass(frozen=True)
class PlanView:
    casework: Casework
    # The plan shown: the open episode's, or the most recent episode's once it closed.
    episode_id: int | None
    groups: list[PlanGroup]
    # Actions for the plan as a whole rather than one outcome.
    loose_actions: list[PlanAction]
    today: date
    # Read with the plan when its view is recorded and it is shown whole (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def may_keep(self) -> bool:
        return self.casework.may_keep and self.casework.episode is not None

    @property
    def outcomes(self) -> list[PlanOutcome]:
        return [view.outcome for group in self.groups for view in group.outcomes]

    @property
    def children(self) -> list[FamilyMember]:
        return children_of(self.casework)

    def overdue(self, action: PlanAction) -> bool:
        return action_overdue(action.status, action.due_on, self.today)


def view_plan(actor: Actor, family_id: int, *, with_frame: bool) -> PlanView:
    """The family's plan for `actor`; reading it is recorded in the audit trail.
    `with_frame` unless only the plan is shown.

    Raises FamilyNotFound if they may not see the family.
    """
    return view_section(actor, family_id, "plan", plan_of, with_frame=with_frame)


def plan_of(casework: Casework) -> PlanView:
    """The plan of a family whose casework the caller has loaded (and so may see): the
    open episode's, or the latest episode's once it closed. Two or three queries."""
    family_id = inspect(casework.family).identity[0]
    episode = casework.episode
    episode_id = inspect(episode).identity[0] if episode else _latest_episode_id(family_id)
    today = uk_today()
    if episode_id is None:
        return PlanView(casework, None, [], [], today)
    outcomes = db.session.execute(_outcomes_with_latest_scores(episode_id)).all()
    actions = list(
        db.session.scalars(
            select(PlanAction)
            .where(PlanAction.episode_id == episode_id)
            .order_by(PlanAction.due_on, PlanAction.id)
        )
    )
    by_outcome: dict[int | None, list[PlanAction]] = {}
    for action in actions:
        by_outcome.setdefault(action.outcome_id, []).append(action)
    views = [
        OutcomeView(
            outcome,
            by_outcome.get(outcome.id, []),
            LatestScore(score, scored_at) if score is not None else None,
        )
        for outcome, score, scored_at in outcomes
    ]
    return PlanView(
        casework, episode_id, _grouped(casework, views), by_outcome.get(None, []), today
    )


def plan_after_change(casework: Casework) -> PlanView:
    """The plan again, just after this request changed it and committed (which expired
    everything loaded). The request has already checked who is asking, so only the family,
    its members and the plan are read again: four queries."""
    family = db.session.get(
        Family,
        inspect(casework.family).identity[0],
        options=[selectinload(Family.members)],
        populate_existing=True,
    )
    if family is None:  # deleted meanwhile
        raise FamilyNotFound(inspect(casework.family).identity[0])
    return plan_of(Casework(family, casework.episode, casework.may_keep))


def _latest_episode_id(family_id: int) -> int | None:
    return db.session.scalar(
        select(Episode.id)
        .where(Episode.family_id == family_id)
        .order_by(Episode.opened_at.desc(), Episode.id.desc())
        .limit(1)
    )


def _outcomes_with_latest_scores(
    episode_id: int,
) -> Select[tuple[PlanOutcome, int | None, datetime | None]]:
    """The episode's outcomes, each with its score at the most recent held TAF meeting
    that scored it (if any): one query however many outcomes and meetings there are."""
    newest_first = (
        func.row_number()
        .over(
            partition_by=OutcomeScore.outcome_id,
            order_by=(TafMeeting.at.desc(), TafMeeting.id.desc()),
        )
        .label("newest_first")
    )
    ranked = (
        select(OutcomeScore.outcome_id, OutcomeScore.score, TafMeeting.at, newest_first)
        .join(TafMeeting, TafMeeting.id == OutcomeScore.meeting_id)
        .where(TafMeeting.episode_id == episode_id, TafMeeting.status == MeetingStatus.HELD)
        .subquery()
    )
    return (
        select(PlanOutcome, ranked.c.score, ranked.c.at)
        .outerjoin(ranked, (ranked.c.outcome_id == PlanOutcome.id) & (ranked.c.newest_first == 1))
        .where(PlanOutcome.episode_id == episode_id)
        .order_by(PlanOutcome.created_at, PlanOutcome.id)
    )


def children_of(casework: Casework) -> list[FamilyMember]:
    """The children an outcome may be for, eldest first."""
    children = [member for member in casework.family.members if member.is_child]
    return sorted(children, key=lambda child: (child.date_of_birth or date.max, child.id))


def _grouped(casework: Casework, views: list[OutcomeView]) -> list[PlanGroup]:
    """One group per child with outcomes, eldest first, then the whole family's."""
    groups = [
        PlanGroup(child, [view for view in views if view.outcome.member_id == child.id])
        for child in children_of(casework)
    ]
    known = {group.member.id for group in groups if group.member is not None}
    family_wide = [view for view in views if view.outcome.member_id not in known]
    groups.append(PlanGroup(None, family_wide))
    return [group for group in groups if group.outcomes]


@dataclass(frozen=True)
class ActionRow:
    """One action as its row on the plan page shows it, for an in-place update."""

    action: PlanAction
    today: date = field(default_factory=uk_today)

    @property
    def overdue(self) -> bool:
        return action_overdue(self.action.status, self.action.due_on, self.today)


@dataclass(frozen=True)
class ActionEdit:
    """An action of the open plan, loaded for someone who keeps the plan, to change it."""

    casework: Casework
    action: PlanAction
    # Read when the action's page is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None


def action_edit(
    actor: Actor, family_id: int, action_id: int, audit: bool = False, with_frame: bool = False
) -> ActionEdit:
    """Raises FamilyNotFound, PlanRecordNotFound, NotYoursToKeep or NoOpenEpisode. With
    `audit`, the opening of the action's page is recorded as a view; `with_frame` when it
    is opened as a page of its own, not in its row's place."""
    casework = load_casework(actor, family_id, keeping=True)
    action = _plan_record(PlanAction, casework, action_id)
    edit = ActionEdit(casework, action, family_frame(casework) if with_frame else None)
    if audit:
        record_view(actor, "plan_action", action_id, family_id)
    return edit


@dataclass(frozen=True)
class OutcomeEdit:
    """An outcome of the open plan, loaded for someone who keeps the plan, to change it,
    with the children it may be for."""

    casework: Casework
    outcome: PlanOutcome
    # Read when the outcome's page is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None

    @property
    def children(self) -> list[FamilyMember]:
        return children_of(self.casework)


def outcome_edit(actor: Actor, family_id: int, outcome_id: int, audit: bool = False) -> OutcomeEdit:
    """Raises FamilyNotFound, PlanRecordNotFound, NotYoursToKeep or NoOpenEpisode. With
    `audit`, the opening of the outcome's page is recorded as a view, and the page's frame
    is read before it."""
    casework = load_casework(actor, family_id, keeping=True)
    outcome = _plan_record(PlanOutcome, casework, outcome_id)
    edit = OutcomeEdit(casework, outcome, family_frame(casework) if audit else None)
    if audit:
        record_view(actor, "plan_outcome", outcome_id, family_id)
    return edit


def _plan_record(model: type[PlanRecord], casework: Casework, record_id: int) -> PlanRecord:
    record = db.session.scalar(
        select(model).where(
            model.id == record_id,
            model.family_id == casework.family.id,
            model.episode_id == casework.open_episode.id,
        )
    )
    if record is None:
        raise PlanRecordNotFound(record_id)
    return record


def plan_started_on(episode: Episode) -> date:
    """The day the plan's work began: allocation to a lead worker (or the episode's start)."""
    return uk_today(episode.allocated_at or episode.opened_at)


def last_change(record: PlanOutcome | PlanAction) -> LastChange:
    """Who last added or changed the record, from the audit trail."""
    object_type = "plan_outcome" if isinstance(record, PlanOutcome) else "plan_action"
    row = db.session.execute(
        select(User.name, AuditEvent.at)
        .join(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.object_type == object_type,
            AuditEvent.object_id == record.id,
            AuditEvent.action != "view",
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    return LastChange(row[0], row[1]) if row else LastChange("Someone", None)


def _check_version(record: PlanOutcome | PlanAction, expected_version: int) -> None:
    if record.version != expected_version:
        raise PlanConflict(record, last_change(record))


def _commit_or_conflict(model: type[PlanRecord], record_id: int, family_id: int) -> None:
    """Commit; if a competing save got there first, roll back and raise PlanConflict with
    the record as that save left it."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(model, record_id)
        if current is None or current.family_id != family_id:
            raise PlanRecordNotFound(record_id) from None
        raise PlanConflict(current, last_change(current)) from None


# --- outcomes ----------------------------------------------------------------------------


def add_outcome(
    actor: Actor, casework: Casework, draft: OutcomeDraft, headline: HeadlineOutcomes
) -> PlanOutcome:
    """Add an outcome to the open plan of `casework` (loaded with keeping=True). Raises
    PlanInvalid, NotYoursToKeep or NoOpenEpisode."""
    episode = _kept_episode(casework)
    family_id = casework.family.id
    children = children_of(casework)
    problems = outcome_problems(draft, None, headline.codes, [child.id for child in children])
    if problems:
        raise PlanInvalid(problems)
    outcome = PlanOutcome(
        family_id=family_id,
        episode_id=episode.id,
        member_id=draft.member_id,
        description=draft.description.strip(),
        measure=draft.measure.strip(),
        headline_outcomes=list(draft.headline_outcomes),
        status=OutcomeStatus.OPEN,
        created_by_id=actor.user_id,
    )
    db.session.add(outcome)
    db.session.flush()
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        member_id=draft.member_id,
        kind=EventKind.OUTCOME_ADDED,
        summary=f"{_for_whom(children, draft.member_id)}: {outcome.description}",
        actor_id=actor.user_id,
        detail={"outcome_id": outcome.id},
    )
    audit_by(actor, "create", "plan_outcome", object_id=outcome.id, family_id=family_id)
    db.session.commit()
    return outcome


def update_outcome(
    actor: Actor,
    edit: OutcomeEdit,
    expected_version: int,
    draft: OutcomeDraft,
    headline: HeadlineOutcomes,
) -> PlanOutcome:
    """Change the outcome `edit` loaded (outcome_edit checked the actor keeps the plan) if
    nobody has since `expected_version`; otherwise raise PlanConflict."""
    casework, outcome = edit.casework, edit.outcome
    family_id = casework.family.id
    _check_version(outcome, expected_version)
    children = children_of(casework)
    problems = outcome_problems(
        draft, outcome.status, headline.codes, [child.id for child in children]
    )
    if problems:
        raise PlanInvalid(problems)
    status_changed = draft.status is not outcome.status
    outcome.member_id = draft.member_id
    outcome.description = draft.description.strip()
    outcome.measure = draft.measure.strip()
    outcome.headline_outcomes = list(draft.headline_outcomes)
    outcome.status = draft.status
    outcome.updated_at = utcnow()
    status_note = f" (now {draft.status.label.lower()})" if status_changed else ""
    add_timeline_event(
        family_id=family_id,
        episode_id=outcome.episode_id,
        member_id=draft.member_id,
        kind=EventKind.OUTCOME_UPDATED,
        summary=f"{_for_whom(children, draft.member_id)}: {outcome.description}{status_note}",
        actor_id=actor.user_id,
        detail={"outcome_id": outcome.id, "status": draft.status.value},
    )
    audit_by(actor, "update", "plan_outcome", object_id=outcome.id, family_id=family_id)
    _commit_or_conflict(PlanOutcome, outcome.id, family_id)
    return outcome


def _kept_episode(casework: Casework) -> Episode:
    episode = casework.open_episode
    if not casework.may_keep:
        raise NotYoursToKeep(casework.family.id)
    return episode


def _for_whom(children: list[FamilyMember], member_id: int | None) -> str:
    for child in children:
        if child.id == member_id:
            return f"For {child.given_name}"
    return "For the whole family"


# --- actions -----------------------------------------------------------------------------


def stage_action(
    actor: Actor, episode: Episode, details: ActionDetails, meeting_id: int | None = None
) -> PlanAction:
    """Add an action to the episode's plan, with its timeline and audit events, in the
    caller's transaction (a TAF meeting adds its new actions in its own)."""
    action = PlanAction(
        family_id=episode.family_id,
        episode_id=episode.id,
        outcome_id=details.outcome_id,
        description=details.description,
        owner_name=details.owner_name,
        owner_agency=details.owner_agency,
        owner_user_id=details.owner_user_id,
        due_on=details.due_on,
        meeting_id=meeting_id,
        created_by_id=actor.user_id,
    )
    db.session.add(action)
    db.session.flush()
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.ACTION_ADDED,
        summary=f"{details.description} – {_owner(action)}, by {_day(details.due_on)}",
        actor_id=actor.user_id,
        # About the outcome's child, so the chronology's child filter finds it; read in
        # the same INSERT rather than by a query of its own.
        member_id=(
            select(PlanOutcome.member_id)  # type: ignore[arg-type]
            .where(PlanOutcome.id == details.outcome_id)
            .scalar_subquery()
            if details.outcome_id is not None
            else None
        ),
        detail={"action_id": action.id, "meeting_id": meeting_id},
    )
    audit_by(actor, "create", "plan_action", object_id=action.id, family_id=episode.family_id)
    return action


def add_action(
    actor: Actor, casework: Casework, outcome_id: int | None, draft: ActionDraft
) -> PlanAction:
    """Add an action to an outcome of the open plan of `casework` (loaded with
    keeping=True), or to the plan as a whole. Raises PlanInvalid, PlanRecordNotFound,
    NotYoursToKeep or NoOpenEpisode."""
    episode = _kept_episode(casework)
    if outcome_id is not None:
        _plan_record(PlanOutcome, casework, outcome_id)
    problems = action_problems(draft, None, plan_started_on(episode), uk_today())
    if problems or draft.due_on is None:
        raise PlanInvalid(problems)
    details = ActionDetails(
        description=draft.description.strip(),
        owner_name=draft.owner_name.strip(),
        owner_agency=draft.owner_agency.strip(),
        due_on=draft.due_on,
        outcome_id=outcome_id,
    )
    action = stage_action(actor, episode, details)
    if draft.status is not ActionStatus.NOT_STARTED:
        action.status = draft.status
        action.completed_on = completed_on_for(draft.status, draft.completed_on, uk_today())
    db.session.commit()
    return action


def update_action(
    actor: Actor, edit: ActionEdit, expected_version: int, draft: ActionDraft
) -> PlanAction:
    """Change the action `edit` loaded (action_edit checked the actor keeps the plan) if
    nobody has since `expected_version`; otherwise raise PlanConflict."""
    casework, action = edit.casework, edit.action
    _check_version(action, expected_version)
    today = uk_today()
    problems = action_problems(draft, action.status, plan_started_on(casework.open_episode), today)
    if problems or draft.due_on is None:
        raise PlanInvalid(problems)
    completing = draft.status is ActionStatus.DONE and action.status is not ActionStatus.DONE
    action.description = draft.description.strip()
    action.owner_name = draft.owner_name.strip()
    action.owner_agency = draft.owner_agency.strip()
    action.due_on = draft.due_on
    action.status = draft.status
    action.completed_on = completed_on_for(
        draft.status, draft.completed_on or action.completed_on, today
    )
    _record_action_change(actor, action, completing)
    _commit_or_conflict(PlanAction, action.id, action.family_id)
    return action


def complete_action(
    actor: Actor, family_id: int, action_id: int, expected_version: int
) -> PlanAction:
    """Mark an open action done today, if nobody changed it since `expected_version`."""
    casework = load_casework(actor, family_id, keeping=True)
    action = _plan_record(PlanAction, casework, action_id)
    _check_version(action, expected_version)
    if not action.status.is_open:
        raise PlanInvalid([Problem("status", f"This action is {action.status.label.lower()}")])
    action.status = ActionStatus.DONE
    action.completed_on = uk_today()
    _record_action_change(actor, action, completing=True)
    _commit_or_conflict(PlanAction, action_id, family_id)
    return action


def _record_action_change(actor: Actor, action: PlanAction, completing: bool) -> None:
    action.updated_at = utcnow()
    if completing:
        kind, summary = EventKind.ACTION_COMPLETED, f"{action.description} – {_owner(action)}"
    else:
        kind = EventKind.ACTION_UPDATED
        summary = (
            f"{action.description} – {_owner(action)}, by {_day(action.due_on)} "
            f"({action.status.label.lower()})"
        )
    add_timeline_event(
        family_id=action.family_id,
        episode_id=action.episode_id,
        kind=kind,
        summary=summary,
        actor_id=actor.user_id,
        detail={"action_id": action.id, "status": action.status.value},
    )
    audit_by(
        actor,
        "complete" if completing else "update",
        "plan_action",
        object_id=action.id,
        family_id=action.family_id,
    )


def _owner(action: PlanAction) -> str:
    return (
        f"{action.owner_name} ({action.owner_agency})" if action.owner_agency else action.owner_name
    )


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"
