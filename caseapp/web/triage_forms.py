"""Forms for triage and allocation.

The triage form has a level and an indicator checklist for each child the request names,
so its class is built for the request in hand. Its validation is the domain's triage
rules, so the page shows the same problems the service would refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from caseapp.domain.hub import TriageOutcome
from caseapp.domain.triage_rules import (
    REFERRER_TOLD_CHOICES,
    ChildChoice,
    Problem,
    RequestFacts,
    TriageChoices,
    indicators_field,
    level_field,
    triage_problems,
)
from caseapp.frameworks import Framework
from caseapp.models import FamilyMember
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems, set_hidden

_OUTCOMES = frozenset(outcome.value for outcome in TriageOutcome)


class StartTriageForm(FlaskForm):
    # Names the coordinator being taken over from, so the confirmation applies only to them.
    take_over_from = IntegerField(widget=HiddenInput(), validators=[Optional()])


class TriageForm(FlaskForm):
    """The fields every decision has; `triage_form` adds each child's level and indicators."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    rationale = TextAreaField(
        "Rationale for the decision",
        description=(
            "Why these levels and this outcome. For advice and signposting, record the advice "
            "given and where you signposted the family or referrer."
        ),
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Rationale must be 10,000 characters or fewer")],
    )
    outcome = RadioField(
        "Outcome",
        choices=[SelectChoice(outcome.value, outcome.label) for outcome in TriageOutcome],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    social_care_route = TextAreaField(
        "Route",
        description="For example, the front door team by phone, or the online referral form",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Route must be 2,000 characters or fewer")],
    )
    social_care_contacted = StringField(
        "Who you spoke to at children's social care",
        description="Name and role",
        widget=GovTextInput(),
        validators=[Length(max=300, message="Name must be 300 characters or fewer")],
    )
    outcome_reason = TextAreaField(
        "If the outcome does not follow from the levels, say why",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Reason must be 5,000 characters or fewer")],
    )
    referrer_told_how = RadioField(
        "How did you tell the referrer?",
        choices=[SelectChoice(value, label) for value, label in REFERRER_TOLD_CHOICES],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    referrer_told_on = GovDateField(
        "When did you tell them?",
        subject="The date you told the referrer",
        description="For example, 27 11 2026",
        validators=[Optional()],
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    children: Sequence[FamilyMember]
    facts: RequestFacts
    framework: Framework

    def child_choices(self) -> tuple[ChildChoice, ...]:
        return tuple(
            ChildChoice(
                member_id=child.id,
                given_name=child.given_name,
                level_code=self[level_field(child.id)].data or "",
                indicator_codes=tuple(self[indicators_field(child.id)].data or ()),
            )
            for child in self.children
        )

    def choices(self) -> TriageChoices:
        outcome = self.outcome.data
        return TriageChoices(
            outcome=TriageOutcome(outcome) if outcome in _OUTCOMES else None,
            rationale=self.rationale.data or "",
            children=self.child_choices(),
            outcome_reason=self.outcome_reason.data or "",
            social_care_route=self.social_care_route.data or "",
            social_care_contacted=self.social_care_contacted.data or "",
            referrer_told_how=self.referrer_told_how.data or "",
            referrer_told_on=self.referrer_told_on.data,
        )

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = triage_problems(self.choices(), self.facts, self.framework)
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="outcome")

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's links, in the order the page asks the questions."""
        page_order = [
            name
            for child in self.children
            for name in (level_field(child.id), indicators_field(child.id))
        ] + [
            "rationale",
            "outcome",
            "social_care_route",
            "social_care_contacted",
            "outcome_reason",
            "referrer_told_how",
            "referrer_told_on",
            "version",
        ]
        # A date links to its first box, the day, as GOV.UK's date input expects.
        first_box = {"referrer_told_on": "-day"}
        return [
            {"text": self[name].errors[0], "href": f"#{self[name].id}{first_box.get(name, '')}"}
            for name in page_order
            if self[name].errors
        ]

    def show_version(self, version: int) -> None:
        """Carry the current version, after the page has told the person what changed."""
        set_hidden(self.version, version)


def add_child_level_fields(
    form_class: type[FlaskForm],
    children: Sequence[FamilyMember],
    framework: Framework,
    level_label: str,
) -> None:
    """Give `form_class` a level (radios) and the indicators relied on (a multiple select)
    for each child, named by domain/triage_rules.level_field and indicators_field.
    `level_label` is the question, with {given_name} for the child's name."""
    level_choices = [SelectChoice(value, label) for value, label in framework.level_choices()]
    indicator_choices = [
        SelectChoice(indicator.code, indicator.text) for indicator in framework.indicators
    ]
    for child in children:
        setattr(
            form_class,
            level_field(child.id),
            RadioField(
                level_label.format(given_name=child.given_name),
                choices=level_choices,
                validate_choice=False,
                widget=GovRadioInput(),
            ),
        )
        setattr(
            form_class,
            indicators_field(child.id),
            SelectMultipleField(
                f"Indicators relied on for {child.given_name}",
                choices=indicator_choices,
                validate_choice=False,
            ),
        )


def triage_form(
    children: Sequence[FamilyMember], facts: RequestFacts, framework: Framework, today: date
) -> TriageForm:
    """A triage form with a level and indicators for each of `children`."""

    class RequestTriageForm(TriageForm):
        pass

    add_child_level_fields(RequestTriageForm, children, framework, "Level of need for {given_name}")
    form = RequestTriageForm(referrer_told_on=today)
    form.children = children
    form.facts = facts
    form.framework = framework
    return form


class AllocateForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    # Rendered from the page of candidates; the service checks the choice is a lead worker.
    lead_worker = StringField("Choose a lead worker")
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Reason must be 2,000 characters or fewer")],
    )
    submit = SubmitField("Allocate", widget=GovSubmitInput())

    def chosen_lead_worker(self) -> int | None:
        value = (self.lead_worker.data or "").strip()
        return int(value) if value.isdigit() else None

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="lead_worker")

    def show_version(self, version: int) -> None:
        """Carry the current version, after the page has told the person what changed."""
        set_hidden(self.version, version)
        # Cleared so a second press cannot override the new lead worker by accident.
        self.lead_worker.data = ""
        self.lead_worker.raw_data = [""]
