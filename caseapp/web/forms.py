"""Forms shared across blueprints."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, Field, FieldList, Form, IntegerField, PasswordField, SubmitField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from caseapp.domain.triage_rules import Problem
from caseapp.web.fields import GovDateField


def _all_fields(form: Form) -> Iterator[Field]:
    """Every field of the form by its posted name, rows of repeatable fields included."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field.entries:
                yield from _all_fields(entry.form)
        else:
            yield field


def add_problems(form: Form, problems: Iterable[Problem], fallback: str) -> None:
    """Show each problem a domain rule found on the field it names (or on `fallback`)."""
    # Problems name a field as the form declares it, or (in repeatable rows, or a form
    # with a prefix) by its posted name.
    fields: dict[str, Field] = dict(form._fields)
    for field in _all_fields(form):
        fields.setdefault(field.name, field)
    for problem in problems:
        field = fields.get(problem.field) or fields[fallback]
        # One message per field: the first problem is the one to fix first.
        if not field.errors:
            field.errors = [problem.message]


def optional_text(max_length: int, label: str) -> list[Any]:
    """Validators for a text box that may be left empty, with GOV.UK's length message."""
    return [
        Optional(),
        Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
    ]


def set_hidden(field: IntegerField, value: int) -> None:
    """Set a hidden field (a record's id or version) so it renders `value` even after a
    post: the page then carries the record as it is now."""
    field.data = value
    field.raw_data = [str(value)]


def error_links(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's links, in the order the form asks its questions. A date links to
    its first box, the day, as GOV.UK's date input expects; radios and checkboxes to their
    first option, whose id is the field's."""
    return [
        {
            "text": field.errors[0],
            "href": f"#{field.id}{'-day' if isinstance(field, GovDateField) else ''}",
        }
        for field in form
        if field.errors and not isinstance(field.widget, HiddenInput)
    ]


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter your password"),
            Length(max=128, message="Password must be 128 characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())
