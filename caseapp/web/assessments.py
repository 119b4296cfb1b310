"""The family record's section: the Early Help Assessment.

The section shows the family's newest EHA (earlier versions stay readable at their own
address). Each child's sections are small forms that save on their own: without
JavaScript they post and redirect back to the section; with htmx only that section is
replaced. Starting and completing replace the whole assessment in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.assessment import draft_key, section_by_key
from caseapp.frameworks import Framework
from caseapp.models import AssessmentSection
from caseapp.services.assessments import (
    AssessmentCannotStart,
    AssessmentIncomplete,
    AssessmentInvalid,
    AssessmentLocked,
    AssessmentsPage,
    AssessmentView,
    SectionConflict,
    assessments_page_for_keeping,
    complete_assessment,
    framework_sections,
    save_section,
    start_assessment,
    view_assessments,
)
from caseapp.services.casework import NoOpenEpisode
from caseapp.services.family_frame import frame_of
from caseapp.web.access import current_actor
from caseapp.web.assessment_forms import (
    COMPLETE_PREFIX,
    CompleteForm,
    SectionForm,
    StartAssessmentForm,
    missing_links,
    offer_children,
    section_form,
    start_form,
)
from caseapp.web.family_sections import case_work
from caseapp.web.numbers import whole_number
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.triage import when

bp = Blueprint("assessments", __name__, url_prefix="/families/<int:family_id>/assessments")

SectionKey = tuple[int, str]


@bp.errorhandler(NoOpenEpisode)
def _no_open_episode(error: NoOpenEpisode) -> ResponseReturnValue:
    flash("This family has no open episode, so its assessment cannot be changed.", "info")
    return redirect(url_for("assessments.index", family_id=error.args[0]))


@bp.context_processor
def assessment_context() -> dict[str, object]:
    return {"when": when, "draft_key": draft_key}


def _framework() -> Framework:
    return current_app.extensions["caseapp.framework"]


def _section_anchor(member_id: int, section_key: str) -> str:
    return f"eha-{member_id}-{section_key}"


def _section_forms(
    view: AssessmentView | None, posted: Mapping[SectionKey, SectionForm]
) -> dict[SectionKey, SectionForm]:
    """A form for every section of an EHA that can still change; `posted` as sent."""
    if view is None or not view.editable:
        return {}
    return {
        (child.id, section.key): posted.get((child.id, section.key))
        or section_form(section, child.id, view.saved.get((child.id, section.key)))
        for child in view.children
        for section in view.sections
    }


def _names(page: AssessmentsPage) -> dict[int, str]:
    return {member.id: member.given_name for member in page.casework.family.members}


@dataclass(frozen=True)
class SectionMessage:
    """What to tell the person inside one section after they saved it."""

    key: SectionKey
    notice: str | None = None
    refused: str | None = None
    # The section as someone else saved it, when theirs got in first.
    conflict: AssessmentSection | None = None


def _refusal_status() -> int:
    # htmx swaps only successful answers; a page without it is told plainly.
    return 200 if wants_fragment() else 409


def _page(
    page: AssessmentsPage,
    *,
    start: StartAssessmentForm | None = None,
    posted: Mapping[SectionKey, SectionForm] | None = None,
    notice: str | None = None,
    refused: str | None = None,
    incomplete: AssessmentIncomplete | None = None,
    focus: SectionMessage | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    view = page.shown
    if start is None:
        last = page.versions[0].member_ids if page.versions else []
        start = start_form(page.children, last or [child.id for child in page.children])
    body = render_page(
        "assessments/show.html",
        fragment="assessment_content",
        page=page,
        view=view,
        forms=_section_forms(view, posted or {}),
        start_form=start,
        complete_form=CompleteForm(formdata=None, prefix=COMPLETE_PREFIX),
        notice=notice,
        refused=refused,
        missing=missing_links(incomplete.missing, _names(page)) if incomplete else [],
        incomplete_reason=incomplete.reason if incomplete else "",
        focus=focus,
        frame=None if wants_fragment() else frame_of(page),
        section="assessments",
        section_anchor=_section_anchor,
    )
    return body, status


def _section(
    page: AssessmentsPage,
    message: SectionMessage,
    form: SectionForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """One section: the htmx answer to saving it; without htmx, the whole page."""
    posted = {message.key: form} if form is not None else {}
    if not wants_fragment():
        return _page(page, posted=posted, focus=message, status=status)
    view = page.shown
    assert view is not None
    member_id, section_key = message.key
    body = render_page(
        "assessments/_section.html",
        page=page,
        view=view,
        child=next(child for child in view.children if child.id == member_id),
        section=section_by_key(view.sections, section_key),
        forms=_section_forms(view, posted),
        focus=message,
        section_anchor=_section_anchor,
    )
    return body, status


def _viewed(family_id: int, assessment_id: int | None = None) -> ResponseReturnValue:
    page = view_assessments(
        current_actor(), family_id, _framework(), assessment_id, with_frame=not wants_fragment()
    )
    return _page(page)


@bp.route("")
@case_work
def index(family_id: int) -> ResponseReturnValue:
    return _viewed(family_id)


@bp.route("/<int:assessment_id>")
@case_work
def show(family_id: int, assessment_id: int) -> ResponseReturnValue:
    return _viewed(family_id, assessment_id)


@bp.post("/start")
@case_work
def start(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    framework = _framework()
    form = StartAssessmentForm()
    if not form.validate_on_submit():
        assessments_page_for_keeping(actor, family_id, framework)
        abort(400)
    try:
        page = start_assessment(actor, family_id, form.chosen(), framework)
    except AssessmentInvalid as invalid:
        offer_children(form, invalid.page.children)
        form.add_problems(invalid.problems)
        return _page(invalid.page, start=form)
    except AssessmentCannotStart as refused:
        return _page(refused.page, refused=refused.reason, status=_refusal_status())
    view = page.shown
    assert view is not None
    message = f"EHA {view.assessment.number} started. Each section saves on its own."
    if wants_fragment():
        announce_timeline_change()
        return _page(page, notice=message)
    flash(message, "success")
    return redirect(url_for("assessments.index", family_id=family_id))


@bp.post("/<int:assessment_id>/sections")
@case_work
def save(family_id: int, assessment_id: int) -> ResponseReturnValue:
    actor = current_actor()
    framework = _framework()
    section_key = request.args.get("section", "")
    member_text = request.args.get("child", "")
    section = section_by_key(framework_sections(framework), section_key)
    member_id = whole_number(member_text)
    if section is None or member_id is None:
        # Still refuses people who may not keep this record before saying the form is bad.
        assessments_page_for_keeping(actor, family_id, framework, assessment_id)
        abort(400)
    form = section_form(section, member_id, submitted=True)
    if not form.validate_on_submit():
        page = assessments_page_for_keeping(actor, family_id, framework, assessment_id)
        if form.version.errors:
            abort(400)
        return _section(page, SectionMessage((member_id, section_key)), form)
    key = (member_id, section_key)
    try:
        page = save_section(
            actor,
            family_id,
            assessment_id,
            member_id,
            section_key,
            form.version.data or 0,
            form.answers(),
            framework,
        )
    except AssessmentInvalid as invalid:
        form.add_problems(invalid.problems)
        return _section(invalid.page, SectionMessage(key), form)
    except SectionConflict as conflict:
        form.show_version(conflict.current.version)
        message = SectionMessage(
            key, refused=_conflict_message(conflict.current), conflict=conflict.current
        )
        return _section(conflict.page, message, form)
    except AssessmentLocked as locked:
        message = SectionMessage(key, refused=_locked_message(locked.page))
        return _section(locked.page, message, status=_refusal_status())
    child = _names(page).get(member_id, "the child")
    saved = f"{section.title} saved for {child}"
    if wants_fragment():
        announce_timeline_change()
        return _section(page, SectionMessage(key, notice=saved))
    flash(saved, "success")
    return redirect(
        url_for("assessments.show", family_id=family_id, assessment_id=assessment_id)
        + f"#{_section_anchor(member_id, section_key)}"
    )


@bp.post("/<int:assessment_id>/complete")
@case_work
def complete(family_id: int, assessment_id: int) -> ResponseReturnValue:
    actor = current_actor()
    framework = _framework()
    form = CompleteForm(prefix=COMPLETE_PREFIX)
    if not form.validate_on_submit():
        assessments_page_for_keeping(actor, family_id, framework, assessment_id)
        abort(400)
    try:
        page = complete_assessment(actor, family_id, assessment_id, framework)
    except AssessmentIncomplete as incomplete:
        return _page(incomplete.page, incomplete=incomplete)
    except AssessmentLocked as locked:
        return _page(locked.page, refused=_locked_message(locked.page), status=_refusal_status())
    view = page.shown
    assert view is not None
    message = (
        f"EHA {view.assessment.number} completed. It can no longer be changed: a later "
        "reassessment will be a new version."
    )
    if wants_fragment():
        announce_timeline_change()
        return _page(page, notice=message)
    flash(message, "success")
    return redirect(url_for("assessments.show", family_id=family_id, assessment_id=assessment_id))


def _conflict_message(current: AssessmentSection) -> str:
    return (
        f"{current.updated_by.name} saved this section {when(current.updated_at)} while you "
        "were editing it. What they saved is shown below, and your text is still in the "
        "boxes: check both, then save again to replace theirs."
    )


def _locked_message(page: AssessmentsPage) -> str:
    view = page.shown
    assessment = view.assessment if view else None
    if assessment is not None and assessment.completed_by is not None:
        return (
            f"Nothing was saved: {assessment.completed_by.name} completed EHA "
            f"{assessment.number} {when(assessment.completed_at)}. A completed assessment "
            "cannot be changed; start a reassessment instead."
        )
    return "Nothing was saved: this assessment belongs to an earlier episode and cannot change."
