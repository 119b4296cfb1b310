"""Requests for support: any signed-in person can ask the Early Help Hub for help."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.roles import Role
from caseapp.models.types import utcnow
from caseapp.services.duplicates import PossibleDuplicate, find_possible_duplicates
from caseapp.services.requests import (
    RequestDetails,
    RequestError,
    localities,
    open_request,
    requests_by_referrer,
    submit_request,
)
from caseapp.web.access import current_actor, signed_in
from caseapp.web.numbers import page_asked_for, whole_number
from caseapp.web.rendering import render_page
from caseapp.web.request_forms import RequestForm

bp = Blueprint("requests", __name__, url_prefix="/requests")

# Posted by the confirmation page's buttons, not part of the request itself.
_CHOICE_FIELDS = frozenset({"csrf_token", "link_family", "action", "submit"})
NEW_FAMILY = "new"


def _request_form() -> RequestForm:
    user = current_user._get_current_object()
    recorded_by_hub = user.has_role(Role.HUB_COORDINATOR)
    # Anyone but the Hub refers in their own name, so their details start filled in.
    prefill = (
        {}
        if recorded_by_hub
        else {
            "referrer_name": user.name,
            "referrer_agency": user.agency.name if user.agency else "",
            "referrer_contact": user.email,
        }
    )
    return RequestForm(recorded_by_hub=recorded_by_hub, localities=localities(), **prefill)


@bp.route("/new", methods=["GET", "POST"])
@signed_in
def new() -> ResponseReturnValue:
    form = _request_form()
    # "Change the request" on the confirmation page brings the form back as it was filled.
    if request.method == "GET" or request.form.get("action") == "change":
        return _show_form(form)
    if not form.validate():
        return _show_form(form)

    details = form.details(current_user._get_current_object())
    choice = request.form.get("link_family", "")
    link_family_id = whole_number(choice)
    if choice != NEW_FAMILY and link_family_id is None:
        choice = ""
    if form.recorded_by_hub and not choice:
        # Only the Hub is shown other families: a referrer may have no right to see them.
        possible = find_possible_duplicates(details.identities)
        if possible:
            return _confirm_family(details, possible)
    try:
        support_request = submit_request(current_actor(), details, link_family_id)
    except RequestError as error:
        if form.recorded_by_hub and choice:
            possible = find_possible_duplicates(details.identities)
            return _confirm_family(details, possible, error, link_family_id)
        return _show_form(form, problem=error.message)
    flash(
        "Your request for support has been sent to the Early Help Hub."
        if support_request.referrer_user_id == current_user.id
        else "The request for support is recorded and waiting in the Hub queue.",
        "success",
    )
    return redirect(url_for("requests.show", request_id=support_request.id))


def _show_form(form: RequestForm, problem: str | None = None) -> ResponseReturnValue:
    return render_page(
        "requests/new.html",
        form=form,
        problem=problem,
        deadlines=current_app.config["CASEAPP_DEADLINES"],
    )


def _confirm_family(
    details: RequestDetails,
    possible: list[PossibleDuplicate],
    error: RequestError | None = None,
    chosen_family_id: int | None = None,
) -> ResponseReturnValue:
    """Nothing is saved yet: the request travels in hidden fields until the coordinator
    links it to a family or confirms the family is new."""
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in _CHOICE_FIELDS
    ]
    return render_page(
        "requests/matches.html",
        details=details,
        possible=possible,
        carried=carried,
        problem=error.message if error else None,
        chosen_family_id=chosen_family_id,
        new_family=NEW_FAMILY,
    )


@bp.route("/<int:request_id>")
@signed_in
def show(request_id: int) -> ResponseReturnValue:
    support_request = open_request(current_actor(), request_id)
    if support_request is None:
        abort(404)
    return render_page("requests/show.html", support_request=support_request, now=utcnow())


@bp.route("/mine")
@signed_in
def mine() -> ResponseReturnValue:
    mine = requests_by_referrer(
        current_user._get_current_object(),
        page=page_asked_for(),
        per_page=current_app.config["CASEAPP_PAGE_SIZE"],
    )
    return render_page("requests/mine.html", fragment="requests", my_requests=mine)
