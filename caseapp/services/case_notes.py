"""Case notes: contacts and visits, newest first, and adding one.

A note is never edited (models/casework.CaseNote says why), so adding one needs no
version check: two people adding notes at once both keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from caseapp.domain.casework import ContactType
from caseapp.domain.chronology import NoteFacts, note_summary
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.extensions import db
from caseapp.models import CaseNote, FamilyMember, User
from caseapp.services.audit import audit_by, record_view
from caseapp.services.casework import Casework, load_casework
from caseapp.services.context import Actor
from caseapp.services.family_frame import FamilyFrame, family_frame
from caseapp.services.timeline import add_timeline_event

NOTES_PAGE_SIZE = 20


class NoteInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class NoteDetails:
    contact_on: date
    contact_type: ContactType
    seen_member_ids: tuple[int, ...]
    others_seen: str
    text: str


@dataclass(frozen=True)
class NoteView:
    note: CaseNote
    # Family members seen, by name, in the order the family's record lists them.
    seen: list[str]


@dataclass(frozen=True)
class NotesPage:
    frame: FamilyFrame
    notes: list[NoteView]
    page: int
    has_more: bool

    @property
    def casework(self) -> Casework:
        return self.frame.casework

    @property
    def members(self) -> list[FamilyMember]:
        return self.frame.family.members


def view_notes(
    actor: Actor, family_id: int, page: int = 1, page_size: int = NOTES_PAGE_SIZE
) -> NotesPage:
    """A page of the family's case notes, newest contact first. Raises FamilyNotFound."""
    casework = load_casework(actor, family_id)
    page = max(page, 1)
    rows = list(
        db.session.scalars(
            select(CaseNote)
            .where(CaseNote.family_id == family_id)
            .options(joinedload(CaseNote.recorded_by).lazyload(User.role_rows))
            # Along ix_case_notes_family_contact, read backwards.
            .order_by(CaseNote.contact_on.desc(), CaseNote.id.desc())
            .offset((page - 1) * page_size)
            .limit(page_size + 1)
        )
    )
    names = {member.id: member.full_name for member in casework.family.members}
    notes = [
        NoteView(note, [names[i] for i in names if i in note.seen_member_ids])
        for note in rows[:page_size]
    ]
    frame = family_frame(casework)
    record_view(actor, "case_notes", family_id, family_id)
    return NotesPage(frame, notes, page, len(rows) > page_size)


def add_case_note(actor: Actor, family_id: int, details: NoteDetails) -> CaseNote:
    """Record a contact, its chronology entry and its audit event in one transaction.

    Raises FamilyNotFound, NotYoursToKeep, NoOpenEpisode or NoteInvalid.
    """
    casework = load_casework(actor, family_id, keeping=True)
    members = {member.id: member for member in casework.family.members}
    unknown = [member_id for member_id in details.seen_member_ids if member_id not in members]
    if unknown:
        raise NoteInvalid([Problem("seen", "Choose the people seen from the list")])
    seen = [members[member_id] for member_id in members if member_id in details.seen_member_ids]
    note = CaseNote(
        family_id=family_id,
        episode_id=casework.open_episode.id,
        contact_on=details.contact_on,
        contact_type=details.contact_type,
        seen_member_ids=[member.id for member in seen],
        others_seen=details.others_seen.strip(),
        text=details.text.strip(),
        recorded_by_id=actor.user_id,
    )
    db.session.add(note)
    db.session.flush()
    children_seen = [member for member in seen if member.is_child]
    add_timeline_event(
        family_id=family_id,
        kind=EventKind.CASE_NOTE_ADDED,
        summary=note_summary(
            NoteFacts(
                contact_label=details.contact_type.label,
                contact_on=details.contact_on,
                seen=tuple(member.full_name for member in seen),
                others_seen=note.others_seen,
                text=note.text,
            )
        ),
        actor_id=actor.user_id,
        episode_id=note.episode_id,
        # About one child when only one was seen, so filtering by that child finds it; a
        # contact with several children (or none) is about the whole family.
        member_id=children_seen[0].id if len(children_seen) == 1 else None,
        detail={"case_note_id": note.id, "contact_type": details.contact_type.value},
    )
    audit_by(actor, "create", "case_note", object_id=note.id, family_id=family_id)
    db.session.commit()
    return note
