"""Finding a family by a member's name, date of birth or the family's postcode.

Only families the searcher may see are matched, counted or listed: the need-to-know
condition is part of every query here, never a filter applied afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, aliased

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.names import name_key, postcode_key
from caseapp.extensions import db
from caseapp.models import Episode, Family, FamilyMember, User
from caseapp.models.types import uk_today
from caseapp.services.access import visible_family_ids
from caseapp.services.audit import record_reading
from caseapp.services.context import Actor
from caseapp.services.family_view import age_text

MIN_NAME_LETTERS = 2
# The start of a common surname matches hundreds of families in a large council. Past
# this many, a count and more pages say nothing more useful than "narrow the search".
MOST_COUNTED = 500
_FULL_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_PARTIAL_INWARD = re.compile(r"^[0-9][A-Z]{0,2}$")
_INWARD_LENGTH = 3


@dataclass(frozen=True)
class PostcodeQuery:
    """Which stored postcode keys a typed postcode matches.

    A whole postcode matches itself. An outward code ("MF1", or "MF1 2" with the start
    of the inward code) matches that district only: "MF1" must not also find "MF10 1AB",
    so the stored key's length is pinned to the outward code plus the 3-character
    inward code.
    """

    prefix: str
    # None for a whole postcode, matched exactly.
    outward_length: int | None


def parse_postcode_query(text: str) -> PostcodeQuery | None:
    """The postcode search `text` asks for, or None if it is not a postcode or part of one."""
    key = postcode_key(text)
    if _FULL_POSTCODE.match(key):
        return PostcodeQuery(prefix=key, outward_length=None)
    outward, _, inward = text.strip().upper().partition(" ")
    outward, inward = postcode_key(outward), postcode_key(inward)
    if not _OUTWARD_CODE.match(outward) or (inward and not _PARTIAL_INWARD.match(inward)):
        return None
    return PostcodeQuery(prefix=outward + inward, outward_length=len(outward))


@dataclass(frozen=True)
class FamilySearch:
    name: str = ""
    date_of_birth: date | None = None
    postcode: PostcodeQuery | None = None

    @property
    def fields_used(self) -> list[str]:
        """Which fields were filled in, for the audit trail: never what was typed."""
        used = {
            "name": bool(name_key(self.name)),
            "date_of_birth": self.date_of_birth is not None,
            "postcode": self.postcode is not None,
        }
        return [field for field, filled in used.items() if filled]

    @property
    def is_empty(self) -> bool:
        return not self.fields_used


@dataclass(frozen=True)
class ChildSummary:
    name: str
    age: str


@dataclass(frozen=True)
class FamilyResult:
    family_id: int
    name: str
    reference: str
    postcode: str
    locality: str
    children: list[ChildSummary]
    episode_status: EpisodeStatus | None
    lead_worker: str | None


@dataclass(frozen=True)
class SearchResults:
    results: list[FamilyResult]
    # At most MOST_COUNTED: the pages reach only that far.
    total: int
    page: int
    page_size: int
    # More families match than were counted.
    more: bool = False

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _starts_with(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    # A range rather than LIKE 'x%', which PostgreSQL's pattern-ops indexes serve: the
    # search should cost what the searcher's own families cost, never what every member
    # in the council whose name starts with the letters typed would. Keys hold nothing
    # but a-z, so every key that starts with `prefix` sorts between it and `prefix`
    # padded out to the column's width with "z".
    width = column.type.length or 255  # type: ignore[attr-defined]
    return and_(column >= prefix, column <= prefix.ljust(width, "z"))


def _name_condition(name: str) -> ColumnElement[bool]:
    whole = name_key(name)
    words = [key for key in (name_key(word) for word in name.replace(",", " ").split()) if key]
    conditions = [
        _starts_with(FamilyMember.name_key, whole),
        _starts_with(FamilyMember.family_name_key, whole),
    ]
    if len(words) > 1:
        # "Mai Tur" finds Maisie Turner; so does "Turner Mai", as records are often read
        # out surname first.
        conditions.append(
            and_(
                _starts_with(FamilyMember.name_key, "".join(words[:-1])),
                _starts_with(FamilyMember.family_name_key, words[-1]),
            )
        )
        conditions.append(
            and_(
                _starts_with(FamilyMember.family_name_key, words[0]),
                _starts_with(FamilyMember.name_key, "".join(words[1:])),
            )
        )
    return or_(*conditions)


def _postcode_condition(query: PostcodeQuery) -> ColumnElement[bool]:
    if query.outward_length is None:
        return Family.postcode_key == query.prefix
    upper = query.prefix.ljust(query.outward_length + _INWARD_LENGTH, "Z")
    return and_(
        Family.postcode_key >= query.prefix,
        Family.postcode_key <= upper,
        func.length(Family.postcode_key) == query.outward_length + _INWARD_LENGTH,
    )


def _conditions(user: User, search: FamilySearch) -> list[ColumnElement[bool]]:
    # The search starts from the families the person may see (a caseload, a team, the Hub
    # queue), never from every member in the council whose name starts with the letters
    # typed: that set grows with the council, the person's own does not.
    visible = visible_family_ids(user)
    if visible is None:
        return [false()]
    member_conditions = []
    if name_key(search.name):
        member_conditions.append(_name_condition(search.name))
    if search.date_of_birth is not None:
        member_conditions.append(FamilyMember.date_of_birth == search.date_of_birth)
    families = visible
    if member_conditions:
        # Name and date of birth must belong to the same person.
        families = select(FamilyMember.family_id).where(
            FamilyMember.family_id.in_(visible), *member_conditions
        )
    conditions = [Family.id.in_(families)]
    if search.postcode is not None:
        conditions.append(_postcode_condition(search.postcode))
    return conditions


def search_families(
    actor: Actor,
    search: FamilySearch,
    page: int,
    page_size: int,
    now: datetime | None = None,
) -> SearchResults:
    """One page of the families `actor` may see that match `search`; the search is audited.

    An empty search matches nothing rather than everything: nobody should be able to
    list every family by pressing Search.
    """
    if search.is_empty:
        return SearchResults(results=[], total=0, page=1, page_size=page_size)
    conditions = _conditions(actor.user, search)
    today = uk_today(now)
    # Pages past what is counted are never read.
    page = max(1, min(page, -(-MOST_COUNTED // page_size)))
    results, counted = _page(conditions, page, page_size, today)
    if not results and page > 1:
        # A link to a page past the end (fewer families match now): show the last page.
        counted = db.session.scalar(select(func.count(Family.id)).where(*conditions)) or 0
        page = max(1, -(-min(counted, MOST_COUNTED) // page_size))
        results, counted = _page(conditions, page, page_size, today)
    total = min(counted, MOST_COUNTED)
    more = counted > MOST_COUNTED
    detail: dict[str, object] = {"fields": search.fields_used, "results": total, "page": page}
    if more:
        detail["more"] = True
    record_reading(actor, "search", "family", detail=detail)
    return SearchResults(results=results, total=total, page=page, page_size=page_size, more=more)


# Aliased so that the need-to-know subqueries, which select from episodes and users too,
# are never correlated with the page's joins. Made once: making them costs more than
# building and running the rest of the page's statement.
_OPEN_EPISODE = aliased(Episode, name="open_episode")
_LEAD_WORKER = aliased(User, name="lead_worker")
_CHILD = aliased(FamilyMember, name="child")


def _page(
    conditions: list[ColumnElement[bool]], page: int, page_size: int, today: date
) -> tuple[list[FamilyResult], int]:
    """One page of the matching families in name order, with their children, open episode
    and lead worker, and how many families match: all in one statement, a row for each
    child (one for a family with none). No rows, so no count, for a page past the end."""
    offset = (page - 1) * page_size
    page_ids = (
        # Counted over every match before the page is cut, so no second statement repeats
        # the search. (A count stopped early by a LIMIT led PostgreSQL's generic plan for
        # the prepared statement to walk every family: ~250 ms for a manager at 100,000.)
        select(Family.id, func.count().over().label("matching"))
        .where(*conditions)
        .order_by(Family.name, Family.id)
        .limit(min(page_size, MOST_COUNTED - offset))
        .offset(offset)
        .subquery()
    )
    episode, lead_worker, child = _OPEN_EPISODE, _LEAD_WORKER, _CHILD
    rows = db.session.execute(
        select(Family, episode.status, lead_worker.name, child, page_ids.c.matching)
        .join(page_ids, page_ids.c.id == Family.id)
        # A family has at most one open episode (uq_episodes_one_open_per_family), so
        # this join repeats a family only once per child.
        .outerjoin(episode, and_(episode.family_id == Family.id, episode.closed_at.is_(None)))
        .outerjoin(lead_worker, lead_worker.id == episode.lead_worker_id)
        .outerjoin(child, and_(child.family_id == Family.id, child.is_child.is_(True)))
        .order_by(Family.name, Family.id, child.date_of_birth, child.id)
    )
    counted = 0
    results: dict[int, FamilyResult] = {}
    for family, status, lead_name, member, matching in rows:
        counted = matching  # the same on every row
        result = results.get(family.id)
        if result is None:
            result = results[family.id] = FamilyResult(
                family_id=family.id,
                name=family.name,
                reference=family.reference,
                postcode=family.postcode,
                locality=family.locality,
                children=[],
                episode_status=status,
                lead_worker=lead_name,
            )
        if member is not None:
            age = age_text(member.date_of_birth, today) if member.date_of_birth else ""
            result.children.append(ChildSummary(name=member.full_name, age=age))
    return list(results.values()), counted
