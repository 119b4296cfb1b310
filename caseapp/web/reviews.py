"""The manager's review queue of step up, step down and closure requests, and the page each
is decided on."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.level_requests import RequestKind, RequestStatus, ReviewDecision
from caseapp.domain.roles import Role
from caseapp.frameworks import Framework
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.family_frame import frame_of
from caseapp.services.level_requests import (
    LevelRequestConflict,
    LevelRequestInvalid,
    LevelRequestNotFound,
    RequestNotAllowed,
)
from caseapp.services.review_queue import (
    DecisionCase,
    decide_request,
    open_decision_case,
    review_queue,
)
from caseapp.web.access import current_actor, roles_required
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.review_forms import ReviewForm
from caseapp.web.triage import when

bp = Blueprint("reviews", __name__, url_prefix="/reviews")


def _framework() -> Framework:
    return current_app.extensions["caseapp.framework"]


@bp.context_processor
def review_context() -> dict[str, object]:
    return {
        "framework": _framework(),
        "now": utcnow(),
        "RequestKind": RequestKind,
        "RequestStatus": RequestStatus,
    }


@bp.get("")
@roles_required(Role.MANAGER)
def queue() -> ResponseReturnValue:
    now = utcnow()
    return render_page(
        "reviews/queue.html",
        queue=review_queue(current_actor(), page_asked_for(), now),
        now=now,
    )


def _decision_page(
    case: DecisionCase,
    form: ReviewForm,
    notice: str | None = None,
    confirmation: str | None = None,
) -> str:
    return render_page(
        "reviews/decide.html",
        fragment="section_content",
        case=case,
        req=case.request,
        form=form,
        frame=frame_of(case),
        section=None,
        notice=notice,
        confirmation=confirmation,
        may_decide=case.may_decide(current_user),
    )


def _case(actor: Actor, level_request_id: int, *, audit: bool) -> DecisionCase:
    try:
        return open_decision_case(actor, level_request_id, audit=audit)
    except LevelRequestNotFound:
        abort(404)


@bp.route("/<int:level_request_id>", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def decide(level_request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    form = ReviewForm()
    case = _case(actor, level_request_id, audit=request.method == "GET")
    if request.method == "GET":
        form.version.data = case.request.version
        return _decision_page(case, form)
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _decision_page(case, form)
    decision = form.chosen()
    # Read now: the decision's commit expires what the page loaded.
    requester = case.request.requested_by.name
    try:
        decide_request(
            actor,
            _framework(),
            level_request_id,
            form.version.data or 0,
            decision,
            form.rationale.data or "",
        )
    except LevelRequestInvalid as invalid:
        form.add_problems(invalid.problems)
        return _decision_page(_case(actor, level_request_id, audit=False), form)
    except RequestNotAllowed as refused:
        return _decision_page(case, form, notice=str(refused))
    except LevelRequestConflict as conflict:
        current = _case(actor, level_request_id, audit=False)
        form.show_version(current.request.version)
        return _decision_page(current, form, notice=_conflict_message(conflict, actor))
    assert decision is not None
    message = {
        ReviewDecision.APPROVE: "Request approved and applied.",
        ReviewDecision.DECLINE: "Request declined.",
        ReviewDecision.RETURN: "Request returned for more information.",
    }[decision] + f" {requester} will see your decision on their home page."
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("reviews.queue"))
    announce_timeline_change()
    return _decision_page(
        _case(actor, level_request_id, audit=False), ReviewForm(formdata=None), confirmation=message
    )


def _conflict_message(conflict: LevelRequestConflict, actor: Actor) -> str:
    current = conflict.current
    if current is None:
        return "This request changed while you were deciding. Nothing you chose was saved."
    last = current.reviews[-1] if current.reviews else None
    if last is None or current.status is RequestStatus.PENDING:
        return "This request changed while you were deciding. Nothing you chose was saved."
    who = "You" if last.by_id == actor.user_id else last.by.name
    return (
        f"{who} {last.action.label.lower()} this request {when(last.at)} while you were "
        f"deciding: it is now {current.status.label.lower()}. Nothing you chose was saved."
    )
