"""Forms for TAF meetings: arranging one, moving or cancelling it, and recording it.

The record form has a score for each outcome the plan is working towards, so its class
is built for the meeting in hand. Attendees and new actions are repeatable rows: a fixed
number of blank ones, and "add another" re-renders the form with one more.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from caseapp.domain.meetings import (
    SCORES,
    ActionEntry,
    AttendeeEntry,
    MeetingRecord,
    ScoreEntry,
    recording_problems,
)
from caseapp.domain.triage_rules import Problem
from caseapp.models import PlanOutcome
from caseapp.services.meetings import StaffChoice
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems, optional_text, set_hidden
from caseapp.web.numbers import whole_number

ATTENDEE_ROWS = 4
ACTION_ROWS = 2
# However often "add another" is pressed, a form stays a sensible size.
MAX_ROWS = 30
PRESENT, APOLOGIES = "present", "apologies"


def _clean(field: Field) -> str:
    return (field.data or "").strip()


class ScheduleForm(FlaskForm):
    on = GovDateField(
        "Date", subject="The date of the meeting", description="For example, 8 1 2027"
    )
    at = StringField(
        "Time",
        widget=GovTextInput(),
        description="For example, 10am or 2:30pm",
        validators=optional_text(20, "Time"),
    )
    location = StringField(
        "Where",
        widget=GovTextInput(),
        description="For example, Oakfield Primary School, or by video call",
        validators=optional_text(300, "Where"),
    )
    submit = SubmitField("Arrange meeting", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="on")


class ChangeMeetingForm(ScheduleForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)


class CancelMeetingForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    reason = TextAreaField(
        "Why is the meeting cancelled?",
        widget=GovTextArea(),
        validators=optional_text(2000, "Reason"),
    )
    submit = SubmitField("Cancel meeting", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="reason")

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)


class AttendeeForm(Form):
    name = StringField("Name", widget=GovTextInput(), validators=optional_text(200, "Name"))
    agency = StringField(
        "Agency or relationship", widget=GovTextInput(), validators=optional_text(200, "Agency")
    )
    role = StringField("Role", widget=GovTextInput(), validators=optional_text(200, "Role"))
    present = RadioField(
        "Attendance",
        choices=[SelectChoice(PRESENT, "Attended"), SelectChoice(APOLOGIES, "Sent apologies")],
        default=PRESENT,
        validate_choice=False,
        widget=GovRadioInput(),
    )
    # A member of staff chosen from the search: they become a member of the family's TAF.
    user_id = HiddenField()

    def is_blank(self) -> bool:
        return not (_clean(self.name) or _clean(self.agency) or _clean(self.role))

    def entry(self) -> AttendeeEntry:
        return AttendeeEntry(
            name=_clean(self.name),
            agency=_clean(self.agency),
            role=_clean(self.role),
            present=self.present.data != APOLOGIES,
            user_id=whole_number(self.user_id.data),
        )


class ActionForm(Form):
    description = TextAreaField(
        "What will be done",
        widget=GovTextArea(),
        validators=optional_text(2000, "What will be done"),
    )
    owner_name = StringField("Who", widget=GovTextInput(), validators=optional_text(200, "Who"))
    owner_agency = StringField(
        "Their agency or relationship",
        widget=GovTextInput(),
        validators=optional_text(200, "Agency"),
    )
    due_on = GovDateField("By when", subject="The due date")
    outcome_id = SelectField("Towards outcome", widget=GovSelect(), validate_choice=False)

    def entry(self) -> ActionEntry:
        return ActionEntry(
            description=_clean(self.description),
            owner_name=_clean(self.owner_name),
            owner_agency=_clean(self.owner_agency),
            due_on=self.due_on.data,
            outcome_id=whole_number(self.outcome_id.data),
        )


def score_field(outcome_id: int) -> str:
    return f"score_{outcome_id}"


def comment_field(outcome_id: int) -> str:
    return f"comment_{outcome_id}"


class RecordForm(FlaskForm):
    """The fields every record has; `record_form` adds a score for each open outcome."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    held_on = GovDateField(
        "Date the meeting was held",
        subject="The date the meeting was held",
        description="For example, 27 11 2026",
        allow_future=False,
    )
    attendees = FieldList(FormField(AttendeeForm), min_entries=ATTENDEE_ROWS, max_entries=MAX_ROWS)
    staff_query = StringField(
        "Find a member of staff by name",
        widget=GovTextInput(),
        validators=optional_text(100, "Name"),
    )
    family_views = TextAreaField(
        "The family's views",
        description="What the parents or carers said, in their words where you can",
        widget=GovTextArea(),
        validators=optional_text(10000, "The family's views"),
    )
    child_views = TextAreaField(
        "The child's views",
        description="What each child said or showed, and how they were asked",
        widget=GovTextArea(),
        validators=optional_text(10000, "The child's views"),
    )
    decisions = TextAreaField(
        "Decisions",
        widget=GovTextArea(),
        validators=optional_text(10000, "Decisions"),
    )
    actions = FieldList(FormField(ActionForm), min_entries=ACTION_ROWS, max_entries=MAX_ROWS)
    next_meeting_on = GovDateField(
        "Date of the next meeting", subject="The date of the next meeting"
    )
    submit = SubmitField("Record meeting", widget=GovSubmitInput())

    outcomes: Sequence[PlanOutcome]
    today: date
    outcome_choices: list[SelectChoice]

    def filled_attendees(self) -> tuple[AttendeeEntry, ...]:
        return tuple(entry.form.entry() for entry in self.attendees if not entry.form.is_blank())

    def record(self) -> MeetingRecord:
        return MeetingRecord(
            held_on=self.held_on.data,
            attendees=self.filled_attendees(),
            scores=tuple(
                ScoreEntry(
                    outcome_id=outcome.id,
                    score=whole_number(self[score_field(outcome.id)].data),
                    comment=_clean(self[comment_field(outcome.id)]),
                )
                for outcome in self.outcomes
            ),
            # Kept in row order, blanks too, so a problem names the row it is about.
            actions=tuple(entry.form.entry() for entry in self.actions),
            family_views=_clean(self.family_views),
            child_views=_clean(self.child_views),
            decisions=_clean(self.decisions),
            next_meeting_on=self.next_meeting_on.data,
        )

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = recording_problems(
            self.record(), [outcome.id for outcome in self.outcomes], self.today
        )
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="held_on")
        for rows in (self.attendees, self.actions):
            # A field list keeps a copy of its rows' errors from validation: renew it.
            errors = [entry.errors for entry in rows.entries]
            rows.errors = errors if any(errors) else []

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)

    def add_attendee_row(self) -> bool:
        """One more blank person; False when the form already has as many as it may."""
        if len(self.attendees.entries) >= MAX_ROWS:
            return False
        self.attendees.append_entry()
        return True

    def add_action_row(self) -> bool:
        """One more blank action; False when the form already has as many as it may."""
        if len(self.actions.entries) >= MAX_ROWS:
            return False
        self.actions.append_entry().form.outcome_id.choices = self.outcome_choices
        return True

    def add_staff(self, staff: StaffChoice) -> None:
        """Put the chosen member of staff in the first blank attendee row (or a new one)."""
        blank = next((entry.form for entry in self.attendees if entry.form.is_blank()), None)
        if blank is None:
            if len(self.attendees.entries) >= MAX_ROWS:
                return
            blank = self.attendees.append_entry().form
        blank.name.data = staff.name
        blank.agency.data = staff.agency
        blank.role.data = staff.job_title
        blank.present.data = PRESENT
        blank.user_id.data = str(staff.user_id)


def record_form(outcomes: Sequence[PlanOutcome], today: date, **defaults: Any) -> RecordForm:
    """A record form with a 0-10 score and a comment for each of `outcomes`."""

    class MeetingRecordForm(RecordForm):
        pass

    score_choices = [SelectChoice(str(value), str(value)) for value in SCORES]
    for number, outcome in enumerate(outcomes, start=1):
        setattr(
            MeetingRecordForm,
            score_field(outcome.id),
            RadioField(
                f"Outcome {number}: score from 0 to 10",
                choices=score_choices,
                validate_choice=False,
                widget=GovRadioInput(),
            ),
        )
        setattr(
            MeetingRecordForm,
            comment_field(outcome.id),
            TextAreaField(
                f"Outcome {number}: what has changed (optional)",
                widget=GovTextArea(),
                validators=optional_text(5000, "What has changed"),
            ),
        )
    form = MeetingRecordForm(**defaults)
    form.outcomes = outcomes
    form.today = today
    form.outcome_choices = [SelectChoice("", "The plan as a whole")] + [
        SelectChoice(str(outcome.id), f"Outcome {number}: {_shortened(outcome.description)}")
        for number, outcome in enumerate(outcomes, start=1)
    ]
    for entry in form.actions:
        entry.form.outcome_id.choices = form.outcome_choices
    return form


def _shortened(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
