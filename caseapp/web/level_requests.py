"""Asking for a step up, step down or closure, the request's own page (where a returned
request gets its further information, or is withdrawn), and reopening a closed family."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.level_requests import RequestKind, RequestStatus
from caseapp.domain.transitions import may_request
from caseapp.domain.triage_rules import indicators_field, level_field
from caseapp.frameworks import Framework
from caseapp.services.casework import FamilyNotFound
from caseapp.services.context import Actor
from caseapp.services.family_frame import frame_of
from caseapp.services.level_requests import (
    LevelRequestConflict,
    LevelRequestInvalid,
    LevelRequestNotFound,
    RequestForm,
    RequestNotAllowed,
    RequestPage,
    load_request_form,
    open_request_page,
    resubmit_level_request,
    submit_level_request,
    withdraw_level_request,
)
from caseapp.services.reopening import may_reopen, reopen_family
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.formatting import uk_date
from caseapp.web.level_request_forms import (
    TARGET_HINTS,
    LevelRequestForm,
    ReopenForm,
    ResubmitForm,
    WithdrawForm,
    level_request_form,
)
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment

bp = Blueprint("level_requests", __name__)

_KINDS = frozenset(kind.value for kind in RequestKind)


def _framework() -> Framework:
    return current_app.extensions["caseapp.framework"]


@bp.context_processor
def level_request_context() -> dict[str, object]:
    return {
        "framework": _framework(),
        "level_field": level_field,
        "indicators_field": indicators_field,
        "RequestKind": RequestKind,
        "RequestStatus": RequestStatus,
        "target_hints": TARGET_HINTS,
    }


@bp.app_template_filter("uk_date_iso")
def uk_date_iso(value: str) -> str:
    """A date or time kept as ISO 8601 text (a request's evidence snapshot), as a UK date."""
    try:
        # A day alone stays a day; a moment (with its zone) is shown in England's time.
        parsed = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
        return uk_date(parsed)
    except (TypeError, ValueError):
        return value


# --- asking ------------------------------------------------------------------------------------


def _kind_asked() -> RequestKind | None:
    value = request.values.get("kind", "")
    return RequestKind(value) if value in _KINDS else None


def _request_form(actor: Actor, case: RequestForm, kind: RequestKind) -> LevelRequestForm:
    episode = case.episode
    leads = episode is not None and episode.lead_worker_id == actor.user_id
    targets = tuple(
        target
        for target in case.targets(kind)
        if episode is not None
        and may_request(actor.user.roles, episode.status, kind, target, leads_episode=leads)
    )
    form = level_request_form(case.children, _framework(), kind, targets)
    if not form.is_submitted() and episode is not None:
        form.version.data = episode.version
        if len(targets) == 1:
            form.target.data = targets[0].value
    return form


def _form_page(
    case: RequestForm,
    kind: RequestKind | None,
    form: LevelRequestForm | None,
    notice: str | None = None,
) -> str:
    return render_page(
        "level_requests/new.html",
        fragment="section_content",
        case=case,
        kind=kind,
        form=form,
        notice=notice,
        frame=frame_of(case),
        section=None,
        may_reopen=may_reopen(current_actor().user.roles),
    )


@bp.route("/families/<int:family_id>/level-requests/new", methods=["GET", "POST"])
@case_work
def new(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        kind = _kind_asked()
        case = load_request_form(actor, family_id, kind, audit=request.method == "GET")
    except FamilyNotFound:
        abort(404)
    if kind is None or kind not in case.kinds or case.open_request_id is not None:
        if request.method == "POST":
            abort(400)
        # The choice of request, or why none can be made now.
        return _form_page(case, None, None)
    form = _request_form(actor, case, kind)
    if not form.validate_on_submit():
        if form.is_submitted() and form.version.errors:
            abort(400)
        return _form_page(case, kind, form)
    try:
        made = submit_level_request(
            actor, _framework(), family_id, form.version.data or 0, form.choices()
        )
    except LevelRequestInvalid as invalid:
        form.add_problems(invalid.problems)
        return _form_page(case, kind, form)
    except (RequestNotAllowed, LevelRequestConflict) as error:
        current = load_request_form(actor, family_id, kind)
        message = (
            str(error)
            if isinstance(error, RequestNotAllowed)
            else "The family's episode changed while you were writing (for example, the Hub "
            "or a manager moved it on). Nothing was sent. Check the details and send it again."
        )
        if current.episode is not None:
            form.show_version(current.episode.version)
        return _form_page(current, kind, form, notice=message)
    message = f"{made.kind.label} request sent. A manager will decide it."
    if made.urgent:
        message = "Urgent step up sent: it is at the top of the manager's queue and the Hub's."
    return _after_change(made.id, message)


def _after_change(request_id: int, message: str) -> ResponseReturnValue:
    """Post/Redirect/Get without JavaScript; with htmx, the request's page in place."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(url_for("level_requests.show", level_request_id=request_id))
    announce_timeline_change()
    page = open_request_page(current_actor(), request_id, audit=False)
    response = current_app.make_response(_show_page(page, confirmation=message))
    response.headers["HX-Push-Url"] = url_for("level_requests.show", level_request_id=request_id)
    return response


# --- the request's page --------------------------------------------------------------------


def _show_page(
    page: RequestPage,
    resubmit: ResubmitForm | None = None,
    notice: str | None = None,
    confirmation: str | None = None,
) -> str:
    version = page.request.version
    if resubmit is None:
        resubmit = ResubmitForm(formdata=None, version=version)
    return render_page(
        "level_requests/show.html",
        fragment="section_content",
        page=page,
        req=page.request,
        resubmit=resubmit,
        withdraw=WithdrawForm(formdata=None, version=version),
        frame=frame_of(page),
        section=None,
        notice=notice,
        confirmation=confirmation,
    )


@bp.get("/level-requests/<int:level_request_id>")
@case_work
def show(level_request_id: int) -> ResponseReturnValue:
    try:
        page = open_request_page(current_actor(), level_request_id)
    except LevelRequestNotFound:
        abort(404)
    return _show_page(page)


@bp.post("/level-requests/<int:level_request_id>/resubmit")
@case_work
def resubmit(level_request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        page = open_request_page(actor, level_request_id, audit=False)
    except LevelRequestNotFound:
        abort(404)
    form = ResubmitForm()
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _show_page(page, resubmit=form)
    try:
        resubmit_level_request(
            actor, level_request_id, form.version.data or 0, form.further_information.data or ""
        )
    except LevelRequestInvalid as invalid:
        form.add_problems(invalid.problems)
        return _show_page(page, resubmit=form)
    except (RequestNotAllowed, LevelRequestConflict) as error:
        return _changed(actor, level_request_id, form, error)
    return _after_change(level_request_id, "Further information sent. The manager will decide.")


@bp.post("/level-requests/<int:level_request_id>/withdraw")
@case_work
def withdraw(level_request_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        # Whether the request is the person's to see comes before whether the form is valid.
        open_request_page(actor, level_request_id, audit=False)
    except LevelRequestNotFound:
        abort(404)
    form = WithdrawForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        withdraw_level_request(actor, level_request_id, form.version.data or 0)
    except LevelRequestNotFound:
        abort(404)
    except (RequestNotAllowed, LevelRequestConflict) as error:
        return _changed(actor, level_request_id, None, error)
    return _after_change(level_request_id, "Request withdrawn.")


def _changed(
    actor: Actor, level_request_id: int, form: ResubmitForm | None, error: Exception
) -> ResponseReturnValue:
    """The request changed (or is not this person's): show it as it is now, keep what they
    typed, and say nothing was saved."""
    try:
        page = open_request_page(actor, level_request_id, audit=False)
    except LevelRequestNotFound:
        abort(404)
    if isinstance(error, RequestNotAllowed):
        notice = str(error)
    else:
        notice = (
            f"This request changed while you had it open: it is now "
            f"{page.request.status.label.lower()}. Nothing you sent was saved."
        )
    if form is not None:
        form.show_version(page.request.version)
    return _show_page(page, resubmit=form, notice=notice)


# --- reopening ------------------------------------------------------------------------------


@bp.route("/families/<int:family_id>/reopen", methods=["GET", "POST"])
@case_work
def reopen(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    if not may_reopen(actor.user.roles):
        abort(403)
    form = ReopenForm()
    try:
        case = load_request_form(actor, family_id, audit=request.method == "GET")
    except FamilyNotFound:
        abort(404)
    notice = None
    if case.episode is None and form.validate_on_submit():
        try:
            reopen_family(
                actor, family_id, form.reason.data or "", form.consent_given_by.data or ""
            )
        except LevelRequestInvalid as invalid:
            for problem in invalid.problems:
                form[problem.field].errors = [problem.message]
        except RequestNotAllowed as refused:
            notice = str(refused)
        else:
            flash(
                "Early help reopened. The family is in the Hub queue as a new request.", "success"
            )
            return redirect(url_for("families.show", family_id=family_id))
    return render_page(
        "level_requests/reopen.html",
        case=case,
        form=form,
        notice=notice,
        frame=frame_of(case),
        section=None,
    )
