"""Reading the audit trail: a family's access log for managers, and the admin search.

Both only read audit rows (who, when, what, which record id, from where), never case
content, and reading them is itself written to the trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select

from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import AuditEvent, Family, User
from caseapp.services.access import visible_families
from caseapp.services.audit import record_reading, record_view
from caseapp.services.context import Actor
from caseapp.services.family_view import TimelineCursor

# How each action reads in a sentence about a person ("Gemma Clarke viewed the family page").
ACTION_LABELS: dict[str, str] = {
    "sign_in": "signed in",
    "sign_in_failed": "failed to sign in",
    "sign_in_throttled": "was stopped from signing in after too many attempts",
    "sign_out": "signed out",
    "view": "viewed",
    "search": "searched",
    "create": "created",
    "update": "changed",
    "start_triage": "picked up for triage",
    "decide": "recorded the Hub decision on",
    "enable": "enabled",
    "disable": "disabled",
}

OBJECT_LABELS: dict[str, str] = {
    "family": "the family record",
    "family_member": "a family member",
    "timeline": "the family timeline",
    "support_request": "the request for support",
    "episode": "the episode",
    "assignment": "the lead worker",
    "level_of_need": "a child's level of need",
    "access_log": "who has accessed this record",
    "audit_log": "the audit log",
    "user": "a staff account",
}

# Where the general sentence would be vague, the words a manager would use.
PHRASES: dict[tuple[str, str], str] = {
    ("view", "family"): "viewed the family page",
    ("view", "episode"): "viewed the family to allocate a lead worker",
    ("view", "access_log"): "viewed who has accessed this record",
    ("create", "support_request"): "recorded a request for support",
    ("create", "episode"): "opened an episode",
    ("update", "assignment"): "changed the lead worker",
    ("update", "level_of_need"): "recorded a child's level of need",
    ("start_triage", "episode"): "picked the request up for triage",
    ("decide", "support_request"): "recorded the Hub decision",
    ("search", "family"): "searched for families",
    ("search", "audit_log"): "searched the audit log",
}


def describe(action: str, object_type: str) -> str:
    phrase = PHRASES.get((action, object_type))
    if phrase is not None:
        return phrase
    verb = ACTION_LABELS.get(action, action.replace("_", " "))
    if object_type == "user" and action.startswith("sign_"):
        return verb
    return f"{verb} {OBJECT_LABELS.get(object_type, object_type.replace('_', ' '))}"


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    who: str
    who_email: str
    action: str
    object_type: str
    object_id: int | None
    family_id: int | None
    remote_addr: str

    @property
    def what(self) -> str:
        return describe(self.action, self.object_type)

    @property
    def family_reference(self) -> str:
        return f"F{self.family_id:06d}" if self.family_id is not None else ""


def _rows_query() -> Select[Any]:
    # One statement per page: the person's name comes with each row through the join.
    return select(
        AuditEvent.id,
        AuditEvent.at,
        User.name,
        User.email,
        AuditEvent.action,
        AuditEvent.object_type,
        AuditEvent.object_id,
        AuditEvent.family_id,
        AuditEvent.remote_addr,
    ).outerjoin(User, User.id == AuditEvent.user_id)


def _row(values: Row[Any]) -> AuditRow:
    id_, at, name, email, action, object_type, object_id, family_id, remote_addr = values
    return AuditRow(
        id=id_,
        at=at,
        who=name or "Unknown person",
        who_email=email or "",
        action=action,
        object_type=object_type,
        object_id=object_id,
        family_id=family_id,
        remote_addr=remote_addr,
    )


# --- a family's access log -----------------------------------------------------------------


@dataclass(frozen=True)
class AccessLogPage:
    family_id: int
    family_name: str
    rows: list[AuditRow]
    older: TimelineCursor | None  # where the next page starts; None on the last page

    @property
    def reference(self) -> str:
        return f"F{self.family_id:06d}"


def family_access_log(
    actor: Actor, family_id: int, before: TimelineCursor | None, page_size: int
) -> AccessLogPage | None:
    """Who has read or changed this family's record, newest first; None if not visible."""
    family_name = db.session.scalar(
        select(Family.name).where(Family.id == family_id, visible_families(actor.user))
    )
    if family_name is None:
        return None
    query = _rows_query().where(AuditEvent.family_id == family_id)
    if before is not None:
        # Keyset on (at, id) walks the (family_id, at) index however long the log grows.
        query = query.where(
            or_(
                AuditEvent.at < before.occurred_at,
                and_(AuditEvent.at == before.occurred_at, AuditEvent.id < before.event_id),
            )
        )
    fetched = [
        _row(values)
        for values in db.session.execute(
            query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(page_size + 1)
        )
    ]
    rows = fetched[:page_size]
    older = TimelineCursor(rows[-1].at, rows[-1].id) if len(fetched) > page_size else None
    record_view(actor, "access_log", family_id, family_id)
    return AccessLogPage(family_id=family_id, family_name=family_name, rows=rows, older=older)


# --- the administrators' search ------------------------------------------------------------

_REFERENCE = re.compile(r"^F?0*(\d{1,9})$", re.IGNORECASE)


def parse_family_reference(text: str) -> int | None:
    """The family id in a reference such as F000012 (or 12); None if it is not one."""
    match = _REFERENCE.match(text.strip())
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


@dataclass(frozen=True)
class AuditSearch:
    person: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    family_id: int | None = None

    @property
    def fields_used(self) -> list[str]:
        return [
            name
            for name in ("person", "action", "date_from", "date_to", "family_id")
            if getattr(self, name) not in ("", None)
        ]


@dataclass(frozen=True)
class AuditSearchPage:
    rows: list[AuditRow]
    total: int
    page: int
    page_size: int
    search: AuditSearch = field(default_factory=AuditSearch)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _uk_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), UK_TIME).astimezone(UTC)


def _conditions(search: AuditSearch) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if search.person:
        pattern = "%" + search.person.lower().replace("%", "").replace("_", "") + "%"
        conditions.append(or_(func.lower(User.name).like(pattern), User.email.like(pattern)))
    if search.action:
        conditions.append(AuditEvent.action == search.action)
    if search.date_from is not None:
        conditions.append(AuditEvent.at >= _uk_day_start(search.date_from))
    if search.date_to is not None:
        # The whole of the last day, in UK time.
        conditions.append(AuditEvent.at < _uk_day_start(search.date_to + timedelta(days=1)))
    if search.family_id is not None:
        conditions.append(AuditEvent.family_id == search.family_id)
    return conditions


def search_audit_log(
    actor: Actor, search: AuditSearch, page: int, page_size: int
) -> AuditSearchPage:
    conditions = _conditions(search)
    counted = (
        select(func.count(AuditEvent.id))
        .select_from(AuditEvent)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(*conditions)
    )
    total = db.session.scalar(counted) or 0
    page = max(1, min(page, max(1, -(-total // page_size))))
    rows = [
        _row(values)
        for values in db.session.execute(
            _rows_query()
            .where(*conditions)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
    ]
    # The terms are left out: a person's name typed here is not itself evidence needed later.
    record_reading(
        actor,
        "search",
        "audit_log",
        # In the detail, not the family column: the reference typed may match no family.
        detail={
            "family_id": search.family_id,
            "fields": search.fields_used,
            "results": total,
            "page": page,
        },
    )
    return AuditSearchPage(rows=rows, total=total, page=page, page_size=page_size, search=search)
