"""The management oversight form."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from caseapp.domain.triage_rules import Problem
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems


class OversightForm(FlaskForm):
    oversight_on = GovDateField(
        "Date of the oversight",
        subject="The date of the oversight",
        allow_future=False,
        description="For example, 27 11 2026",
    )
    summary = TextAreaField(
        "Summary",
        description="What you reviewed and what you found",
        widget=GovTextArea(),
        validators=[
            InputRequired(message="Enter a summary of the oversight"),
            Length(max=10000, message="Summary must be 10,000 characters or fewer"),
        ],
    )
    actions = TextAreaField(
        "Actions (optional)",
        description="What you have asked to be done, by whom and by when",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Actions must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Record oversight", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="summary")
