"""The Early Help Hub queue: the coordinator's home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, redirect, url_for
from flask.typing import ResponseReturnValue
from htmx_flask import request
from werkzeug.datastructures import MultiDict

from caseapp.domain.queue_rules import page_numbers
from caseapp.domain.roles import Role
from caseapp.models.types import utcnow
from caseapp.services.hub_queue import QueuePage, hub_queue
from caseapp.web.access import current_actor, roles_required
from caseapp.web.hub_forms import QueueFilterForm, query_args
from caseapp.web.numbers import page_asked_for
from caseapp.web.private_search import TOKEN_ARGUMENT, recall, remember
from caseapp.web.rendering import render_page, wants_fragment

bp = Blueprint("hub", __name__, url_prefix="/hub")

# The element filtering and paging swap; an HTMX request aimed at it gets only the results.
RESULTS_ID = "queue-results"


@bp.route("", methods=["GET", "POST"])
@roles_required(Role.HUB_COORDINATOR)
def queue() -> ResponseReturnValue:
    framework = current_app.extensions["caseapp.framework"]
    fields, name_token = _queue_fields()
    form = QueueFilterForm(fields, framework)
    page = hub_queue(
        current_actor(),
        form.to_filters(),
        page_asked_for(),
        utcnow(),
    )
    if request.method == "POST" and not wants_fragment():
        # Post/Redirect/Get, with the filters in the address and a typed name out of it.
        return redirect(page_url(page, 1, name_token))
    form.set_options(page.options)
    form.show(page.filters)
    # This page's own requests (its filters and page links) all swap the results: an htmx
    # request gets them unless it names another element to swap.
    fragment = "results" if request.htmx.target in (None, RESULTS_ID) else None
    response = make_response(
        render_page(
            "hub/queue.html",
            fragment=fragment,
            form=form,
            queue=page,
            pagination=pagination(page, name_token),
            level_names={level.code: level.name for level in framework.levels},
            results_id=RESULTS_ID,
            # The live summary sits outside the swapped results; a swap updates it too.
            update_summary=fragment is not None and wants_fragment(),
        )
    )
    if fragment is not None and wants_fragment():
        # The address bar shows the tidy form of the state, not the form's empty fields.
        response.headers["HX-Push-Url"] = page_url(page, page.page, name_token)
    return response


def _queue_fields() -> tuple[MultiDict[str, str], str | None]:
    """The filters: posted, or from the address. A name or reference typed in the search
    box is kept in the session (web/private_search.py) and the address holds only its
    token, so names never reach browser history or logs; the other filters stay in the
    address, where a bookmark can keep them."""
    if request.method == "POST":
        fields = request.form.copy()
        typed = fields.get("q", "").strip()
        return fields, remember(MultiDict([("q", typed)])) if typed else None
    fields = request.args.copy()
    fields.pop("q", None)
    token = request.args.get(TOKEN_ARGUMENT)
    kept = recall(token).get("q", "")
    if kept:
        fields["q"] = kept
    return fields, token if kept else None


def page_url(page: QueuePage, number: int, name_token: str | None = None) -> str:
    """The address of page `number` of the queue with the same filters."""
    args = {name: value for name, value in query_args(page.filters).items() if name != "q"}
    return url_for(
        "hub.queue",
        **args,
        s=name_token if page.filters.search else None,
        page=number if number > 1 else None,
    )


def pagination(page: QueuePage, name_token: str | None) -> dict[str, Any] | None:
    """Parameters for the GOV.UK pagination component; each link also swaps in place."""
    if page.page_count == 1:
        return None

    def link(number: int) -> dict[str, Any]:
        href = page_url(page, number, name_token)
        return {"href": href, "attributes": {"hx-get": href}}

    items: list[dict[str, Any]] = [
        {"ellipsis": True}
        if number is None
        else {"number": number, "current": number == page.page, **link(number)}
        for number in page_numbers(page.page, page.page_count)
    ]
    return {
        "landmarkLabel": "Pages of the queue",
        "previous": link(page.page - 1) if page.page > 1 else None,
        "next": link(page.page + 1) if page.page < page.page_count else None,
        "items": items,
    }
