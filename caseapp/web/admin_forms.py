"""Forms for administering staff accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import Email, InputRequired, Length

from caseapp.domain.roles import ROLE_PRECEDENCE
from caseapp.models import Agency, Team


def _optional_id(value: object) -> int | None:
    return int(str(value)) if value not in (None, "", "None") else None


class StaffForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the person's full name"), Length(max=200)],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Email(message="Enter an email address in the correct format, like name@example.org"),
            Length(max=254),
        ],
    )
    job_title = StringField(
        "Job title (optional)", widget=GovTextInput(), validators=[Length(max=200)]
    )
    agency_id = SelectField("Agency", widget=GovSelect(), coerce=_optional_id, validate_choice=True)
    team_id = SelectField("Team", widget=GovSelect(), coerce=_optional_id, validate_choice=True)
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=[SelectChoice(role.value, role.label) for role in ROLE_PRECEDENCE],
        validators=[InputRequired(message="Select at least one role")],
        description="A person may hold several roles. Administrators see no case records "
        "unless they also hold a case role.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def set_organisations(self, agencies: list[Agency], teams: list[Team]) -> None:
        self.agency_id.choices = [
            SelectChoice(None, "No agency"),
            *(SelectChoice(agency.id, agency.name) for agency in agencies),
        ]
        self.team_id.choices = [
            SelectChoice(None, "No team"),
            *(SelectChoice(team.id, team.name) for team in teams),
        ]


class NewStaffForm(StaffForm):
    password = PasswordField(
        "First password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Give it to the person securely; they can use a "
        "long phrase of ordinary words.",
        validators=[InputRequired(message="Enter a first password"), Length(max=128)],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())
