"""The family record's section: professional disagreements, raised, escalated and resolved
in place."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from caseapp.models import Disagreement
from caseapp.services.casework import FamilyNotFound
from caseapp.services.disagreements import (
    DisagreementConflict,
    DisagreementInvalid,
    DisagreementNotFound,
    DisagreementState,
    escalate_disagreement,
    raise_disagreement,
    resolve_disagreement,
    view_disagreements,
)
from caseapp.web.access import current_actor
from caseapp.web.disagreement_forms import (
    EscalateForm,
    RaiseDisagreementForm,
    ResolveForm,
    resolve_on_hint,
)
from caseapp.web.family_sections import case_work
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.triage import when

bp = Blueprint("disagreements", __name__, url_prefix="/families/<int:family_id>/disagreements")


@dataclass(frozen=True)
class Posted:
    """The card form a person just sent, to show again with its errors or outcome."""

    disagreement_id: int
    form: FlaskForm
    message: str = ""
    conflict: DisagreementState | None = None


def escalate_form(disagreement: Disagreement) -> EscalateForm:
    return EscalateForm(
        formdata=None, prefix=f"escalate-{disagreement.id}", version=disagreement.version
    )


def resolve_form(disagreement: Disagreement) -> ResolveForm:
    return ResolveForm(
        formdata=None, prefix=f"resolve-{disagreement.id}", version=disagreement.version
    )


def conflict_message(state: DisagreementState) -> str:
    return (
        f"{state.changed_by_name} {state.change} this disagreement {when(state.changed_at)} "
        "while you were working on it. Nothing you entered was saved. Check what it says "
        "now, below."
    )


def _page(
    family_id: int,
    raise_form: RaiseDisagreementForm | None = None,
    posted: Posted | None = None,
    fragment: str | None = None,
    notice: str = "",
) -> str:
    try:
        page = view_disagreements(current_actor(), family_id)
    except FamilyNotFound:
        abort(404)
    settings = current_app.config["CASEAPP_DEADLINES"]
    card = None
    if posted is not None:
        card = next((d for d in page.disagreements if d.id == posted.disagreement_id), None)
        if card is None:
            abort(404)
    return render_page(
        "disagreements/index.html",
        fragment=fragment,
        frame=page.frame,
        section="disagreements",
        page=page,
        raise_form=raise_form or RaiseDisagreementForm(formdata=None),
        resolve_on_hint=resolve_on_hint(settings.disagreement_working_days),
        escalate_form=escalate_form,
        resolve_form=resolve_form,
        posted=posted,
        disagreement=card,
        notice=notice,
        now=page.now,
    )


@bp.get("")
@case_work
def index(family_id: int) -> ResponseReturnValue:
    return _page(family_id)


@bp.post("")
@case_work
def raise_(family_id: int) -> ResponseReturnValue:
    form = RaiseDisagreementForm()
    if form.validate_on_submit():
        try:
            raise_disagreement(
                current_actor(),
                family_id,
                form.parties.data or "",
                form.disputed.data or "",
                form.resolve_on.data,
                current_app.config["CASEAPP_DEADLINES"],
            )
        except FamilyNotFound:
            abort(404)
        except DisagreementInvalid as invalid:
            form.add_problems(invalid.problems)
        else:
            message = "Disagreement recorded. Resolve it by the date shown."
            if wants_fragment():
                announce_timeline_change()
                return _page(family_id, fragment="disagreements", notice=message)
            flash(message, "success")
            return redirect(url_for("disagreements.index", family_id=family_id))
    return _page(family_id, raise_form=form, fragment="disagreements")


def _card_response(family_id: int, posted: Posted, success: bool) -> ResponseReturnValue:
    if success and not wants_fragment():
        flash(posted.message, "success")
        return redirect(url_for("disagreements.index", family_id=family_id))
    if success:
        announce_timeline_change()
    return _page(family_id, posted=posted, fragment="disagreement_card")


@bp.post("/<int:disagreement_id>/escalate")
@case_work
def escalate(family_id: int, disagreement_id: int) -> ResponseReturnValue:
    form = EscalateForm(prefix=f"escalate-{disagreement_id}")
    if not form.validate_on_submit():
        return _card_response(family_id, Posted(disagreement_id, form), success=False)
    try:
        escalated = escalate_disagreement(
            current_actor(),
            family_id,
            disagreement_id,
            form.version.data or 0,
            form.reason.data or "",
            form.resolve_on.data,
            current_app.config["CASEAPP_DEADLINES"],
        )
    except (FamilyNotFound, DisagreementNotFound):
        abort(404)
    except DisagreementInvalid as invalid:
        form.add_problems(invalid.problems)
        return _card_response(family_id, Posted(disagreement_id, form), success=False)
    except DisagreementConflict as conflict:
        return _card_response(
            family_id,
            Posted(disagreement_id, form, conflict_message(conflict.current), conflict.current),
            success=False,
        )
    message = f"Escalated to stage {escalated.stage}."
    return _card_response(family_id, Posted(disagreement_id, form, message), success=True)


@bp.post("/<int:disagreement_id>/resolve")
@case_work
def resolve(family_id: int, disagreement_id: int) -> ResponseReturnValue:
    form = ResolveForm(prefix=f"resolve-{disagreement_id}")
    if not form.validate_on_submit():
        return _card_response(family_id, Posted(disagreement_id, form), success=False)
    try:
        resolve_disagreement(
            current_actor(),
            family_id,
            disagreement_id,
            form.version.data or 0,
            form.resolution.data or "",
        )
    except (FamilyNotFound, DisagreementNotFound):
        abort(404)
    except DisagreementInvalid as invalid:
        form.add_problems(invalid.problems)
        return _card_response(family_id, Posted(disagreement_id, form), success=False)
    except DisagreementConflict as conflict:
        return _card_response(
            family_id,
            Posted(disagreement_id, form, conflict_message(conflict.current), conflict.current),
            success=False,
        )
    return _card_response(family_id, Posted(disagreement_id, form, "Resolution recorded."), True)
