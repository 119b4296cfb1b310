"""Forms for asking for a step up, step down or closure, and for adding the information a
manager asked for. A request names a level and indicators for each child, so its form
class is built for the family in hand, as the triage form is; its validation is the
domain's (caseapp/domain/level_requests.py), so the page shows what the service refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length
from wtforms.widgets import HiddenInput

from caseapp.domain.episodes import ClosureReason
from caseapp.domain.level_requests import (
    REQUESTABLE_CLOSURE_REASONS,
    ChildChange,
    LevelRequestChoices,
    RequestKind,
    RequestTarget,
    level_request_problems,
    resubmission_problems,
)
from caseapp.domain.triage_rules import Problem, indicators_field, level_field
from caseapp.frameworks import Framework
from caseapp.models import FamilyMember

# The form helpers triage already has: one message per field, and carrying a new version.
from caseapp.web.forms import add_problems, set_hidden
from caseapp.web.triage_forms import add_child_level_fields

_TARGETS = frozenset(target.value for target in RequestTarget)
_REASONS = frozenset(reason.value for reason in ClosureReason)

TARGET_HINTS: dict[RequestTarget, str] = {
    RequestTarget.LEVEL: "The family stays in early help at the levels you choose below.",
    RequestTarget.UNIVERSAL: (
        "Early help ends: the episode closes once a manager approves. Choose the universal "
        "level for every child."
    ),
    RequestTarget.SOCIAL_CARE: (
        "The family is referred to children's social care once a manager approves."
    ),
}


class LevelRequestForm(FlaskForm):
    """The fields every request has; `level_request_form` adds each child's."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    kind = StringField(widget=HiddenInput())
    children = SelectMultipleField("Which children is this request for?", validate_choice=False)
    target = RadioField(
        "Where would the request take them?",
        choices=[SelectChoice(target.value, target.label) for target in RequestTarget],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    urgent = BooleanField(
        "Significant harm is suspected",
        description=(
            "Urgent: goes to the top of the manager's queue and the Hub queue, and needs no "
            "consent from the family."
        ),
        widget=GovCheckboxInput(),
    )
    closure_reason = RadioField(
        "Reason for closure",
        choices=[
            SelectChoice(reason.value, reason.label) for reason in REQUESTABLE_CLOSURE_REASONS
        ],
        validate_choice=False,
        widget=GovRadioInput(),
    )
    closure_detail = StringField(
        "If other, the reason",
        widget=GovTextInput(),
        validators=[Length(max=2000, message="Reason must be 2,000 characters or fewer")],
    )
    after_closure = TextAreaField(
        "What will be in place for the family after closure",
        description=(
            "For example, the school nurse keeps in touch; the family know how to ask again."
        ),
        widget=GovTextArea(),
        validators=[Length(max=5000, message="This must be 5,000 characters or fewer")],
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why this change, now: what has changed for the children and family.",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Rationale must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Send to a manager", widget=GovSubmitInput())

    family_children: Sequence[FamilyMember]
    framework: Framework
    request_kind: RequestKind
    allowed_targets: tuple[RequestTarget, ...]

    def chosen_children(self) -> tuple[FamilyMember, ...]:
        if self.request_kind is RequestKind.CLOSURE:
            return tuple(self.family_children)
        chosen = set(self.children.data or ())
        return tuple(child for child in self.family_children if str(child.id) in chosen)

    def choices(self) -> LevelRequestChoices:
        target = self.target.data if self.target.data in _TARGETS else None
        reason = self.closure_reason.data if self.closure_reason.data in _REASONS else None
        return LevelRequestChoices(
            kind=self.request_kind,
            target=RequestTarget(target) if target else None,
            rationale=self.rationale.data or "",
            children=tuple(
                ChildChange(
                    member_id=child.id,
                    given_name=child.given_name,
                    from_level_code=child.current_level_code,
                    to_level_code=(
                        ""
                        if self.request_kind is RequestKind.CLOSURE
                        else self[level_field(child.id)].data or ""
                    ),
                    indicator_codes=tuple(self[indicators_field(child.id)].data or ()),
                )
                for child in self.chosen_children()
            ),
            urgent=bool(self.urgent.data),
            closure_reason=ClosureReason(reason) if reason else None,
            closure_detail=self.closure_detail.data or "",
            after_closure=self.after_closure.data or "",
        )

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = level_request_problems(
            self.choices(),
            self.framework,
            self.allowed_targets,
            frozenset(child.id for child in self.family_children),
        )
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: Sequence[Problem]) -> None:
        add_problems(self, problems, fallback="rationale")

    def error_list(self) -> list[dict[str, str]]:
        """The error summary's links, in the order the page asks the questions."""
        order = ["children", "target", "urgent"]
        for child in self.family_children:
            order += [level_field(child.id), indicators_field(child.id)]
        order += ["closure_reason", "closure_detail", "after_closure", "rationale", "version"]
        return [
            {"text": self[name].errors[0], "href": f"#{self[name].id}"}
            for name in order
            if self[name].errors
        ]

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)


def level_request_form(
    children: Sequence[FamilyMember],
    framework: Framework,
    kind: RequestKind,
    allowed_targets: tuple[RequestTarget, ...],
) -> LevelRequestForm:
    """A request form with a level and indicators for each of the family's `children`."""

    class FamilyLevelRequestForm(LevelRequestForm):
        pass

    add_child_level_fields(
        FamilyLevelRequestForm, children, framework, "Level you are asking for {given_name}"
    )
    form = FamilyLevelRequestForm(kind=kind.value)
    form.family_children = children
    form.framework = framework
    form.request_kind = kind
    form.allowed_targets = allowed_targets
    return form


class ResubmitForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    further_information = TextAreaField(
        "Further information",
        description="Answer what the manager asked. What you add is kept with the request.",
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Information must be 10,000 characters or fewer")],
    )
    submit = SubmitField("Send back to the manager", widget=GovSubmitInput())

    def validate(self, extra_validators: dict[str, list[Callable[..., Any]]] | None = None) -> bool:
        parsed = super().validate(extra_validators)
        problems = resubmission_problems(self.further_information.data or "")
        self.add_problems(problems)
        return parsed and not problems

    def add_problems(self, problems: Sequence[Problem]) -> None:
        add_problems(self, problems, fallback="further_information")

    def show_version(self, version: int) -> None:
        set_hidden(self.version, version)


class WithdrawForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        "Why is early help being reopened?",
        description=(
            "What has happened since the last episode closed. The Hub triages it as a new request."
        ),
        widget=GovTextArea(),
        validators=[Length(max=10000, message="Reason must be 10,000 characters or fewer")],
    )
    consent_given_by = StringField(
        "Who gave consent to share information? (optional)",
        description="Name and relationship, if the family have agreed. Leave blank if not yet.",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    submit = SubmitField("Reopen and send to the Hub", widget=GovSubmitInput())
