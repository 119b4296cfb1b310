"""Forms for the Early Help Assessment: starting one, each section, and completing it.

Every section of every child is a small form of its own on the same page, so each form's
fields carry a prefix naming the child and the section: ids stay unique on the page and a
posted form names exactly one section.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextArea
from wtforms import IntegerField, SelectChoice, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from caseapp.domain.assessment import Missing, Section, answer_problems
from caseapp.domain.triage_rules import Problem
from caseapp.models import AssessmentSection, FamilyMember
from caseapp.web.forms import add_problems, error_links
from caseapp.web.numbers import whole_number

COMPLETE_PREFIX = "complete"


def section_prefix(member_id: int, section_key: str) -> str:
    return f"c{member_id}-{section_key}"


class StartAssessmentForm(FlaskForm):
    children = SelectMultipleField(
        "Which children is this assessment about?",
        description="Each child you select has their own sections",
        validate_choice=False,
        widget=GovCheckboxesInput(),
    )

    def chosen(self) -> list[int]:
        numbers = (whole_number(value) for value in self.children.data or ())
        return [number for number in numbers if number is not None]

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback="children")

    def error_list(self) -> list[dict[str, str]]:
        return error_links(self)


def offer_children(form: StartAssessmentForm, children: Sequence[FamilyMember]) -> None:
    form.children.choices = [SelectChoice(str(child.id), child.full_name) for child in children]


def start_form(children: Sequence[FamilyMember], chosen: Sequence[int]) -> StartAssessmentForm:
    """The start form, not yet submitted, with `chosen` ticked."""
    form = StartAssessmentForm(formdata=None, children=[str(i) for i in chosen])
    offer_children(form, children)
    return form


class SectionForm(FlaskForm):
    """The fields every section has; `section_form` adds one text box per question."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    section: Section

    def answers(self) -> dict[str, str]:
        return {question.key: self[question.key].data or "" for question in self.section.questions}

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = answer_problems(self.section, self.answers())
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: Iterable[Problem]) -> None:
        add_problems(self, problems, fallback=self.section.questions[0].key)

    def error_list(self) -> list[dict[str, str]]:
        return error_links(self)

    def show_version(self, version: int) -> None:
        """Carry the section's current version, after the page has shown what changed."""
        self.version.data = version
        self.version.raw_data = [str(version)]


def section_form(
    section: Section,
    member_id: int,
    saved: AssessmentSection | None = None,
    *,
    submitted: bool = False,
) -> SectionForm:
    """One child's section form: as saved, or as just posted when `submitted`."""

    class ThisSectionForm(SectionForm):
        pass

    for question in section.questions:
        setattr(
            ThisSectionForm,
            question.key,
            TextAreaField(question.label, description=question.hint, widget=GovTextArea()),
        )
    prefix = section_prefix(member_id, section.key)
    if submitted:
        form = ThisSectionForm(prefix=prefix)
    else:
        answers: Mapping[str, object] = saved.answers if saved else {}
        form = ThisSectionForm(
            formdata=None,
            prefix=prefix,
            version=saved.version if saved else 0,
            **{q.key: answers.get(q.key, "") for q in section.questions},
        )
    form.section = section
    return form


class CompleteForm(FlaskForm):
    """Only the CSRF token: completing is a decision, with nothing more to type."""


def _missing_text(gap: Missing, name: str) -> str:
    if len(gap.questions) == len(gap.section.questions):
        return f"{name}: answer ‘{gap.section.title}’"
    labels = " and ".join(f"‘{question.label}’" for question in gap.questions)
    return f"{name}: in ‘{gap.section.title}’, answer {labels}"


def missing_links(missing: Sequence[Missing], names: Mapping[int, str]) -> list[dict[str, str]]:
    """The error summary of what is still missing, each linking to its first empty box."""
    return [
        {
            "text": _missing_text(gap, names.get(gap.member_id, "Child")),
            "href": f"#{section_prefix(gap.member_id, gap.section.key)}-{gap.questions[0].key}",
        }
        for gap in missing
    ]
