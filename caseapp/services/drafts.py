"""Drafts: what someone typed into a long form and has not saved yet, kept for them alone
so a session timeout, a lost connection or a closed tab loses nothing.

A protected form is any `<form data-draft-key="...">`. Its fields reach `save_draft`
from the page's autosave, or from a form posted after the session ended. A draft is
the author's own unsaved text, not part of the family's record: nobody else can read it,
it is not audited (each save would flood the audit trail with nothing anyone else saw;
the page the form sits on audits its own view) and it is deleted once the form is saved,
when the author discards it, or after `DRAFT_RETENTION_DAYS`.

Hook for forms' own save services: call `discard_draft(actor.user_id, form_key)` in the
transaction that saves the form, so the saved record and the end of its draft commit
together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.exc import IntegrityError

from caseapp.extensions import db
from caseapp.models import Draft, User
from caseapp.models.types import utcnow
from caseapp.services.audit import add_audit_event

# The hidden field that names a protected form in every post it sends.
DRAFT_KEY_FIELD = "draft_key"
# Keys hold only ids and section names (`eha-12-child-5-development`), never personal data.
_KEY = re.compile(r"[a-z0-9][a-z0-9:_-]{0,199}")
# What a draft never keeps: the CSRF token is the session's, the key is the row's own.
_NOT_KEPT = frozenset({"csrf_token", DRAFT_KEY_FIELD})
MAX_FIELDS = 300
MAX_CHARACTERS = 200_000
# Keys come from pages, so a person could make many; the oldest go beyond this.
MAX_DRAFTS_PER_PERSON = 50
DRAFT_RETENTION_DAYS = 30


class DraftRejected(ValueError):
    """The posted fields are not a draft we keep: too many or too long."""


def valid_draft_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def fields_to_keep(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The posted fields as a draft holds them, every value of each name in order."""
    fields: dict[str, list[str]] = {}
    characters = 0
    for name, value in pairs:
        # Passwords are never kept, whatever form they turn up in.
        if name in _NOT_KEPT or "password" in name.lower():
            continue
        characters += len(name) + len(value)
        if characters > MAX_CHARACTERS:
            raise DraftRejected("too long")
        fields.setdefault(name, []).append(value)
        if len(fields) > MAX_FIELDS:
            raise DraftRejected("too many fields")
    return fields


def save_draft(user_id: int, form_key: str, pairs: Iterable[tuple[str, str]]) -> Draft:
    """Keep (or replace) this person's draft of this form, and commit it."""
    fields = fields_to_keep(pairs)
    draft = _stage_draft(user_id, form_key, fields)
    try:
        db.session.commit()
    except IntegrityError:
        # The same person's other tab created it a moment ago: replace theirs instead.
        db.session.rollback()
        draft = _stage_draft(user_id, form_key, fields)
        db.session.commit()
    _forget_oldest_beyond_limit(user_id)
    return draft


def _stage_draft(user_id: int, form_key: str, fields: dict[str, list[str]]) -> Draft:
    draft = db.session.scalar(
        select(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key)
    )
    if draft is None:
        draft = Draft(user_id=user_id, form_key=form_key)
        db.session.add(draft)
    draft.fields = fields
    draft.saved_at = utcnow()
    db.session.flush()
    return draft


def _forget_oldest_beyond_limit(user_id: int) -> None:
    beyond = (
        select(Draft.id)
        .where(Draft.user_id == user_id)
        .order_by(Draft.saved_at.desc(), Draft.id.desc())
        .offset(MAX_DRAFTS_PER_PERSON)
    )
    old = db.session.scalars(beyond).all()
    if old:
        db.session.execute(delete(Draft).where(Draft.id.in_(old)))
        db.session.commit()


def discard_draft(user_id: int, form_key: str) -> None:
    """Stage the end of a draft in the caller's transaction: call it from the service
    that saves the form, so the saved record and the draft's deletion commit together."""
    db.session.execute(
        delete(Draft).where(Draft.user_id == user_id, Draft.form_key == form_key),
        execution_options={"synchronize_session": False},
    )


def discard_draft_now(user_id: int, form_key: str) -> None:
    """The author threw their draft away, or the form it belongs to was accepted."""
    discard_draft(user_id, form_key)
    db.session.commit()


def drafts_for(user_id: int, form_keys: Iterable[str]) -> dict[str, Draft]:
    """This person's drafts of these forms, by key; only ever their own."""
    keys = sorted(set(form_keys))
    if not keys:
        return {}
    drafts = db.session.scalars(
        select(Draft).where(Draft.user_id == user_id, Draft.form_key.in_(keys))
    )
    return {draft.form_key: draft for draft in drafts}


def retention_cutoff(now: datetime, days: int = DRAFT_RETENTION_DAYS) -> datetime:
    return now - timedelta(days=days)


def _past_retention(now: datetime, days: int) -> ColumnElement[bool]:
    # A disabled account's drafts go too: nobody can return to them, and they are
    # personal data. An account enabled again starts without them.
    inactive_users = select(User.id).where(User.active.is_(False))
    return or_(Draft.saved_at < retention_cutoff(now, days), Draft.user_id.in_(inactive_users))


def count_old_drafts(now: datetime, days: int = DRAFT_RETENTION_DAYS) -> int:
    return db.session.scalar(select(func.count(Draft.id)).where(_past_retention(now, days))) or 0


def delete_old_drafts(now: datetime, days: int = DRAFT_RETENTION_DAYS) -> int:
    """Delete drafts not touched for `days` and those of disabled accounts, audited as
    one system action."""
    deleted = db.session.execute(
        delete(Draft).where(_past_retention(now, days)),
        execution_options={"synchronize_session": False},
    ).rowcount
    if deleted:
        add_audit_event(
            action="retention_delete",
            object_type="draft",
            user_id=None,
            detail={"deleted": deleted, "days": days},
        )
    db.session.commit()
    return deleted
