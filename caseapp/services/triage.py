"""Triage: a Hub coordinator picks a request for support up and decides it.

The decision is one transaction: each child's level, the episode's new state, the
request's decision fields, the chronology and the audit trail are saved together or not
at all. The episode's version is the lock: a decision made on a page that is out of date
(someone else took the request over, or decided it) is refused rather than saved on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.hub import STATUS_AFTER_TRIAGE, TriageOutcome
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import (
    REFERRER_TOLD_LABELS,
    Problem,
    RequestFacts,
    TriageChoices,
    can_triage,
    triage_problems,
)
from caseapp.domain.working_days import UK_TIME, working_days_deadline
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import (
    Episode,
    Family,
    FamilyMember,
    SupportRequest,
    SupportRequestChild,
    TimelineEvent,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.access import can_see_family
from caseapp.services.audit import audit_by, record_view, viewed_since
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_closure
from caseapp.services.levels import stage_level_decision
from caseapp.services.timeline import add_timeline_event


class EpisodeNotFound(LookupError):
    """No such episode, or one whose family the person may not see: both answer 404."""


class TriageClosed(Exception):
    """The request has already been decided; nothing more can be triaged."""

    def __init__(self, request: SupportRequest, status: EpisodeStatus) -> None:
        super().__init__(f"request {request.id} has already been decided")
        self.outcome = request.outcome
        self.decided_by = request.decided_by
        self.decided_at = request.decided_at
        self.status = status


class TriageHeld(Exception):
    """Another coordinator has the request; taking it over needs a deliberate choice."""

    def __init__(self, holder: User, since: datetime | None) -> None:
        super().__init__(f"triage is held by user {holder.id}")
        self.holder = holder
        self.since = since


class TriageConflict(Exception):
    """The episode changed after the page was loaded; nothing was saved."""


class TriageInvalid(ValueError):
    """The decision breaks the triage rules; each problem names its form field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class TriageCase:
    """A request for support with everything the triage page and decision need."""

    episode: Episode
    family: Family
    request: SupportRequest
    # The children the request is about, eldest first: each gets a level decision.
    children: tuple[FamilyMember, ...]
    triage_started_at: datetime | None
    today: date

    @property
    def triage_by(self) -> User | None:
        return self.episode.triage_by

    @property
    def outside_referrer(self) -> bool:
        return self.request.referrer_user_id is None

    @property
    def facts(self) -> RequestFacts:
        return RequestFacts(
            significant_harm=self.request.significant_harm,
            outside_referrer=self.outside_referrer,
            received_on=self.request.received_at.astimezone(UK_TIME).date(),
            today=self.today,
        )

    def held_by_someone_else(self, user_id: int) -> bool:
        return self.episode.status is EpisodeStatus.TRIAGE and self.episode.triage_by_id not in (
            None,
            user_id,
        )


def visible_episode(actor: Actor, episode_id: int) -> Episode:
    """The episode with its family and people loaded, if `actor` may see the family."""
    episode = db.session.scalar(
        select(Episode)
        .where(Episode.id == episode_id)
        .options(
            joinedload(Episode.family),
            joinedload(Episode.triage_by),
            joinedload(Episode.lead_worker),
        )
    )
    if episode is None or not can_see_family(actor.user, episode.family_id):
        raise EpisodeNotFound(episode_id)
    return episode


def load_triage_case(actor: Actor, episode_id: int) -> TriageCase:
    episode = visible_episode(actor, episode_id)
    request = db.session.scalar(
        select(SupportRequest)
        .where(SupportRequest.episode_id == episode.id)
        .options(
            selectinload(SupportRequest.children).joinedload(SupportRequestChild.member),
            joinedload(SupportRequest.referrer_user),
            joinedload(SupportRequest.recorded_by),
            joinedload(SupportRequest.decided_by),
        )
    )
    if request is None:
        # Episodes come from requests; one without is not something triage can act on.
        raise EpisodeNotFound(episode_id)
    children = sorted(
        (link.member for link in request.children),
        key=lambda member: (member.date_of_birth or date.max, member.id),
    )
    started_at = db.session.scalar(
        select(func.max(TimelineEvent.occurred_at)).where(
            TimelineEvent.episode_id == episode.id,
            TimelineEvent.kind == EventKind.TRIAGE_STARTED.value,
        )
    )
    return TriageCase(
        episode=episode,
        family=episode.family,
        request=request,
        children=tuple(children),
        triage_started_at=started_at,
        today=uk_today(),
    )


def decided_while_open(actor: Actor, episode_id: int) -> TriageClosed | None:
    """The decision that took a request out of the Hub (and out of the coordinators'
    view) within a session's lifetime, so a page loaded before it could still be open.

    A coordinator who was deciding the same request is told who decided it and how;
    an older decision stays as hidden as the rest of the record.
    """
    request = db.session.scalar(
        select(SupportRequest)
        .where(SupportRequest.episode_id == episode_id)
        .options(joinedload(SupportRequest.decided_by), joinedload(SupportRequest.episode))
    )
    if request is None or request.decided_at is None:
        return None
    since = utcnow() - current_app.permanent_session_lifetime
    if request.decided_at < since:
        return None
    # Only someone who had this request open learns how it was decided.
    if not viewed_since(actor.user_id, "support_request", request.id, since):
        return None
    return TriageClosed(request, request.episode.status)


def open_triage(actor: Actor, episode_id: int) -> TriageCase:
    """The triage page's case; reading a request is recorded in the audit trail."""
    case = load_triage_case(actor, episode_id)
    record_view(actor, "support_request", case.request.id, case.family.id)
    return case


def start_triage(actor: Actor, episode_id: int, take_over_from: int | None = None) -> Episode:
    """Pick the request up, so other coordinators see it is being worked on.

    Taking over from another coordinator happens only when `take_over_from` names the
    coordinator who holds it now: a confirmation given for someone else is not enough.
    """
    case = load_triage_case(actor, episode_id)
    episode = case.episode
    if not can_triage(episode.status):
        raise TriageClosed(case.request, episode.status)
    if episode.status is EpisodeStatus.TRIAGE and episode.triage_by_id == actor.user_id:
        return episode
    holder = case.triage_by if case.held_by_someone_else(actor.user_id) else None
    if holder is not None and take_over_from != holder.id:
        raise TriageHeld(holder, case.triage_started_at)
    previous = episode.status
    episode.status = EpisodeStatus.TRIAGE
    episode.triage_by_id = actor.user_id
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.TRIAGE_STARTED,
        summary=(
            f"Triage taken over from {holder.name} by {actor.user.name}"
            if holder
            else f"Triage started by {actor.user.name}"
        ),
        actor_id=actor.user_id,
        detail={
            "from": previous.value,
            "to": EpisodeStatus.TRIAGE.value,
            "taken_over_from": holder.id if holder else None,
        },
    )
    audit_by(actor, "start_triage", "episode", object_id=episode.id, family_id=episode.family_id)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _what_changed(actor, episode_id) from None
    return episode


def _what_changed(actor: Actor, episode_id: int) -> Exception:
    """After a write lost to another in the same moment: who did what, as far as the
    person may know it."""
    try:
        current = load_triage_case(actor, episode_id)
    except EpisodeNotFound:
        return decided_while_open(actor, episode_id) or EpisodeNotFound(episode_id)
    if not can_triage(current.episode.status):
        return TriageClosed(current.request, current.episode.status)
    if current.triage_by is not None and current.held_by_someone_else(actor.user_id):
        return TriageHeld(current.triage_by, current.triage_started_at)
    return TriageConflict(episode_id)


def decide_triage(
    actor: Actor,
    episode_id: int,
    expected_version: int,
    choices: TriageChoices,
    *,
    at: datetime | None = None,
) -> Episode:
    """Record the Hub's decision on a request: levels, outcome, chronology, audit.
    `at` records a decision made earlier (say, agreed by phone); it defaults to now.

    Raises TriageInvalid (problems by form field), TriageClosed (decided already),
    TriageHeld (another coordinator has it), TriageConflict (the episode changed since
    `expected_version`), EpisodeNotFound (not the actor's to see); nothing is saved then.
    """
    framework: Framework = current_app.extensions["caseapp.framework"]
    case = load_triage_case(actor, episode_id)
    episode = case.episode
    if not can_triage(episode.status):
        raise TriageClosed(case.request, episode.status)
    if case.triage_by is not None and case.held_by_someone_else(actor.user_id):
        raise TriageHeld(case.triage_by, case.triage_started_at)
    if episode.version != expected_version:
        raise TriageConflict(episode_id)
    if {child.member_id for child in choices.children} != {child.id for child in case.children}:
        raise TriageInvalid(
            [Problem("outcome", "Record a level for each child named in the request")]
        )
    problems = triage_problems(choices, case.facts, framework)
    if problems or choices.outcome is None:
        raise TriageInvalid(problems)
    try:
        _stage_decision(actor, case, choices, choices.outcome, framework, at or utcnow())
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise _what_changed(actor, episode_id) from None
    return episode


def _stage_decision(
    actor: Actor,
    case: TriageCase,
    choices: TriageChoices,
    outcome: TriageOutcome,
    framework: Framework,
    now: datetime,
) -> None:
    episode, request = case.episode, case.request
    previous = episode.status
    target = STATUS_AFTER_TRIAGE[outcome]
    # The episode row is written first, so a concurrent decision or take-over waits on it
    # (or fails its version check) before anything else is touched.
    episode.triage_by_id = episode.triage_by_id or actor.user_id
    episode.hub_due_at = None
    if outcome is TriageOutcome.EARLY_HELP:
        deadlines = current_app.config["CASEAPP_DEADLINES"]
        episode.hub_due_at = working_days_deadline(
            now, deadlines.allocation_working_days, deadlines.working_day_ends
        )
    if outcome is TriageOutcome.STEP_UP:
        episode.urgent = True
    # Advice closes the episode below, with its reason, once the decision is recorded.
    if outcome is not TriageOutcome.ADVICE:
        episode.status = target
    flag_modified(episode, "status")
    db.session.flush()

    children = {child.id: child for child in case.children}
    levels: dict[str, str] = {}
    for choice in choices.children:
        stage_level_decision(
            actor,
            framework,
            children[choice.member_id],
            choice.level_code,
            choices.rationale,
            list(choice.indicator_codes),
            episode=episode,
            at=now,
        )
        levels[str(choice.member_id)] = choice.level_code

    request.decided_at = now
    request.decided_by_id = actor.user_id
    request.outcome = outcome
    # No column of its own: kept with the rationale, where everyone who reads it looks.
    reason = choices.outcome_reason.strip()
    request.decision_rationale = choices.rationale.strip() + (
        f"\n\nWhy this outcome: {reason}" if reason else ""
    )
    if outcome is TriageOutcome.STEP_UP:
        request.social_care_route = choices.social_care_route.strip()
        request.social_care_contacted = choices.social_care_contacted.strip()
    summary = f"Hub decision: {outcome.label}"
    if outcome is TriageOutcome.STEP_UP:
        summary += f" via {request.social_care_route}, spoke to {request.social_care_contacted}"
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.TRIAGE_DECIDED,
        summary=f"{summary}. {_shorten(request.decision_rationale, 300)}",
        actor_id=actor.user_id,
        occurred_at=now,
        detail={
            "outcome": outcome.value,
            "from": previous.value,
            "to": target.value,
            "rationale": request.decision_rationale,
            "outcome_reason": reason,
            "levels": levels,
            "social_care_route": request.social_care_route,
            "social_care_contacted": request.social_care_contacted,
        },
    )
    if case.outside_referrer and choices.referrer_told_on is not None:
        _stage_referrer_told(actor, case, choices.referrer_told_how, choices.referrer_told_on, now)
    audit_by(
        actor,
        "decide",
        "support_request",
        object_id=request.id,
        family_id=episode.family_id,
        detail={"outcome": outcome.value},
    )
    if outcome is TriageOutcome.ADVICE:
        stage_closure(actor, episode, ClosureReason.ADVICE_AND_SIGNPOSTING, at=now)


def _stage_referrer_told(
    actor: Actor, case: TriageCase, how: str, told_on: date, now: datetime
) -> None:
    request = case.request
    # Told today: the moment of recording is close enough. Told earlier: keep the day only.
    told_at = (
        now
        if told_on == case.today
        else datetime.combine(told_on, time(0, 0), tzinfo=UK_TIME).astimezone(UTC)
    )
    request.referrer_informed_at = told_at
    request.referrer_informed_how = REFERRER_TOLD_LABELS[how]
    referrer = request.referrer_name + (
        f" ({request.referrer_agency})" if request.referrer_agency else ""
    )
    add_timeline_event(
        family_id=case.episode.family_id,
        episode_id=case.episode.id,
        kind=EventKind.REFERRER_INFORMED,
        summary=(
            f"{referrer} told the outcome: {request.referrer_informed_how.lower()} on "
            f"{told_on.day} {told_on:%B %Y}"
        ),
        actor_id=actor.user_id,
        occurred_at=now,
        detail={"how": how, "told_on": told_on.isoformat()},
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
