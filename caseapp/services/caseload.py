"""A lead worker's open families, what is due next on each, and which are new to them.

What an episode's records say about its deadlines (the first completed EHA, the latest
TAF meeting held and the date it agreed, the plan's open actions) is read with one
GROUP BY subquery per kind of record, joined onto the query of episodes, so a page costs
the same statements however many families it shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    Date,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import aliased
from sqlalchemy.orm.attributes import set_committed_value

from caseapp.config import DeadlineSettings
from caseapp.domain.casework import ActionStatus, AssessmentStatus, MeetingStatus
from caseapp.domain.deadlines import Deadline, DeadlineState, EpisodeFacts, episode_deadlines
from caseapp.domain.queue_rules import describe_age
from caseapp.extensions import db
from caseapp.models import (
    Assessment,
    Assignment,
    Episode,
    Family,
    FamilyMember,
    PlanAction,
    TafMeeting,
    User,
)
from caseapp.models.types import uk_today
from caseapp.services.audit import record_listing
from caseapp.services.context import Actor

OPEN_ACTION_STATUSES = [status for status in ActionStatus if status.is_open]
# The columns with_deadline_facts() adds, named as the EpisodeFacts fields they fill.
_FACT_COLUMNS = (
    "eha_completed_at",
    "last_taf_held_at",
    "next_taf_agreed_on",
    "next_action_due_on",
    "overdue_actions",
)


def with_deadline_facts(
    query: Select[Any], episode_ids: Select[Any], today: date | BindParameter[date]
) -> Select[Any]:
    """`query`, a select over Episode, with the columns deadline_facts() reads.

    Each subquery aggregates only the episodes in `episode_ids` (a select of ids over
    its own alias of Episode, so it is never correlated with `query`), which keeps each
    one on its table's episode index instead of grouping every family's records.
    """
    eha = (
        select(
            Assessment.episode_id,
            func.min(Assessment.completed_at).label("eha_completed_at"),
        )
        .where(
            Assessment.episode_id.in_(episode_ids),
            Assessment.status == AssessmentStatus.COMPLETED,
        )
        .group_by(Assessment.episode_id)
        .subquery("eha")
    )
    last_held = (
        select(TafMeeting.episode_id, func.max(TafMeeting.at).label("held_at"))
        .where(TafMeeting.episode_id.in_(episode_ids), TafMeeting.status == MeetingStatus.HELD)
        .group_by(TafMeeting.episode_id)
        .subquery("last_held")
    )
    # The date the latest meeting held agreed for the next one (the later date, should two
    # meetings have been recorded at the same moment).
    last_taf = (
        select(
            TafMeeting.episode_id,
            last_held.c.held_at.label("last_taf_held_at"),
            func.max(TafMeeting.next_meeting_on).label("next_taf_agreed_on"),
        )
        .join(
            last_held,
            and_(
                last_held.c.episode_id == TafMeeting.episode_id,
                last_held.c.held_at == TafMeeting.at,
            ),
        )
        .where(TafMeeting.status == MeetingStatus.HELD)
        .group_by(TafMeeting.episode_id, last_held.c.held_at)
        .subquery("last_taf")
    )
    actions = (
        select(
            PlanAction.episode_id,
            func.min(PlanAction.due_on).label("next_action_due_on"),
            # COUNT skips the NULL that CASE gives for actions not yet due.
            func.count(case((PlanAction.due_on < today, 1))).label("overdue_actions"),
        )
        .where(
            PlanAction.episode_id.in_(episode_ids),
            PlanAction.status.in_(OPEN_ACTION_STATUSES),
        )
        .group_by(PlanAction.episode_id)
        .subquery("open_actions")
    )
    return (
        query.add_columns(
            eha.c.eha_completed_at,
            last_taf.c.last_taf_held_at,
            last_taf.c.next_taf_agreed_on,
            actions.c.next_action_due_on,
            func.coalesce(actions.c.overdue_actions, 0).label("overdue_actions"),
        )
        .outerjoin(eha, eha.c.episode_id == Episode.id)
        .outerjoin(last_taf, last_taf.c.episode_id == Episode.id)
        .outerjoin(actions, actions.c.episode_id == Episode.id)
    )


def deadline_facts(episode: Episode, row: Row[Any]) -> EpisodeFacts:
    """The facts of `episode` from its row of a query made with with_deadline_facts()."""
    columns = row._mapping
    return EpisodeFacts(
        status=episode.status,
        hub_due_at=episode.hub_due_at,
        allocated_at=episode.allocated_at,
        **{name: columns[name] for name in _FACT_COLUMNS},
    )


@dataclass(frozen=True)
class CaseloadChild:
    given_name: str
    # The framework's code for the child's level of need; None until one is decided.
    level_code: str | None
    age: str


@dataclass(frozen=True)
class CaseloadItem:
    family: Family
    episode: Episode
    # Eldest first.
    children: list[CaseloadChild]
    # Soonest (most overdue) first.
    deadlines: list[Deadline]
    # Given to this lead worker since they last opened their caseload.
    new: bool

    @property
    def next_due(self) -> Deadline | None:
        return self.deadlines[0] if self.deadlines else None

    @property
    def shown_deadlines(self) -> list[Deadline]:
        """What the row lists: everything overdue or due soon, else only the next thing."""
        pressing = [
            deadline for deadline in self.deadlines if deadline.state is not DeadlineState.OK
        ]
        return pressing or self.deadlines[:1]

    @property
    def overdue(self) -> bool:
        return self.next_due is not None and self.next_due.overdue

    @property
    def due_soon(self) -> bool:
        """Due soon, and nothing overdue: each family is counted once, by its worst."""
        return self.next_due is not None and self.next_due.due_soon


@dataclass(frozen=True)
class Caseload:
    items: list[CaseloadItem]
    # When the person last opened their caseload before now; None if never.
    previous_visit: datetime | None

    @property
    def overdue_count(self) -> int:
        return sum(item.overdue for item in self.items)

    @property
    def due_soon_count(self) -> int:
        return sum(item.due_soon for item in self.items)

    @property
    def new_items(self) -> list[CaseloadItem]:
        return [item for item in self.items if item.new]


def _urgency(item: CaseloadItem) -> tuple[float, str, int]:
    # The soonest deadline first puts the most overdue at the top, then what is due
    # soonest; families with nothing due sink to the bottom.
    due = item.next_due.due_at.timestamp() if item.next_due else float("inf")
    return (due, item.family.name, item.family.id)


def caseload_for(actor: Actor, settings: DeadlineSettings, now: datetime) -> Caseload:
    """The actor's open families, most urgent first, marking those given to them since
    their last visit; and this visit becomes the last one.

    The visit is recorded, with the listing's audit event, after the caseload is read:
    its commit ends the reading transaction. The families are marked new against the
    visit before, so the page that records the visit still shows them as new; the next
    one does not. Two statements read it all, whatever the caseload's size: the episodes
    with their families and deadline facts, then their children.
    """
    user = actor.user
    user_id, previous_visit = user.id, user.caseload_seen_at
    today = uk_today(now)
    parameters = {"lead_worker_id": user_id, "today": today}
    rows = db.session.execute(_caseload_query(), parameters).all()
    children = _children_of([row.Family.id for row in rows], today)
    items = [
        CaseloadItem(
            family=row.Family,
            episode=row.Episode,
            children=children[row.Family.id],
            deadlines=episode_deadlines(deadline_facts(row.Episode, row), settings, now),
            new=_new_since(row.lead_since, previous_visit),
        )
        for row in rows
    ]
    _mark_visit(user, now)
    record_listing(actor, "caseload", {})
    return Caseload(sorted(items, key=_urgency), previous_visit)


def _mark_visit(user: User, now: datetime) -> None:
    """This visit becomes the person's last, by an UPDATE of that one column. As a
    change to the loaded User it went through the session's unit of work, whose flush
    cost about a millisecond more on this page than the UPDATE itself."""
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(caseload_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(user, "caseload_seen_at", now)


@cache
def _caseload_query() -> Select[Any]:
    """A lead worker's open episodes with their families, current assignments and deadline
    facts, for the parameters `lead_worker_id` and `today`. Built once: putting together
    its subqueries took longer than the database takes to answer it."""
    lead_worker_id = bindparam("lead_worker_id")
    mine = aliased(Episode, name="mine")
    my_episode_ids = select(mine.id).where(
        mine.lead_worker_id == lead_worker_id, mine.closed_at.is_(None)
    )
    query = (
        select(Episode, Family, Assignment.assigned_at.label("lead_since"))
        .join(Family, Family.id == Episode.family_id)
        # The one current assignment: when this episode became this person's.
        .outerjoin(
            Assignment,
            and_(Assignment.episode_id == Episode.id, Assignment.ended_at.is_(None)),
        )
        .where(Episode.lead_worker_id == lead_worker_id, Episode.closed_at.is_(None))
    )
    return with_deadline_facts(query, my_episode_ids, bindparam("today", type_=Date))


def _new_since(lead_since: datetime | None, previous_visit: datetime | None) -> bool:
    # Someone who has never opened their caseload has not seen any of it yet.
    if previous_visit is None:
        return True
    return lead_since is not None and lead_since > previous_visit


def _children_of(family_ids: list[int], today: date) -> dict[int, list[CaseloadChild]]:
    children: dict[int, list[CaseloadChild]] = defaultdict(list)
    if not family_ids:
        return children
    # Only what the row shows, not whole member records.
    members = db.session.execute(
        select(
            FamilyMember.family_id,
            FamilyMember.given_name,
            FamilyMember.current_level_code,
            FamilyMember.date_of_birth,
        )
        .where(FamilyMember.family_id.in_(family_ids), FamilyMember.is_child.is_(True))
        # Eldest first, as on the family page.
        .order_by(FamilyMember.date_of_birth, FamilyMember.id)
    )
    for member in members:
        age = describe_age(member.date_of_birth, today) if member.date_of_birth else ""
        children[member.family_id].append(
            CaseloadChild(member.given_name, member.current_level_code, age)
        )
    return children
