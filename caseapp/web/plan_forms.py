"""Forms for the family plan: an outcome, an action, and marking an action done.

The rules that decide whether an outcome or action may be saved are the domain's
(domain/plan.py); the forms check only shape and length, then show the domain's problems
on the fields they name, so the page says what the service would refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from caseapp.domain.casework import ActionStatus, OutcomeStatus
from caseapp.domain.plan import ActionDraft, OutcomeDraft
from caseapp.domain.triage_rules import Problem
from caseapp.frameworks.supporting_families import HeadlineOutcomes
from caseapp.models import FamilyMember, PlanAction, PlanOutcome
from caseapp.web.fields import GovDateField
from caseapp.web.numbers import whole_number

WHOLE_FAMILY = "family"


class PlanForm(FlaskForm):
    """What the plan's forms share: the version they were loaded at, when they edit (a
    form that adds a record has none)."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    @property
    def version_missing(self) -> bool:
        """An edit posted without a usable version: not from our page, a bad request."""
        return bool(self.version.errors) or self.version.data is None

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            field: Field = self._fields.get(problem.field) or self["description"]
            # One message per field: the first problem is the one to fix first.
            if not field.errors:
                field.errors = [problem.message]

    def show_version(self, version: int) -> None:
        """Carry the version saved now, after the page has shown what changed."""
        self.version.data = version
        self.version.raw_data = [str(version)]


class OutcomeForm(PlanForm):
    member = RadioField("Who is it for?", validate_choice=False, widget=GovRadioInput())
    description = TextAreaField(
        "What will be different?",
        description="In the family's words where you can, for example ‘Maisie goes to "
        "school every day and is on time’",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Outcome must be 2,000 characters or fewer")],
    )
    measure = TextAreaField(
        "How will everyone know it has happened? (optional)",
        description="For example, attendance above 95% for a whole term",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Measure must be 2,000 characters or fewer")],
    )
    headline_outcomes = SelectMultipleField(
        "Which headline outcomes does it serve?",
        description="The Supporting Families headline outcomes. Choose all that apply.",
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    status = RadioField(
        "Progress",
        choices=[SelectChoice(status.value, status.label) for status in OutcomeStatus],
        validate_choice=False,
        widget=GovRadioInput(),
    )

    def draft(self) -> OutcomeDraft:
        member = self.member.data or WHOLE_FAMILY
        return OutcomeDraft(
            description=self.description.data or "",
            measure=self.measure.data or "",
            headline_outcomes=tuple(dict.fromkeys(self.headline_outcomes.data or [])),
            # Anything but a child's id is refused by the rules as not in the family.
            member_id=None if member == WHOLE_FAMILY else _as_id(member),
            status=OutcomeStatus(self.status.data or OutcomeStatus.OPEN),
        )

    def validate_status(self, field: RadioField) -> None:
        _check_choice(field, {s.value for s in OutcomeStatus}, "Choose the outcome's progress")


def outcome_form(
    children: Sequence[FamilyMember],
    headline: HeadlineOutcomes,
    outcome: PlanOutcome | None = None,
    *,
    fresh: bool = False,
) -> OutcomeForm:
    """The form for a new outcome (prefixed, as it sits on the plan page beside the action
    forms; `fresh` ignores what was just posted) or for changing `outcome`, with this
    family's children to choose from."""
    prefix = "outcome"
    if outcome is None:
        form = OutcomeForm(
            **_unposted(fresh), prefix=prefix, member=WHOLE_FAMILY, status=OutcomeStatus.OPEN.value
        )
    else:
        form = OutcomeForm(
            prefix=prefix,
            member=str(outcome.member_id) if outcome.member_id else WHOLE_FAMILY,
            description=outcome.description,
            measure=outcome.measure,
            headline_outcomes=outcome.headline_outcomes,
            status=outcome.status.value,
        )
        if not form.is_submitted():
            form.version.data = outcome.version
    form.member.choices = [
        *(SelectChoice(str(child.id), child.full_name) for child in children),
        SelectChoice(WHOLE_FAMILY, "The whole family"),
    ]
    form.headline_outcomes.choices = [SelectChoice(code, name) for code, name in headline.choices()]
    return form


class ActionForm(PlanForm):
    description = TextAreaField(
        "What will be done?",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Action must be 2,000 characters or fewer")],
    )
    owner_name = StringField(
        "Who will do it?",
        description="A person's name, for example Pat Turner or Gemma Clarke",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    owner_agency = StringField(
        "Their agency or role (optional)",
        description="For example, Oakfield Primary School, health visitor, or parent",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Agency or role must be 200 characters or fewer")],
    )
    due_on = GovDateField(
        "Date it will be done by",
        subject="Date it will be done by",
        description="For example, 27 3 2027",
    )
    status = RadioField(
        "Status",
        choices=[SelectChoice(status.value, status.label) for status in ActionStatus],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    completed_on = GovDateField(
        "Date done (optional)",
        subject="Date done",
        description="Leave empty if it was done today",
    )
    historic = BooleanField(
        "This action was agreed before the plan was recorded here", widget=GovCheckboxInput()
    )

    def draft(self) -> ActionDraft:
        return ActionDraft(
            description=self.description.data or "",
            owner_name=self.owner_name.data or "",
            owner_agency=self.owner_agency.data or "",
            due_on=self.due_on.data,
            status=ActionStatus(self.status.data or ActionStatus.NOT_STARTED),
            completed_on=self.completed_on.data,
            historic=bool(self.historic.data),
        )

    def validate_status(self, field: RadioField) -> None:
        _check_choice(field, {s.value for s in ActionStatus}, "Choose the action's status")


def new_action_form(outcome_id: int | None, *, fresh: bool = False) -> ActionForm:
    """The "Add action" form of one outcome (or of the plan as a whole): each has its own
    prefix, so the plan page can hold one per outcome and show errors on the right one."""
    prefix = f"action-{outcome_id}" if outcome_id is not None else "action-plan"
    return ActionForm(**_unposted(fresh), prefix=prefix, status=ActionStatus.NOT_STARTED.value)


def _unposted(fresh: bool) -> dict[str, None]:
    """Arguments that make a form ignore the request's data: an empty form shown after
    another form on the page was posted."""
    return {"formdata": None} if fresh else {}


def edit_action_form(action: PlanAction) -> ActionForm:
    form = ActionForm(
        prefix=f"edit-{action.id}",
        description=action.description,
        owner_name=action.owner_name,
        owner_agency=action.owner_agency,
        due_on=action.due_on,
        status=action.status.value,
        completed_on=action.completed_on,
    )
    if not form.is_submitted():
        form.version.data = action.version
    return form


class CompleteActionForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def _as_id(value: str) -> int:
    number = whole_number(value)
    return -1 if number is None else number


def _check_choice(field: Field, allowed: Iterable[str], message: str) -> None:
    if field.data and field.data not in allowed:
        raise ValidationError(message)
