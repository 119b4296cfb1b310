"""The chronology's filters: a GET form, so a filtered chronology has a URL that can be
bookmarked, printed and exported as it is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
)
from wtforms import (
    BooleanField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    ValidationError,
)

from caseapp.domain.chronology import ChronologyFilter, ChronologyOrder
from caseapp.domain.timeline import EventCategory
from caseapp.domain.triage_rules import Problem
from caseapp.models import FamilyMember
from caseapp.web.fields import GovDateField
from caseapp.web.numbers import whole_number

_CATEGORIES = frozenset(category.value for category in EventCategory)
_ORDERS = frozenset(order.value for order in ChronologyOrder)
# The query parameters that are the filter (not the page): carried to print and export.
FILTER_PARAMETERS = ("category", "child", "child_only", "date_from", "date_to", "order")


class ChronologyFilterForm(FlaskForm):
    class Meta:
        # A GET filter changes nothing, and its URL is meant to be shared and bookmarked.
        csrf = False

    category = SelectMultipleField(
        "Types of event",
        description="Leave all unticked to see every type.",
        choices=[SelectChoice(category.value, category.label) for category in EventCategory],
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )
    # Choices are the family's children, set for the family in hand (see for_children).
    child = SelectField("Child", validate_choice=False, widget=GovSelect())
    child_only = BooleanField(
        "Leave out events about the whole family",
        widget=GovCheckboxInput(),
    )
    date_from = GovDateField("Date from", description="For example, 1 9 2026")
    date_to = GovDateField("Date to", description="For example, 27 11 2026")
    order = RadioField(
        "Order",
        choices=[SelectChoice(order.value, order.label) for order in ChronologyOrder],
        default=ChronologyOrder.NEWEST_FIRST.value,
        validate_choice=False,
        widget=GovRadioInput(),
    )

    def for_children(self, children: Sequence[FamilyMember]) -> ChronologyFilterForm:
        self.child.choices = [SelectChoice("", "All children")] + [
            SelectChoice(str(child.id), child.full_name) for child in children
        ]
        return self

    def validate_category(self, field: SelectMultipleField) -> None:
        if not set(field.data or ()) <= _CATEGORIES:
            raise ValidationError("Choose types of event from the list")

    def validate_child(self, field: SelectField) -> None:
        value = field.data or ""
        if value and whole_number(value) is None:
            raise ValidationError("Choose a child from the list")

    def validate_order(self, field: RadioField) -> None:
        if (field.data or "") not in _ORDERS:
            raise ValidationError("Choose newest first or oldest first")

    def filters(self) -> ChronologyFilter:
        """The filter as chosen; call only after the form has validated."""
        child = self.child.data or ""
        return ChronologyFilter(
            categories=frozenset(EventCategory(value) for value in self.category.data or ()),
            member_id=int(child) if child else None,
            child_only=bool(self.child_only.data),
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            order=ChronologyOrder(self.order.data),
        )

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            field: Field = self[problem.field]
            if not field.errors:
                field.errors = [problem.message]
