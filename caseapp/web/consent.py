"""The family record's section: consent and its withdrawal.

Everyone who may see the family reads it; its lead worker and a manager of its team
record consent and withdrawal. Both forms post and redirect without JavaScript; with htmx
they replace the section's content in place and the latest-events panel refreshes.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from caseapp.models.types import uk_today
from caseapp.services.casework import NoOpenEpisode
from caseapp.services.consent import (
    ConsentConflict,
    ConsentInvalid,
    ConsentPage,
    consent_page_for_keeping,
    record_consent,
    view_consent,
    withdraw_consent,
)
from caseapp.services.family_frame import frame_of
from caseapp.web.access import current_actor
from caseapp.web.consent_forms import SOMEONE_ELSE, ConsentForm, WithdrawConsentForm
from caseapp.web.family_sections import case_work
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.triage import when

bp = Blueprint("consent", __name__, url_prefix="/families/<int:family_id>/consent")

WITHDRAW_PREFIX = "withdraw"


@bp.errorhandler(NoOpenEpisode)
def _no_open_episode(error: NoOpenEpisode) -> ResponseReturnValue:
    flash("This family has no open episode, so consent cannot be recorded now.", "info")
    return redirect(url_for("consent.show", family_id=error.args[0]))


@bp.context_processor
def consent_context() -> dict[str, object]:
    return {"when": when, "SOMEONE_ELSE": SOMEONE_ELSE}


def _page(
    page: ConsentPage,
    consent_form: ConsentForm | None = None,
    withdraw_form: WithdrawConsentForm | None = None,
    notice: str | None = None,
    conflict: str | None = None,
) -> str:
    current = page.current
    if withdraw_form is None:
        withdraw_form = WithdrawConsentForm(
            formdata=None, prefix=WITHDRAW_PREFIX, withdrawn_on=uk_today()
        )
        if current is not None:
            withdraw_form.show_version(current.id, current.version)
    return render_page(
        "consent/show.html",
        fragment="consent_content",
        page=page,
        # The frame is outside the fragment: an htmx answer does not need it.
        frame=None if wants_fragment() else frame_of(page),
        consent_form=consent_form or ConsentForm(formdata=None, given_on=uk_today()),
        withdraw_form=withdraw_form,
        notice=notice,
        conflict=conflict,
        section="consent",
    )


def _done(page: ConsentPage, message: str) -> ResponseReturnValue:
    if wants_fragment():
        announce_timeline_change()
        return _page(page, notice=message)
    flash(message, "success")
    return redirect(url_for("consent.show", family_id=page.casework.family.id))


@bp.route("")
@case_work
def show(family_id: int) -> ResponseReturnValue:
    return _page(view_consent(current_actor(), family_id, with_frame=not wants_fragment()))


@bp.post("/record")
@case_work
def record(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = ConsentForm()
    if not form.validate_on_submit():
        return _page(consent_page_for_keeping(actor, family_id), consent_form=form)
    try:
        page = record_consent(actor, family_id, form.details())
    except ConsentInvalid as invalid:
        form.add_problems(invalid.problems)
        return _page(invalid.page, consent_form=form)
    return _done(page, "Consent recorded")


@bp.post("/withdraw")
@case_work
def withdraw(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = WithdrawConsentForm(prefix=WITHDRAW_PREFIX)
    if not form.validate_on_submit():
        page = consent_page_for_keeping(actor, family_id)
        if form.consent_id.errors or form.version.errors:
            abort(400)
        return _page(page, withdraw_form=form)
    try:
        page = withdraw_consent(
            actor,
            family_id,
            form.consent_id.data or 0,
            form.version.data or 0,
            form.withdrawn_on.data,
            form.withdrawal_note.data or "",
        )
    except ConsentConflict as conflict:
        current = conflict.page.current
        if current is not None:
            form.show_version(current.id, current.version)
        return _page(conflict.page, withdraw_form=form, conflict=_conflict_message(conflict.page))
    except ConsentInvalid as invalid:
        form.add_problems(invalid.problems)
        return _page(invalid.page, withdraw_form=form)
    return _done(page, "Withdrawal of consent recorded")


def _conflict_message(page: ConsentPage) -> str:
    current = page.current
    if current is not None and current.withdrawn_on and current.withdrawal_recorded_by:
        return (
            f"{current.withdrawal_recorded_by.name} recorded the withdrawal of this consent "
            f"{when(current.withdrawal_recorded_at)} while you were filling in the form. "
            "Nothing you entered was saved."
        )
    return (
        "This consent changed while you were filling in the form. Nothing you entered was "
        "saved. Check the consent below and try again."
    )
