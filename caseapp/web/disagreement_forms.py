"""Forms for raising, escalating and resolving a professional disagreement."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from caseapp.domain.triage_rules import Problem
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems

_RESOLVE_ON_HINT = "Leave blank for {days} working days from today. For example, 4 12 2026"


def _text(label: str, required: str, max_length: int = 5000) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            InputRequired(message=required),
            Length(max=max_length, message=f"{label} must be {max_length:,} characters or fewer"),
        ],
    )


class RaiseDisagreementForm(FlaskForm):
    parties = _text("Who disagrees", "Enter who disagrees", 2000)
    disputed = _text("The decision and what is disputed", "Enter the decision and what is disputed")
    resolve_on = GovDateField("Resolve by", subject="The date to resolve it by")
    submit = SubmitField("Record the disagreement", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="disputed")


class EscalateForm(FlaskForm):
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(message="Reload the page and try again")]
    )
    reason = _text("Why are you escalating it?", "Enter why it is being escalated")
    resolve_on = GovDateField("New date to resolve it by", subject="The date to resolve it by")
    submit = SubmitField("Escalate", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="reason")


class ResolveForm(FlaskForm):
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(message="Reload the page and try again")]
    )
    resolution = _text("How was it resolved?", "Enter how it was resolved")
    submit = SubmitField("Record the resolution", widget=GovSubmitInput())

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="resolution")


def resolve_on_hint(days: int) -> str:
    return _RESOLVE_ON_HINT.format(days=days)
