"""Reading a family record: everything the family page shows, in a fixed number of queries.

Each function checks need-to-know first, reads, and then records the view in the audit
trail, whose commit ends the reading transaction and keeps what the page will render.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Date, Integer, Select, bindparam, select, tuple_
from sqlalchemy.orm import aliased, joinedload

from caseapp.config import DeadlineSettings
from caseapp.domain.deadlines import Deadline, EpisodeFacts, episode_deadlines
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.frameworks import Framework, Level
from caseapp.models import (
    Assignment,
    Consent,
    Episode,
    Family,
    FamilyMember,
    LevelDecision,
    SupportRequest,
    TimelineEvent,
    User,
)
from caseapp.models.types import uk_today
from caseapp.services.access import family_if_visible
from caseapp.services.audit import record_view
from caseapp.services.caseload import deadline_facts, with_deadline_facts
from caseapp.services.context import Actor

TIMELINE_PAGE_SIZE = 20
# The newest events beside each section of a family's record.
LATEST_EVENTS_SIZE = 6

_CURSOR = re.compile(r"^(\d{1,18})_(\d{1,10})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A hand-made cursor must fail as a bad request, not overflow a date or an INTEGER id.
_LATEST_MICROS = (datetime(9999, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(microseconds=1)
_LARGEST_ID = 2**31 - 1


@dataclass(frozen=True)
class TimelineCursor:
    """The last event shown: the next page starts strictly after it, newest first.

    Both parts are needed because several events can share a timestamp (a triage writes
    one per child in the same instant); the id breaks the tie the same way the index does.
    """

    occurred_at: datetime
    event_id: int

    def encode(self) -> str:
        micros = (self.occurred_at - _EPOCH) // timedelta(microseconds=1)
        return f"{micros}_{self.event_id}"

    @classmethod
    def decode(cls, text: str) -> TimelineCursor:
        match = _CURSOR.match(text)
        if match is None:
            raise ValueError(f"not a timeline cursor: {text!r}")
        micros, event_id = (int(part) for part in match.groups())
        if micros > _LATEST_MICROS or event_id > _LARGEST_ID:
            raise ValueError(f"timeline cursor out of range: {text!r}")
        return cls(_EPOCH + timedelta(microseconds=micros), event_id)


@dataclass(frozen=True)
class TimelineEntry:
    occurred_at: datetime
    who: str
    what: str
    summary: str

    @property
    def summary_says_what(self) -> bool:
        """Many summaries open with the kind's label; saying it twice is noise."""
        return self.summary.casefold().startswith(self.what.casefold())


@dataclass(frozen=True)
class TimelinePage:
    family: Family
    entries: list[TimelineEntry]
    next_cursor: TimelineCursor | None
    # Set when this page continues from an earlier one.
    before: TimelineCursor | None = None


@dataclass(frozen=True)
class IndicatorView:
    domain: str
    text: str


@dataclass(frozen=True)
class LevelChange:
    decided_at: datetime
    level: str
    previous_level: str | None
    decided_by: str
    rationale: str
    indicators: list[IndicatorView]


@dataclass(frozen=True)
class ChildView:
    member: FamilyMember
    age: str
    level: Level | None
    # A level code the framework in force does not know (it came from an earlier one).
    unknown_level_code: str | None
    history: list[LevelChange]


@dataclass(frozen=True)
class AssignmentView:
    assignment: Assignment
    # The episode's first lead worker needs no reason; every later change does.
    first_in_episode: bool


@dataclass(frozen=True)
class OpenEpisodeView:
    episode: Episode
    lead_since: datetime | None
    deadlines: list[Deadline]
    support_request: SupportRequest | None

    @property
    def has_overdue(self) -> bool:
        return any(deadline.overdue for deadline in self.deadlines)


@dataclass(frozen=True)
class FamilyPage:
    family: Family
    children: list[ChildView]
    adults: list[FamilyMember]
    open_episode: OpenEpisodeView | None
    closed_episodes: list[Episode]
    assignments: list[AssignmentView]
    timeline: TimelinePage
    # Set when the open episode's most recent consent has been withdrawn.
    consent_withdrawn_on: date | None


# The family page's statements that need no building per family, made once: putting a
# statement together costs about what the database takes to answer these.
_ASSIGNMENTS = (
    select(Assignment)
    .where(Assignment.episode_id.in_(bindparam("episode_ids", expanding=True)))
    .options(
        joinedload(Assignment.lead_worker).lazyload(User.role_rows),
        joinedload(Assignment.assigned_by).lazyload(User.role_rows),
    )
    .order_by(Assignment.assigned_at.desc(), Assignment.id.desc())
)
_SUPPORT_REQUEST = select(SupportRequest).where(
    SupportRequest.episode_id == bindparam("episode_id")
)
_LEVEL_DECISIONS = (
    select(LevelDecision)
    .where(LevelDecision.member_id.in_(bindparam("member_ids", expanding=True)))
    .options(joinedload(LevelDecision.decided_by).lazyload(User.role_rows))
    .order_by(LevelDecision.decided_at.desc(), LevelDecision.id.desc())
)
# Asked on every page of a family's record: made once.
_LATEST_CONSENT_WITHDRAWN_ON = (
    select(Consent.withdrawn_on)
    .where(Consent.episode_id == bindparam("episode_id"))
    .order_by(Consent.given_on.desc(), Consent.id.desc())
    .limit(1)
)


def age_text(born: date, today: date) -> str:
    """Age as practitioners say it: months for babies and toddlers, years after."""
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months < 0:
        return "Not born yet"
    if months < 24:
        return f"{months} month{'' if months == 1 else 's'}"
    years = months // 12
    return f"{years} years"


def view_family(
    actor: Actor,
    family_id: int,
    framework: Framework,
    settings: DeadlineSettings,
    now: datetime | None = None,
) -> FamilyPage | None:
    """The family page for `actor`, or None if they may not see this family."""
    family = family_if_visible(actor.user, family_id, with_members=True)
    if family is None:
        return None
    now = now or datetime.now(UTC)
    rows = (
        db.session.execute(_episodes_query(), {"family_id": family_id, "today": uk_today(now)})
        .unique()
        .all()
    )
    episodes = [row.Episode for row in rows]
    assignments = _assignments(episodes)
    open_row = next((row for row in rows if row.Episode.closed_at is None), None)
    open_episode = (
        (open_row.Episode, deadline_facts(open_row.Episode, open_row)) if open_row else None
    )
    page = FamilyPage(
        family=family,
        children=_children(family, framework, uk_today(now)),
        adults=[member for member in family.members if not member.is_child],
        open_episode=_open_episode_view(open_episode, assignments, settings, now),
        closed_episodes=[episode for episode in episodes if episode.closed_at is not None],
        assignments=_assignment_views(assignments),
        timeline=timeline_page(family, before=None),
        # Shown in the page's frame: read here, so it is in the transaction the record ends.
        consent_withdrawn_on=consent_withdrawn_on(open_row.Episode if open_row else None),
    )
    record_view(actor, "family", family_id, family_id)
    return page


@cache
def _episodes_query() -> Select[Any]:
    """The family's episodes, newest first, for the parameters `family_id` and `today`; the
    open episode's deadline facts come in the same statement. Built once: putting together
    its subqueries took longer than the database takes to answer it."""
    family_id = bindparam("family_id")
    this_family = aliased(Episode, name="this_family")
    open_episode_id = select(this_family.id).where(
        this_family.family_id == family_id, this_family.closed_at.is_(None)
    )
    return with_deadline_facts(
        select(Episode)
        .where(Episode.family_id == family_id)
        .options(
            joinedload(Episode.team),
            joinedload(Episode.lead_worker).lazyload(User.role_rows),
            joinedload(Episode.triage_by).lazyload(User.role_rows),
        )
        .order_by(Episode.opened_at.desc(), Episode.id.desc()),
        open_episode_id,
        bindparam("today", type_=Date),
    )


def view_timeline(
    actor: Actor, family_id: int, before: TimelineCursor | None
) -> TimelinePage | None:
    """The page of the family's timeline after `before`, or None if it is not visible."""
    return _viewed_timeline(actor, family_id, lambda family: timeline_page(family, before))


def view_latest_events(actor: Actor, family_id: int) -> TimelinePage | None:
    """The newest events of the family's chronology, or None if it is not visible."""
    return _viewed_timeline(actor, family_id, latest_events)


def _viewed_timeline(
    actor: Actor, family_id: int, read: Callable[[Family], TimelinePage]
) -> TimelinePage | None:
    family = family_if_visible(actor.user, family_id, with_members=False)
    if family is None:
        return None
    page = read(family)
    record_view(actor, "timeline", family_id, family_id)
    return page


def consent_withdrawn_on(episode: Episode | None) -> date | None:
    """When the family withdrew the episode's most recent consent, if they have."""
    if episode is None:
        return None
    return db.session.scalar(_LATEST_CONSENT_WITHDRAWN_ON, {"episode_id": episode.id})


def latest_events(family: Family) -> TimelinePage:
    """The panel of newest events shown beside every section of a family's record; the
    caller has already checked (and audited) that the family may be seen."""
    return timeline_page(family, before=None, size=LATEST_EVENTS_SIZE)


def timeline_page(
    family: Family, before: TimelineCursor | None, size: int = TIMELINE_PAGE_SIZE
) -> TimelinePage:
    parameters: dict[str, Any] = {"family_id": family.id, "size": size + 1}
    if before is not None:
        parameters |= {"before_at": before.occurred_at, "before_id": before.event_id}
    query = _timeline_query(after_cursor=before is not None)
    events = list(db.session.scalars(query, parameters))
    shown = events[:size]
    next_cursor = (
        TimelineCursor(shown[-1].occurred_at, shown[-1].id) if len(events) > size else None
    )
    return TimelinePage(
        family=family,
        entries=[timeline_entry(event) for event in shown],
        next_cursor=next_cursor,
        before=before,
    )


@cache
def _timeline_query(after_cursor: bool) -> Select[tuple[TimelineEvent]]:
    """A page of a family's events, newest first, for `family_id` and `size` (and the
    cursor's `before_at` and `before_id`): built once, as every family page asks."""
    query = (
        select(TimelineEvent)
        .where(TimelineEvent.family_id == bindparam("family_id"))
        .options(joinedload(TimelineEvent.actor).lazyload(User.role_rows))
        # Newest first along ix_timeline_events_family_occurred, read backwards.
        .order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc())
        .limit(bindparam("size", type_=Integer))
    )
    if after_cursor:
        # A row comparison, so PostgreSQL seeks straight to the cursor in the index
        # instead of reading and discarding every newer event.
        query = query.where(
            tuple_(TimelineEvent.occurred_at, TimelineEvent.id)
            < tuple_(
                bindparam("before_at", type_=TimelineEvent.occurred_at.type),
                bindparam("before_id", type_=TimelineEvent.id.type),
            )
        )
    return query


def timeline_entry(event: TimelineEvent) -> TimelineEntry:
    """An event as every chronology words it: when, who (with agency) and what."""
    try:
        what = EventKind(event.kind).label
    except ValueError:  # a kind written by a newer release than this one
        what = event.kind.replace("_", " ").capitalize()
    who = event.actor.name if event.actor is not None else "Recorded by the system"
    if event.actor is not None and event.actor.agency is not None:
        who = f"{who}, {event.actor.agency.name}"
    return TimelineEntry(occurred_at=event.occurred_at, who=who, what=what, summary=event.summary)


def _assignments(episodes: list[Episode]) -> list[Assignment]:
    if not episodes:
        return []
    episode_ids = [episode.id for episode in episodes]
    return list(db.session.scalars(_ASSIGNMENTS, {"episode_ids": episode_ids}).unique())


def _assignment_views(assignments: list[Assignment]) -> list[AssignmentView]:
    # Newest first, so an episode's first assignment is the last of its rows.
    seen: set[int] = set()
    views = []
    for assignment in reversed(assignments):
        views.append(AssignmentView(assignment, assignment.episode_id not in seen))
        seen.add(assignment.episode_id)
    return views[::-1]


def _open_episode_view(
    open_episode: tuple[Episode, EpisodeFacts] | None,
    assignments: list[Assignment],
    settings: DeadlineSettings,
    now: datetime,
) -> OpenEpisodeView | None:
    if open_episode is None:
        return None
    episode, facts = open_episode
    current = next(
        (
            assignment
            for assignment in assignments
            if assignment.episode_id == episode.id and assignment.ended_at is None
        ),
        None,
    )
    support_request = db.session.scalar(_SUPPORT_REQUEST, {"episode_id": episode.id})
    return OpenEpisodeView(
        episode=episode,
        lead_since=current.assigned_at if current else None,
        deadlines=episode_deadlines(facts, settings, now),
        support_request=support_request,
    )


def _children(family: Family, framework: Framework, today: date) -> list[ChildView]:
    children = [member for member in family.members if member.is_child]
    if not children:
        return []
    decisions = db.session.scalars(
        _LEVEL_DECISIONS, {"member_ids": [child.id for child in children]}
    )
    history: dict[int, list[LevelChange]] = {child.id: [] for child in children}
    for decision in decisions:
        history[decision.member_id].append(_level_change(decision, framework))
    views = []
    for child in children:
        code = child.current_level_code
        known = code is not None and framework.has_level(code)
        views.append(
            ChildView(
                member=child,
                age=age_text(child.date_of_birth, today) if child.date_of_birth else "",
                level=framework.level(code) if known and code else None,
                unknown_level_code=code if code is not None and not known else None,
                history=history[child.id],
            )
        )
    return views


def _level_change(decision: LevelDecision, framework: Framework) -> LevelChange:
    # Decisions made under another council's framework keep their codes, not our names.
    same_framework = decision.framework_key == framework.key

    def level_name(code: str) -> str:
        return framework.level(code).name if same_framework and framework.has_level(code) else code

    indicators = []
    for code in decision.indicator_codes:
        if same_framework and framework.has_indicator(code):
            indicator = framework.indicator(code)
            indicators.append(
                IndicatorView(domain=framework.domain(indicator.domain).name, text=indicator.text)
            )
        else:
            indicators.append(IndicatorView(domain="", text=code))
    return LevelChange(
        decided_at=decision.decided_at,
        level=level_name(decision.level_code),
        previous_level=level_name(decision.previous_level_code)
        if decision.previous_level_code
        else None,
        decided_by=decision.decided_by.name,
        rationale=decision.rationale,
        indicators=indicators,
    )
