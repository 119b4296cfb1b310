"""Finding a family by a member's name, date of birth or the family's postcode.

Only families the searcher may see are matched, counted or listed: the need-to-know
condition is part of every query here, never a filter applied afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.names import name_key, postcode_key
from caseapp.extensions import db
from caseapp.models import Episode, Family, FamilyMember, User
from caseapp.models.types import uk_today
from caseapp.services.access import visible_families
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.family_view import age_text

MIN_NAME_LETTERS = 2
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
    total: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _starts_with(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    # A range rather than LIKE 'x%': PostgreSQL only uses a plain b-tree index for LIKE
    # under the C collation. Keys hold nothing but a-z, so every key that starts with
    # `prefix` sorts between it and `prefix` padded out to the column's width with "z".
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
    conditions = [visible_families(user)]
    member_conditions = []
    if name_key(search.name):
        member_conditions.append(_name_condition(search.name))
    if search.date_of_birth is not None:
        member_conditions.append(FamilyMember.date_of_birth == search.date_of_birth)
    if member_conditions:
        # Name and date of birth must belong to the same person.
        conditions.append(Family.id.in_(select(FamilyMember.family_id).where(*member_conditions)))
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
    total = db.session.scalar(select(func.count(Family.id)).where(*conditions)) or 0
    page = max(1, min(page, max(1, -(-total // page_size))))
    families = list(
        db.session.scalars(
            select(Family)
            .where(*conditions)
            .order_by(Family.name, Family.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    )
    results = _summaries(families, uk_today(now))
    audit_by(
        actor,
        "search",
        "family",
        detail={"fields": search.fields_used, "results": total, "page": page},
    )
    db.session.commit()
    return SearchResults(results=results, total=total, page=page, page_size=page_size)


def _summaries(families: list[Family], today: date) -> list[FamilyResult]:
    if not families:
        return []
    ids = [family.id for family in families]
    children: dict[int, list[ChildSummary]] = {family_id: [] for family_id in ids}
    for child in db.session.scalars(
        select(FamilyMember)
        .where(FamilyMember.family_id.in_(ids), FamilyMember.is_child.is_(True))
        .order_by(FamilyMember.date_of_birth, FamilyMember.id)
    ):
        age = age_text(child.date_of_birth, today) if child.date_of_birth else ""
        children[child.family_id].append(ChildSummary(name=child.full_name, age=age))
    open_episodes = {
        episode.family_id: episode
        for episode in db.session.scalars(
            select(Episode)
            .where(Episode.family_id.in_(ids), Episode.closed_at.is_(None))
            .options(joinedload(Episode.lead_worker).lazyload(User.role_rows))
        )
    }
    results = []
    for family in families:
        episode = open_episodes.get(family.id)
        lead = episode.lead_worker if episode is not None else None
        results.append(
            FamilyResult(
                family_id=family.id,
                name=family.name,
                reference=family.reference,
                postcode=family.postcode,
                locality=family.locality,
                children=children[family.id],
                episode_status=episode.status if episode is not None else None,
                lead_worker=lead.name if lead is not None else None,
            )
        )
    return results
