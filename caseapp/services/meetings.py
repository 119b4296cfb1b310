"""Team Around the Family (TAF) meetings: arranging them, recording what happened
(attendees, views, progress scores, decisions, new actions, the next date) and showing
each outcome's distance travelled.

A meeting carries a version. Recording it and moving or cancelling it by two people at
once cannot both succeed: the second is told what the meeting is now, who changed it and
when, and nothing of theirs is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.casework import MeetingStatus, OutcomeStatus
from caseapp.domain.distance import DistanceChart, ScoreAt, distance_chart
from caseapp.domain.meetings import (
    MeetingRecord,
    kind_for_new_meeting,
    parse_time_of_day,
    recording_problems,
    scheduling_problems,
)
from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    AuditEvent,
    Episode,
    FamilyMember,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    TafAttendee,
    TafMeeting,
    User,
    UserRole,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import Casework, RecordNotFound, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.plans import ActionDetails, stage_action
from caseapp.services.timeline import add_timeline_event

# A family meets every few weeks; a page of this many covers years of work.
MEETINGS_SHOWN = 60
STAFF_MATCHES_SHOWN = 10
_MEETING = "taf_meeting"


class MeetingNotFound(RecordNotFound):
    """No such meeting in this family's record: answered as 404."""


class MeetingInvalid(ValueError):
    """What was entered breaks a rule; each problem names its form field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class MeetingState:
    """A meeting as the database has it now, and who last changed it when."""

    meeting_id: int
    status: MeetingStatus
    at: datetime
    location: str
    version: int
    next_meeting_on: date | None
    changed_by_id: int | None
    changed_by: str
    changed_at: datetime | None


class MeetingConflict(Exception):
    """Someone else changed the meeting first; nothing was saved. Carries it as it is now."""

    def __init__(self, current: MeetingState) -> None:
        super().__init__(f"meeting {current.meeting_id} changed since it was read")
        self.current = current


@dataclass(frozen=True)
class OutcomeProgress:
    """One plan outcome and its scores at each meeting, oldest first."""

    outcome: PlanOutcome
    number: int
    child_name: str
    scores: tuple[ScoreAt, ...]

    @property
    def chart(self) -> DistanceChart:
        return distance_chart(self.scores)


@dataclass(frozen=True)
class MeetingsPage:
    frame: FamilyFrame
    meetings: list[TafMeeting]
    progress: list[OutcomeProgress]

    @property
    def casework(self) -> Casework:
        return self.frame.casework

    @property
    def upcoming(self) -> TafMeeting | None:
        scheduled = [m for m in self.meetings if m.status is MeetingStatus.SCHEDULED]
        return min(scheduled, key=lambda meeting: meeting.at) if scheduled else None

    @property
    def past(self) -> list[TafMeeting]:
        return [m for m in self.meetings if m.status is not MeetingStatus.SCHEDULED]


@dataclass(frozen=True)
class MeetingView:
    frame: FamilyFrame
    meeting: TafMeeting
    # (outcome, its number in the plan, the score given) for each outcome scored.
    scores: list[tuple[PlanOutcome, int, OutcomeScore]]
    actions: list[PlanAction]

    @property
    def casework(self) -> Casework:
        return self.frame.casework


@dataclass(frozen=True)
class RecordCase:
    """What the record form needs: the meeting and the outcomes to score."""

    casework: Casework
    meeting: TafMeeting
    open_outcomes: list[PlanOutcome]
    # Read when the form is opened, with the record of that (see frame_of).
    frame: FamilyFrame | None = None


@dataclass(frozen=True)
class StaffChoice:
    user_id: int
    name: str
    job_title: str
    agency: str


@dataclass(frozen=True)
class TafReview:
    """For deadlines: an episode's last held TAF meeting and the date it agreed for the next."""

    episode_id: int
    last_held_at: datetime
    next_meeting_on: date | None


# --- reading -----------------------------------------------------------------------------


def view_meetings(actor: Actor, family_id: int) -> MeetingsPage:
    casework = load_casework(actor, family_id)
    meetings = list(
        db.session.scalars(
            select(TafMeeting)
            .where(TafMeeting.family_id == family_id)
            .order_by(TafMeeting.at.desc(), TafMeeting.id.desc())
            .limit(MEETINGS_SHOWN)
        )
    )
    episode = casework.episode
    progress = outcome_progress(episode.id) if episode is not None else []
    frame = family_frame(casework)
    record_view(actor, "taf_meetings", family_id, family_id)
    return MeetingsPage(frame, meetings, progress)


def outcome_progress(episode_id: int) -> list[OutcomeProgress]:
    """Every outcome of the episode's plan with its score at each held meeting, oldest
    first, in one query."""
    rows = db.session.execute(
        select(PlanOutcome, FamilyMember.given_name, TafMeeting.at, OutcomeScore.score)
        .outerjoin(FamilyMember, FamilyMember.id == PlanOutcome.member_id)
        .outerjoin(OutcomeScore, OutcomeScore.outcome_id == PlanOutcome.id)
        .outerjoin(
            TafMeeting,
            and_(
                TafMeeting.id == OutcomeScore.meeting_id,
                TafMeeting.status == MeetingStatus.HELD,
            ),
        )
        .where(PlanOutcome.episode_id == episode_id)
        .order_by(PlanOutcome.id, TafMeeting.at, TafMeeting.id)
    ).all()
    found: dict[int, tuple[PlanOutcome, str, list[ScoreAt]]] = {}
    for outcome, child_name, held_at, score in rows:
        _, _, scores = found.setdefault(outcome.id, (outcome, child_name or "", []))
        if held_at is not None and score is not None:
            scores.append(ScoreAt(held_at.astimezone(UK_TIME).date(), score))
    return [
        OutcomeProgress(outcome, number, child_name, tuple(scores))
        for number, (outcome, child_name, scores) in enumerate(found.values(), start=1)
    ]


def _meeting_in(family_id: int, meeting_id: int) -> TafMeeting:
    meeting = db.session.scalar(
        select(TafMeeting).where(TafMeeting.id == meeting_id, TafMeeting.family_id == family_id)
    )
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    return meeting


def view_meeting(actor: Actor, family_id: int, meeting_id: int) -> MeetingView:
    casework = load_casework(actor, family_id)
    meeting = (
        db.session.scalars(
            select(TafMeeting)
            .where(TafMeeting.id == meeting_id, TafMeeting.family_id == family_id)
            .options(joinedload(TafMeeting.attendees))
        )
        .unique()
        .one_or_none()
    )
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    # Outcomes are numbered in the order the plan gained them, as the plan page does.
    numbered = (
        select(PlanOutcome.id, func.row_number().over(order_by=PlanOutcome.id).label("number"))
        .where(PlanOutcome.episode_id == meeting.episode_id)
        .subquery()
    )
    scores = db.session.execute(
        select(PlanOutcome, numbered.c.number, OutcomeScore)
        .join(PlanOutcome, PlanOutcome.id == OutcomeScore.outcome_id)
        .join(numbered, numbered.c.id == OutcomeScore.outcome_id)
        .where(OutcomeScore.meeting_id == meeting.id)
        .order_by(numbered.c.number)
    ).all()
    actions = db.session.scalars(
        select(PlanAction).where(PlanAction.meeting_id == meeting.id).order_by(PlanAction.id)
    ).all()
    frame = family_frame(casework)
    record_view(actor, _MEETING, meeting_id, family_id)
    return MeetingView(
        frame,
        meeting,
        [(outcome, number, score) for outcome, number, score in scores],
        list(actions),
    )


def open_record_case(actor: Actor, family_id: int, meeting_id: int) -> RecordCase:
    """The record form's case and frame; opening it is recorded in the audit trail."""
    return _opened(actor, load_record_case(actor, family_id, meeting_id))


def open_meeting_to_change(actor: Actor, family_id: int, meeting_id: int) -> RecordCase:
    """The move-or-cancel form's meeting and frame; opening it is recorded in the audit
    trail."""
    return _opened(actor, load_meeting_to_change(actor, family_id, meeting_id))


def _opened(actor: Actor, case: RecordCase) -> RecordCase:
    """The case with its frame, read before the record of the opening, whose commit ends
    both."""
    opened = replace(case, frame=family_frame(case.casework))
    record_view(actor, _MEETING, case.meeting.id, case.meeting.family_id)
    return opened


def load_record_case(actor: Actor, family_id: int, meeting_id: int) -> RecordCase:
    """The meeting and the outcomes its record scores, for someone who keeps the family's
    record (NotYoursToKeep otherwise)."""
    case = load_meeting_to_change(actor, family_id, meeting_id)
    outcomes = db.session.scalars(
        select(PlanOutcome)
        .where(
            PlanOutcome.episode_id == case.meeting.episode_id,
            PlanOutcome.status == OutcomeStatus.OPEN,
        )
        .options(joinedload(PlanOutcome.member))
        .order_by(PlanOutcome.id)
    ).all()
    return RecordCase(case.casework, case.meeting, list(outcomes))


def load_meeting_to_change(actor: Actor, family_id: int, meeting_id: int) -> RecordCase:
    """A meeting to move or cancel: no outcomes needed."""
    casework = load_casework(actor, family_id, keeping=True)
    meeting = _meeting_in(family_id, meeting_id)
    if meeting.episode_id != casework.open_episode.id:
        raise MeetingNotFound(meeting_id)
    return RecordCase(casework, meeting, [])


def meeting_state(meeting_id: int) -> MeetingState:
    """The meeting as saved now, and who last changed it (from the audit trail)."""
    db.session.expire_all()
    meeting = db.session.get(TafMeeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    last_change = db.session.execute(
        select(User.id, User.name, AuditEvent.at)
        .join(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.object_type == _MEETING,
            AuditEvent.object_id == meeting_id,
            AuditEvent.action.in_(("create", "update")),
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    return MeetingState(
        meeting_id=meeting.id,
        status=meeting.status,
        at=meeting.at,
        location=meeting.location,
        version=meeting.version,
        next_meeting_on=meeting.next_meeting_on,
        changed_by_id=last_change[0] if last_change else None,
        changed_by=last_change[1] if last_change else "",
        changed_at=last_change[2] if last_change else None,
    )


def find_staff(query: str, limit: int = STAFF_MATCHES_SHOWN) -> list[StaffChoice]:
    """Active lead workers of any agency whose name has every word of `query`: the staff
    who become TAF members (and may then read the family's record) when named."""
    words = query.lower().split()
    if not words:
        return []
    rows = db.session.execute(
        select(User.id, User.name, User.job_title, func.coalesce(Agency.name, ""))
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.LEAD_WORKER))
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(
            User.active.is_(True),
            *(func.lower(User.name).contains(word, autoescape=True) for word in words),
        )
        .order_by(User.name, User.id)
        .limit(limit)
    ).all()
    return [StaffChoice(*row) for row in rows]


def staff_choice(user_id: int) -> StaffChoice | None:
    """One member of staff who may be named as a TAF member, or None."""
    rows = db.session.execute(
        select(User.id, User.name, User.job_title, func.coalesce(Agency.name, ""))
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.LEAD_WORKER))
        .outerjoin(Agency, Agency.id == User.agency_id)
        .where(User.id == user_id, User.active.is_(True))
    ).first()
    return StaffChoice(*rows) if rows else None


def taf_reviews(episode_ids: list[int]) -> dict[int, TafReview]:
    """Each episode's latest held TAF meeting and the next date it agreed, in one query:
    the caseload counts a TAF review as overdue from that date."""
    if not episode_ids:
        return {}
    newest = (
        func.row_number()
        .over(
            partition_by=TafMeeting.episode_id,
            order_by=(TafMeeting.at.desc(), TafMeeting.id.desc()),
        )
        .label("newest")
    )
    held = (
        select(TafMeeting.episode_id, TafMeeting.at, TafMeeting.next_meeting_on, newest)
        .where(TafMeeting.episode_id.in_(episode_ids), TafMeeting.status == MeetingStatus.HELD)
        .subquery()
    )
    rows = db.session.execute(
        select(held.c.episode_id, held.c.at, held.c.next_meeting_on).where(held.c.newest == 1)
    ).all()
    return {episode_id: TafReview(episode_id, at, on) for episode_id, at, on in rows}


# --- changing ----------------------------------------------------------------------------


def _local_moment(on: date, at: time) -> datetime:
    return datetime.combine(on, at, tzinfo=UK_TIME).astimezone(UTC)


def _local_time(moment: datetime) -> time:
    return moment.astimezone(UK_TIME).time()


def _check_version(meeting: TafMeeting, expected_version: int) -> None:
    if meeting.version != expected_version or meeting.status is not MeetingStatus.SCHEDULED:
        raise MeetingConflict(meeting_state(meeting.id))


def _other_scheduled(episode_id: int, except_id: int | None = None) -> bool:
    query = select(TafMeeting.id).where(
        TafMeeting.episode_id == episode_id, TafMeeting.status == MeetingStatus.SCHEDULED
    )
    if except_id is not None:
        query = query.where(TafMeeting.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def schedule_meeting(
    actor: Actor, family_id: int, on: date | None, at_text: str, location: str
) -> TafMeeting:
    """Arrange the open episode's next TAF meeting."""
    casework = load_casework(actor, family_id, keeping=True)
    episode = casework.open_episode
    problems = scheduling_problems(on, at_text, uk_today())
    if not problems and _other_scheduled(episode.id):
        problems = [
            Problem("on", "A TAF meeting is already arranged: change that meeting's date instead")
        ]
    at = parse_time_of_day(at_text)
    if problems or on is None or at is None:
        raise MeetingInvalid(problems)
    held = db.session.scalar(
        select(func.count(TafMeeting.id)).where(
            TafMeeting.episode_id == episode.id, TafMeeting.status == MeetingStatus.HELD
        )
    )
    meeting = stage_scheduled(actor, episode, held or 0, _local_moment(on, at), location.strip())
    db.session.commit()
    return meeting


def stage_scheduled(
    actor: Actor, episode: Episode, held: int, at: datetime, location: str
) -> TafMeeting:
    meeting = TafMeeting(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=kind_for_new_meeting(held, episode.status),
        at=at,
        location=location,
        scheduled_by_id=actor.user_id,
    )
    db.session.add(meeting)
    db.session.flush()
    where = f" at {location}" if location else ""
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.MEETING_SCHEDULED,
        summary=f"{meeting.kind.label} arranged for {at.astimezone(UK_TIME):%-d %B %Y}{where}",
        actor_id=actor.user_id,
        detail={"meeting_id": meeting.id},
    )
    audit_by(actor, "create", _MEETING, object_id=meeting.id, family_id=episode.family_id)
    return meeting


def _save_or_conflict(meeting: TafMeeting) -> None:
    """Send the meeting's versioned UPDATE first: a competing change waits on the row,
    then finds the version moved on, before it has written anything else."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise MeetingConflict(meeting_state(meeting.id)) from None


def reschedule_meeting(
    actor: Actor,
    family_id: int,
    meeting_id: int,
    expected_version: int,
    on: date | None,
    at_text: str,
    location: str,
) -> TafMeeting:
    case = load_meeting_to_change(actor, family_id, meeting_id)
    meeting = case.meeting
    _check_version(meeting, expected_version)
    problems = scheduling_problems(on, at_text, uk_today())
    at = parse_time_of_day(at_text)
    if problems or on is None or at is None:
        raise MeetingInvalid(problems)
    meeting.at = _local_moment(on, at)
    meeting.location = location.strip()
    _save_or_conflict(meeting)
    where = f" at {meeting.location}" if meeting.location else ""
    add_timeline_event(
        family_id=family_id,
        episode_id=meeting.episode_id,
        kind=EventKind.MEETING_SCHEDULED,
        summary=f"{meeting.kind.label} moved to {on:%-d %B %Y}{where}",
        actor_id=actor.user_id,
        detail={"meeting_id": meeting.id},
    )
    audit_by(actor, "update", _MEETING, object_id=meeting.id, family_id=family_id)
    db.session.commit()
    return meeting


def cancel_meeting(
    actor: Actor, family_id: int, meeting_id: int, expected_version: int, reason: str
) -> TafMeeting:
    case = load_meeting_to_change(actor, family_id, meeting_id)
    meeting = case.meeting
    _check_version(meeting, expected_version)
    if not reason.strip():
        raise MeetingInvalid([Problem("reason", "Enter why the meeting is cancelled")])
    meeting.status = MeetingStatus.CANCELLED
    _save_or_conflict(meeting)
    add_timeline_event(
        family_id=family_id,
        episode_id=meeting.episode_id,
        kind=EventKind.MEETING_CANCELLED,
        summary=(
            f"{meeting.kind.label} of {meeting.at.astimezone(UK_TIME):%-d %B %Y} cancelled: "
            f"{reason.strip()}"
        ),
        actor_id=actor.user_id,
        detail={"meeting_id": meeting.id},
    )
    audit_by(actor, "update", _MEETING, object_id=meeting.id, family_id=family_id)
    db.session.commit()
    return meeting


def _staff_problems(record: MeetingRecord) -> list[Problem]:
    named = {attendee.user_id for attendee in record.attendees if attendee.user_id is not None}
    if not named:
        return []
    known = set(
        db.session.scalars(
            select(User.id)
            .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == Role.LEAD_WORKER))
            .where(User.id.in_(named), User.active.is_(True))
        )
    )
    return [
        Problem(f"attendees-{index}-name", f"Find {attendee.name or 'this person'} again")
        for index, attendee in enumerate(record.attendees)
        if attendee.user_id is not None and attendee.user_id not in known
    ]


def record_meeting(
    actor: Actor, family_id: int, meeting_id: int, expected_version: int, record: MeetingRecord
) -> TafMeeting:
    """Record a held meeting, add its new actions to the plan and arrange the next one on
    the date it agreed. Returns the next meeting."""
    case = load_record_case(actor, family_id, meeting_id)
    meeting, episode = case.meeting, case.casework.open_episode
    _check_version(meeting, expected_version)
    open_ids = [outcome.id for outcome in case.open_outcomes]
    problems = recording_problems(record, open_ids, uk_today()) + _staff_problems(record)
    if problems or record.held_on is None or record.next_meeting_on is None:
        raise MeetingInvalid(problems)
    now = utcnow()
    scheduled_time = _local_time(meeting.at)
    meeting.at = _local_moment(record.held_on, scheduled_time)
    meeting.status = MeetingStatus.HELD
    meeting.family_views = record.family_views.strip()
    meeting.child_views = record.child_views.strip()
    meeting.decisions = record.decisions.strip()
    meeting.next_meeting_on = record.next_meeting_on
    meeting.recorded_by_id = actor.user_id
    meeting.recorded_at = now
    _save_or_conflict(meeting)
    db.session.add_all(
        TafAttendee(
            meeting_id=meeting.id,
            name=attendee.name.strip(),
            agency=attendee.agency.strip(),
            role=attendee.role.strip(),
            present=attendee.present,
            user_id=attendee.user_id,
        )
        for attendee in record.attendees
    )
    db.session.add_all(
        OutcomeScore(
            meeting_id=meeting.id,
            outcome_id=entry.outcome_id,
            score=entry.score,
            comment=entry.comment.strip(),
        )
        for entry in record.scores
        if entry.outcome_id in open_ids and entry.score is not None
    )
    present = sum(attendee.present for attendee in record.attendees)
    apologies = len(record.attendees) - present
    add_timeline_event(
        family_id=family_id,
        episode_id=episode.id,
        kind=EventKind.MEETING_RECORDED,
        summary=(
            f"{meeting.kind.label} held on {record.held_on:%-d %B %Y}: {present} there, "
            f"{apologies} sent apologies. Next meeting {record.next_meeting_on:%-d %B %Y}"
        ),
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"meeting_id": meeting.id},
    )
    audit_by(actor, "update", _MEETING, object_id=meeting.id, family_id=family_id)
    for action in record.actions:
        if action.is_blank or action.due_on is None:
            continue
        stage_action(
            actor,
            episode,
            ActionDetails(
                description=action.description.strip(),
                owner_name=action.owner_name.strip(),
                owner_agency=action.owner_agency.strip(),
                due_on=action.due_on,
                outcome_id=action.outcome_id if action.outcome_id in open_ids else None,
            ),
            meeting_id=meeting.id,
        )
    next_meeting = stage_scheduled(
        actor,
        episode,
        held=1,
        at=_local_moment(record.next_meeting_on, scheduled_time),
        location=meeting.location,
    )
    db.session.commit()
    return next_meeting
