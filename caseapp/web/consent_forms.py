"""Forms for recording consent and its withdrawal.

The consent form checks the same rules the service applies (domain/assessment.py), so the
page shows every problem at once; the service checks them again, and that the person
named is in the family.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovTextArea
from wtforms import (
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import HiddenInput

from caseapp.domain.assessment import consent_problems
from caseapp.domain.casework import ConsentGiver, ConsentMethod
from caseapp.domain.triage_rules import Problem
from caseapp.models.types import uk_today
from caseapp.services.consent import ConsentDetails
from caseapp.web.fields import GovDateField
from caseapp.web.forms import add_problems, error_links, set_hidden
from caseapp.web.numbers import MOST_ID, whole_number

# The given_by choice for someone who is not on the family's record.
SOMEONE_ELSE = "other"

# The partners a family is most often asked about; anything else is typed in.
USUAL_AGENCIES: tuple[str, ...] = (
    "School or nursery",
    "Health visitor or school nurse",
    "GP",
    "Family hub or children's centre",
    "Children's mental health service (CAMHS)",
    "Housing",
    "Police",
    "Adult mental health services",
    "Drug and alcohol services",
    "Children's social care",
)
_ROLES = frozenset(role.value for role in ConsentGiver)
_METHODS = frozenset(method.value for method in ConsentMethod)


class ConsentForm(FlaskForm):
    # Rendered as radios of the family's members; checked against them by the service.
    given_by = StringField("Who gave consent?")
    given_by_name = StringField("Their name")
    given_by_role = RadioField(
        "Are they a parent, a carer or the young person?",
        choices=[SelectChoice(role.value, role.label) for role in ConsentGiver],
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired("Select whether they are a parent, a carer or the young person")],
    )
    share_with = SelectMultipleField(
        "Which agencies may information be shared with?",
        description="Select all that the family agreed to",
        choices=[SelectChoice(name, name) for name in USUAL_AGENCIES],
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )
    share_with_other = TextAreaField(
        "Other agencies",
        description="One on each line",
        widget=GovTextArea(),
    )
    not_to_share = TextAreaField(
        "Anything the family asked not to be shared",
        description="In their words, and with whom",
        widget=GovTextArea(),
    )
    method = RadioField(
        "How was consent given?",
        choices=[SelectChoice(method.value, method.label) for method in ConsentMethod],
        validate_choice=False,
        widget=GovRadioInput(),
        validators=[InputRequired("Select how consent was given")],
    )
    given_on = GovDateField(
        "When was consent given?",
        subject="The date consent was given",
        description="For example, 27 11 2026",
        validators=[Optional()],
    )

    def member_id(self) -> int | None:
        return whole_number(self.given_by.data)

    def details(self) -> ConsentDetails:
        known = set(USUAL_AGENCIES)
        typed = (self.share_with_other.data or "").splitlines()
        someone_else = self.given_by.data == SOMEONE_ELSE
        return ConsentDetails(
            given_by_member_id=self.member_id(),
            given_by_name=(self.given_by_name.data or "") if someone_else else "",
            given_by_role=ConsentGiver(self.given_by_role.data),
            method=ConsentMethod(self.method.data),
            given_on=self.given_on.data,
            share_with=[name for name in self.share_with.data or () if name in known] + typed,
            not_to_share=self.not_to_share.data or "",
        )

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        if self.given_by_role.data not in _ROLES and not self.given_by_role.errors:
            self.given_by_role.errors = [
                "Select whether they are a parent, a carer or the young person"
            ]
        if self.method.data not in _METHODS and not self.method.errors:
            self.method.errors = ["Select how consent was given"]
        someone_else = self.given_by.data == SOMEONE_ELSE
        if someone_else:
            name = self.given_by_name.data or ""
        else:
            # A member chosen from the list is named from the family's record (the service
            # checks they are in this family); no choice at all leaves the name empty.
            name = "" if self.member_id() is None else "on the record"
        typed = (self.share_with_other.data or "").splitlines()
        problems = consent_problems(
            name,
            self.given_on.data,
            [line.strip() for line in typed if line.strip()],
            self.not_to_share.data or "",
            uk_today(),
        )
        if someone_else:
            # Their name is what is missing, so the message goes beside its box.
            problems = [
                Problem("given_by_name", problem.message)
                if problem.field == "given_by"
                else problem
                for problem in problems
            ]
        self.add_problems(problems)
        return parsed and not self.errors

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="given_by")

    def error_list(self) -> list[dict[str, str]]:
        return error_links(self)


class WithdrawConsentForm(FlaskForm):
    # Looked up in the database, which refuses a number past its INTEGER's range.
    consent_id = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=MOST_ID)]
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    withdrawn_on = GovDateField(
        "When did the family withdraw consent?",
        subject="The date consent was withdrawn",
        description="For example, 27 11 2026",
        validators=[Optional()],
    )
    withdrawal_note = TextAreaField(
        "Their reason, if they gave one",
        widget=GovTextArea(),
    )

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="withdrawn_on")

    def show_version(self, consent_id: int, version: int) -> None:
        """Carry the consent as it is now, after the page has said what changed."""
        set_hidden(self.consent_id, consent_id)
        set_hidden(self.version, version)

    def error_list(self) -> list[dict[str, str]]:
        return error_links(self)
