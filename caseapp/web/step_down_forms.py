"""The form for a family stepping down from children's social care into early help.

It has rows for children and for parents or carers, as the request for support does, so
the Hub's duplicate matching can find the family if it is already on record; a fixed
number of rows keeps it working without JavaScript.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FieldList,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from caseapp.domain.triage_rules import Problem
from caseapp.services.allocation import Candidate
from caseapp.services.requests import CarerDetails, ChildDetails
from caseapp.services.step_downs import StepDownDetails
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems
from caseapp.web.numbers import whole_number
from caseapp.web.request_forms import (
    CARER_ROWS,
    CHILD_ROWS,
    CarerForm,
    ChildForm,
    FamilyRowsChecks,
)


def _candidate_label(candidate: Candidate) -> str:
    where = ", ".join(part for part in (candidate.team_name, candidate.agency_name) if part)
    families = "family" if candidate.open_cases == 1 else "families"
    return (
        f"{candidate.name}"
        + (f" ({where})" if where else "")
        + (f", leads {candidate.open_cases} open {families}")
    )


class StepDownForm(FamilyRowsChecks, FlaskForm):
    children = FieldList(FormField(ChildForm), min_entries=CHILD_ROWS, max_entries=CHILD_ROWS)
    carers = FieldList(FormField(CarerForm), min_entries=CARER_ROWS, max_entries=CARER_ROWS)
    address = TextAreaField(
        "Address",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Address must be 500 characters or fewer")],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=10, message="Postcode must be 10 characters or fewer")],
    )
    # Offered only when families on record resemble the children entered.
    family_choice = RadioField("Is this one of these families?", validate_choice=False)
    from_team = StringField(
        "Social care team",
        description="The team handing the family over, for example Children in Need Team 2",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the social care team the family comes from"),
            Length(max=200, message="Team must be 200 characters or fewer"),
        ],
    )
    handover_summary = TextAreaField(
        "Handover summary",
        description="Why social care is stepping the family down, the risks that remain and "
        "what the family needs from early help",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter the handover summary"),
            Length(max=20000, message="Handover summary must be 20,000 characters or fewer"),
        ],
    )
    lead_worker = SelectField("Lead worker", widget=GovSelect(), validate_choice=False)
    taf_on = GovDateField(
        "Date of the step-down TAF meeting",
        subject="The date of the meeting",
        description="For example, 4 12 2026",
    )
    taf_at = StringField(
        "Time",
        description="For example, 10am or 14:30",
        widget=GovTextInput(),
        validators=[Length(max=20, message="Time must be 20 characters or fewer")],
    )
    taf_location = StringField(
        "Where (optional)",
        widget=GovTextInput(),
        validators=[Length(max=300, message="Place must be 300 characters or fewer")],
    )
    submit = SubmitField("Record the step-down", widget=GovSubmitInput())

    def __init__(self, *args: Any, lead_workers: Sequence[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lead_worker.choices = [SelectChoice("", "Choose a lead worker")] + [
            SelectChoice(
                str(candidate.user_id),
                _candidate_label(candidate),
            )
            for candidate in lead_workers
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        # The request for support's rules for its child and carer rows, so both forms
        # accept the same families.
        problems = [*self.postcode_problems(), *self.children_problems()]
        self.show_row_problems(problems, self.children, self.carers)
        return valid and not problems

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="handover_summary")

    def details(self) -> StepDownDetails:
        """The step-down as the service takes it. Call only after validate()."""
        lead_worker = (self.lead_worker.data or "").strip()
        return StepDownDetails(
            children=tuple(
                ChildDetails(
                    given_name=row.given_name.data.strip(),
                    family_name=row.family_name.data.strip(),
                    date_of_birth=row.date_of_birth.data,
                    gender=row.gender.data or "",
                )
                for row in (entry.form for entry in self.children)
                if not row.is_blank()
            ),
            carers=tuple(
                CarerDetails(
                    given_name=(row.given_name.data or "").strip(),
                    family_name=(row.family_name.data or "").strip(),
                    relationship=(row.relationship.data or "").strip(),
                    parental_responsibility=bool(row.parental_responsibility.data),
                    first_language=(row.first_language.data or "").strip() or "English",
                    needs_interpreter=bool(row.needs_interpreter.data),
                )
                for row in (entry.form for entry in self.carers)
                if not row.is_blank()
            ),
            address=self.address.data or "",
            postcode=self.postcode.data or "",
            locality="",
            family_choice=(self.family_choice.data or "").strip(),
            from_team=self.from_team.data or "",
            handover_summary=self.handover_summary.data or "",
            lead_worker_id=whole_number(lead_worker),
            taf_on=self.taf_on.data,
            taf_at=self.taf_at.data or "",
            taf_location=self.taf_location.data or "",
        )
