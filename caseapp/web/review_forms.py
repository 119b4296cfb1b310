"""The manager's decision on a step up, step down or closure request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import IntegerField, RadioField, SelectChoice, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from caseapp.domain.level_requests import ReviewDecision, review_problems
from caseapp.domain.triage_rules import Problem

# The form helpers triage already has: one message per field, and carrying a new version.
from caseapp.web.forms import add_problems, set_hidden

_DECISIONS = frozenset(decision.value for decision in ReviewDecision)


class ReviewForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    decision = RadioField(
        "Your decision",
        choices=[SelectChoice(decision.value, decision.label) for decision in ReviewDecision],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    rationale = TextAreaField(
        "Rationale",
        description=(
            "Why you decided this. If you return the request, say what more you need: "
            "the requester sees this."
        ),
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Rationale must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def chosen(self) -> ReviewDecision | None:
        value = self.decision.data
        return ReviewDecision(value) if value in _DECISIONS else None

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = review_problems(self.chosen(), self.rationale.data or "")
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: list[Problem]) -> None:
        add_problems(self, problems, fallback="decision")

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)
