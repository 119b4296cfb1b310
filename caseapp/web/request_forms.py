"""The request for support form: referrer, family, children, carers, reason and consent.

The form has a fixed number of rows for children and for parents or carers, so it works
without JavaScript; rows left blank are ignored. Every rule is checked here, next to the
field it concerns, before the service sees the request (which checks them again).
"""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseapp.domain.hub import ReceivedVia, consent_problem
from caseapp.domain.names import postcode_key
from caseapp.models import User
from caseapp.models.types import uk_today
from caseapp.services.requests import (
    CarerDetails,
    ChildDetails,
    RequestDetails,
    birth_date_problem,
)
from caseapp.web.fields import GovDateField
from caseapp.web.forms import optional_text

CHILD_ROWS = 4
CARER_ROWS = 2

# The shape of a UK postcode once spaces are removed, e.g. SW1A1AA, M11AE, B338TH.
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")

GENDERS = [
    SelectChoice("", "Not known"),
    SelectChoice("Female", "Female"),
    SelectChoice("Male", "Male"),
    SelectChoice("Other", "Another gender"),
]


class ChildForm(Form):
    given_name = StringField(
        "Given name", widget=GovTextInput(), validators=optional_text(100, "Given name")
    )
    family_name = StringField(
        "Family name", widget=GovTextInput(), validators=optional_text(100, "Family name")
    )
    # The example date is given once above the rows, so the rows' boxes line up.
    date_of_birth = GovDateField("Date of birth")
    gender = SelectField("Gender", widget=GovSelect(), choices=GENDERS, default="")

    def is_blank(self) -> bool:
        return not (
            (self.given_name.data or "").strip()
            or (self.family_name.data or "").strip()
            or any((value or "").strip() for value in self.date_of_birth.raw_data or [])
        )


class CarerForm(Form):
    given_name = StringField(
        "Given name", widget=GovTextInput(), validators=optional_text(100, "Given name")
    )
    family_name = StringField(
        "Family name", widget=GovTextInput(), validators=optional_text(100, "Family name")
    )
    relationship = StringField(
        "Relationship to the children",
        widget=GovTextInput(),
        validators=optional_text(100, "Relationship"),
    )
    parental_responsibility = BooleanField("Has parental responsibility", widget=GovCheckboxInput())
    first_language = StringField(
        "First language",
        widget=GovTextInput(),
        default="English",
        validators=optional_text(60, "First language"),
    )
    needs_interpreter = BooleanField("Needs an interpreter", widget=GovCheckboxInput())

    def is_blank(self) -> bool:
        return not any(
            (field.data or "").strip()
            for field in (self.given_name, self.family_name, self.relationship)
        )


class FamilyRowsChecks:
    """Checks a form with a postcode and rows of children makes of them: the request for
    support and the step-down from social care accept the same families."""

    postcode: Field
    children: FieldList

    def postcode_problems(self) -> list[tuple[Field, str]]:
        key = postcode_key(self.postcode.data or "")
        if key and not _POSTCODE.match(key):
            return [(self.postcode, "Enter a real postcode, like NE1 4ST")]
        return []

    def children_problems(self) -> list[tuple[Field, str]]:
        rows = [entry.form for entry in self.children]
        filled = [row for row in rows if not row.is_blank()]
        if not filled:
            return [(rows[0].given_name, "Enter at least one child")]
        today = uk_today()
        problems: list[tuple[Field, str]] = []
        for number, row in enumerate(rows, start=1):
            if row.is_blank():
                continue
            which = f" (child {number})" if len(filled) > 1 else ""
            if not _filled(row.given_name):
                problems.append((row.given_name, f"Enter the child's given name{which}"))
            if not _filled(row.family_name):
                problems.append((row.family_name, f"Enter the child's family name{which}"))
            if row.date_of_birth.errors:
                continue  # a date that could not be read already says why
            if row.date_of_birth.data is None:
                problems.append((row.date_of_birth, f"Enter the child's date of birth{which}"))
            else:
                problem = birth_date_problem(row.date_of_birth.data, today)
                if problem:
                    problems.append((row.date_of_birth, f"{problem}{which}"))
        return problems

    def show_row_problems(self, problems: list[tuple[Field, str]], *row_lists: FieldList) -> None:
        """Put each problem on its field, and renew the rows' copies of their errors."""
        for field, message in problems:
            field.errors = [*field.errors, message]
        for rows in row_lists:
            # A field list keeps a copy of its rows' errors from validation: renew it.
            errors = [entry.errors for entry in rows.entries]
            rows.errors = errors if any(errors) else []


class RequestForm(FamilyRowsChecks, FlaskForm):
    received_via = RadioField(
        "How did the request reach the Hub?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(ReceivedVia.PHONE.value, "By phone"),
            SelectChoice(ReceivedVia.EMAIL.value, "By email"),
            SelectChoice(ReceivedVia.ONLINE.value, "I am the referrer"),
        ],
        validators=[InputRequired(message="Select how the request reached the Hub")],
    )
    referrer_name = StringField(
        "Referrer's name", widget=GovTextInput(), validators=optional_text(200, "Referrer's name")
    )
    referrer_agency = StringField(
        "Agency or organisation",
        description="For example, the school, health visiting team or charity",
        widget=GovTextInput(),
        validators=optional_text(200, "Agency"),
    )
    referrer_contact = StringField(
        "Phone number or email address",
        description="So the Hub can ask about the request and tell the referrer its outcome",
        widget=GovTextInput(),
        validators=optional_text(300, "Contact details"),
    )

    address = TextAreaField(
        "Address", widget=GovTextArea(), validators=optional_text(500, "Address")
    )
    postcode = StringField(
        "Postcode", widget=GovTextInput(), validators=optional_text(10, "Postcode")
    )
    locality = SelectField(
        "Locality",
        description="The area the family lives in: it decides which team picks the request up",
        widget=GovSelect(),
        default="",
    )

    children = FieldList(FormField(ChildForm), min_entries=CHILD_ROWS, max_entries=CHILD_ROWS)
    carers = FieldList(FormField(CarerForm), min_entries=CARER_ROWS, max_entries=CARER_ROWS)

    reason = TextAreaField(
        "Why are you asking for support?",
        description=(
            "What you are worried about for each child, what the family says, and what "
            "is going well"
        ),
        widget=GovTextArea(),
        validators=[
            DataRequired(message="Enter the reason for the request"),
            Length(max=10_000, message="Reason must be 10,000 characters or fewer"),
        ],
    )
    tried_so_far = TextAreaField(
        "What has been tried so far? (optional)",
        description="Support already given by you or others, and how it went",
        widget=GovTextArea(),
        validators=optional_text(10_000, "What has been tried"),
    )

    significant_harm = BooleanField(
        "I suspect a child is suffering, or is likely to suffer, significant harm",
        description=(
            "The request goes to the Hub as an urgent step up to children's social care. "
            "Consent is not needed."
        ),
        widget=GovCheckboxInput(),
    )
    consent = RadioField(
        "Has the family agreed to this request and to information about them being shared?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[Optional()],
    )
    consent_given_by = StringField(
        "Who gave consent?",
        description="Name and relationship, for example Sarah Turner (mother)",
        widget=GovTextInput(),
        validators=optional_text(200, "Who gave consent"),
    )
    consent_not_needed_reason = TextAreaField(
        "Why was consent not sought? (optional)",
        description="For example, asking would put a child at greater risk",
        widget=GovTextArea(),
        validators=optional_text(2_000, "Why consent was not sought"),
    )

    submit = SubmitField("Send request", widget=GovSubmitInput())

    def __init__(self, *args: Any, recorded_by_hub: bool, localities: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.recorded_by_hub = recorded_by_hub
        if not recorded_by_hub:
            # Anyone else is the referrer themselves, so the request arrives online.
            del self.received_via
        self.locality.choices = [
            SelectChoice("", "Not known"),
            *(SelectChoice(place, place) for place in localities),
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        problems = [
            *self._referrer_problems(),
            *self.postcode_problems(),
            *self.children_problems(),
            *self._carer_problems(),
            *self._consent_problems(),
        ]
        self.show_row_problems(problems, self.children, self.carers)
        return valid and not problems

    @property
    def refers_self(self) -> bool:
        return not self.recorded_by_hub or self.received_via.data == ReceivedVia.ONLINE.value

    def _referrer_problems(self) -> list[tuple[Field, str]]:
        if self.recorded_by_hub and self.received_via.data == ReceivedVia.ONLINE.value:
            return []  # blank details are filled from the coordinator's own account
        required = (
            (self.referrer_name, "Enter the referrer's name"),
            (self.referrer_agency, "Enter the referrer's agency or organisation"),
            (self.referrer_contact, "Enter a phone number or email address for the referrer"),
        )
        return [(field, message) for field, message in required if not _filled(field)]

    def _carer_problems(self) -> list[tuple[Field, str]]:
        rows = [entry.form for entry in self.carers]
        filled = [row for row in rows if not row.is_blank()]
        if not filled:
            return [(rows[0].given_name, "Enter at least one parent or carer")]
        problems: list[tuple[Field, str]] = []
        for number, row in enumerate(rows, start=1):
            if row.is_blank():
                continue
            which = f" (parent or carer {number})" if len(filled) > 1 else ""
            if not _filled(row.given_name):
                problems.append((row.given_name, f"Enter the given name{which}"))
            if not _filled(row.family_name):
                problems.append((row.family_name, f"Enter the family name{which}"))
            if not _filled(row.relationship):
                problems.append(
                    (row.relationship, f"Enter their relationship to the children{which}")
                )
        return problems

    def _consent_problems(self) -> list[tuple[Field, str]]:
        if self.consent.data not in ("yes", "no") and not self.significant_harm.data:
            return [
                (self.consent, "Select whether the family has agreed to the request"),
            ]
        problem = consent_problem(
            bool(self.significant_harm.data),
            self.consent.data == "yes",
            self.consent_given_by.data or "",
            self.consent_not_needed_reason.data or "",
        )
        if problem is None:
            return []
        field = self.consent_given_by if self.consent.data == "yes" else self.consent
        return [(field, problem)]

    def details(self, user: User) -> RequestDetails:
        """The request as the service takes it. Call only after validate()."""
        via = ReceivedVia(self.received_via.data) if self.recorded_by_hub else ReceivedVia.ONLINE
        name, agency, contact = (
            (self.referrer_name.data or "").strip(),
            (self.referrer_agency.data or "").strip(),
            (self.referrer_contact.data or "").strip(),
        )
        if via is ReceivedVia.ONLINE:
            name = name or user.name
            agency = agency or (user.agency.name if user.agency else "")
            contact = contact or user.email
        return RequestDetails(
            received_via=via,
            referrer_name=name,
            referrer_agency=agency,
            referrer_contact=contact,
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
                    given_name=row.given_name.data.strip(),
                    family_name=row.family_name.data.strip(),
                    relationship=row.relationship.data.strip(),
                    parental_responsibility=bool(row.parental_responsibility.data),
                    first_language=(row.first_language.data or "").strip(),
                    needs_interpreter=bool(row.needs_interpreter.data),
                )
                for row in (entry.form for entry in self.carers)
                if not row.is_blank()
            ),
            reason=self.reason.data or "",
            tried_so_far=self.tried_so_far.data or "",
            significant_harm=bool(self.significant_harm.data),
            consent_given=self.consent.data == "yes",
            consent_given_by=self.consent_given_by.data or "",
            consent_not_needed_reason=self.consent_not_needed_reason.data or "",
            address=self.address.data or "",
            postcode=self.postcode.data or "",
            locality=self.locality.data or "",
        )


def _filled(field: Field) -> bool:
    return bool((field.data or "").strip())
