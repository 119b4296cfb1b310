"""The form for recording a contact or visit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length

from caseapp.domain.casework import ContactType
from caseapp.domain.chronology import EARLIEST_DATE
from caseapp.domain.triage_rules import Problem
from caseapp.models import FamilyMember
from caseapp.services.case_notes import NoteDetails
from caseapp.web.fields import GovDateField
from caseapp.web.numbers import whole_number

_CONTACT_TYPES = frozenset(contact_type.value for contact_type in ContactType)
NOTE_TEXT_LIMIT = 20_000


class CaseNoteForm(FlaskForm):
    contact_on = GovDateField(
        "Date of the contact",
        subject="The date of the contact",
        allow_future=False,
        description="For example, 27 11 2026",
        validators=[InputRequired(message="Enter the date of the contact")],
    )
    contact_type = RadioField(
        "Type of contact",
        choices=[SelectChoice(item.value, item.label) for item in ContactType],
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the type of contact")],
    )
    # Choices are the family's members, set for the family in hand (see for_family).
    seen = SelectMultipleField(
        "Who was seen",
        description="Select everyone in the family you saw or spoke to.",
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )
    others_seen = StringField(
        "Anyone else seen (optional)",
        description="For example, Mrs Hollis, class teacher",
        widget=GovTextInput(),
        validators=[Length(max=500, message="Anyone else seen must be 500 characters or fewer")],
    )
    text = TextAreaField(
        "What happened",
        description=(
            "What you saw and heard, what the family said, and what happens next. "
            "Notes cannot be changed once saved: to correct one, add a further note."
        ),
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter what happened"),
            Length(
                max=NOTE_TEXT_LIMIT,
                message=f"What happened must be {NOTE_TEXT_LIMIT:,} characters or fewer",
            ),
        ],
    )
    submit = SubmitField("Save note", widget=GovSubmitInput())

    def for_family(self, members: Sequence[FamilyMember]) -> CaseNoteForm:
        """Offer the family's members as the people seen, children first."""
        ordered = sorted(members, key=lambda member: not member.is_child)
        self.seen.choices = [
            SelectChoice(str(member.id), member.full_name + ("" if member.is_child else " (adult)"))
            for member in ordered
        ]
        return self

    def validate_contact_type(self, field: RadioField) -> None:
        if field.data not in _CONTACT_TYPES:
            raise ValidationError("Choose the type of contact")

    def validate_contact_on(self, field: GovDateField) -> None:
        if field.data is not None and field.data < EARLIEST_DATE:
            raise ValidationError(
                f"The date of the contact must be in {EARLIEST_DATE.year} or later"
            )

    def validate_text(self, field: TextAreaField) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Enter what happened")

    def validate_seen(self, field: SelectMultipleField) -> None:
        if not all(whole_number(value) is not None for value in field.data or ()):
            raise ValidationError("Choose the people seen from the list")

    def details(self) -> NoteDetails:
        """The note as typed; call only after the form has validated."""
        assert self.contact_on.data is not None
        return NoteDetails(
            contact_on=self.contact_on.data,
            contact_type=ContactType(self.contact_type.data),
            seen_member_ids=tuple(int(value) for value in self.seen.data or ()),
            others_seen=self.others_seen.data or "",
            text=self.text.data or "",
        )

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            field: Field = self._fields.get(problem.field) or self.text
            if not field.errors:
                field.errors = [problem.message]
