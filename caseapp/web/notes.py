"""The family record's section: case notes: contacts and visits."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from caseapp.models.types import uk_today
from caseapp.services.case_notes import NoteInvalid, add_case_note, view_notes
from caseapp.services.casework import (
    FamilyNotFound,
    NoOpenEpisode,
    NotYoursToKeep,
    load_casework,
)
from caseapp.services.context import Actor
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.note_forms import CaseNoteForm
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment

bp = Blueprint("notes", __name__, url_prefix="/families/<int:family_id>/notes")

NO_OPEN_EPISODE = (
    "The family has no open episode, so a note cannot be added. Notes already recorded are below."
)


def _notes_page(
    actor: Actor,
    family_id: int,
    form: CaseNoteForm,
    *,
    page: int = 1,
    added: bool = False,
    notice: str | None = None,
) -> str:
    try:
        notes = view_notes(actor, family_id, page)
    except FamilyNotFound:
        abort(404)
    return render_page(
        "notes/index.html",
        fragment="notes_content",
        notes=notes,
        frame=notes.frame,
        form=form.for_family(notes.members),
        section="notes",
        added=added,
        notice=notice,
        live=wants_fragment(),
    )


def _blank_form() -> CaseNoteForm:
    # Most notes are written the day of the contact.
    return CaseNoteForm(formdata=None, contact_on=uk_today())


@bp.get("")
@case_work
def index(family_id: int) -> ResponseReturnValue:
    return _notes_page(current_actor(), family_id, _blank_form(), page=page_asked_for())


@bp.post("")
@case_work
def add(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = CaseNoteForm()
    try:
        # Who may add comes first: someone who may only read is refused, not shown errors.
        load_casework(actor, family_id, keeping=True)
        if form.validate_on_submit():
            add_case_note(actor, family_id, form.details())
            if not wants_fragment():
                flash("Note saved. It is at the top of the list and in the chronology.", "success")
                return redirect(url_for("notes.index", family_id=family_id))
            announce_timeline_change()
            return _notes_page(actor, family_id, _blank_form(), added=True)
    except FamilyNotFound:
        abort(404)
    except NotYoursToKeep:
        abort(403)
    except NoOpenEpisode:
        return _notes_page(actor, family_id, form, notice=NO_OPEN_EPISODE)
    except NoteInvalid as invalid:
        form.add_problems(invalid.problems)
    return _notes_page(actor, family_id, form)
