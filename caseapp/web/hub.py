"""The Early Help Hub queue: the coordinator's home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, make_response, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from htmx_flask import request

from caseapp.domain.queue_rules import page_numbers
from caseapp.domain.roles import Role
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.hub_queue import QueuePage, hub_queue
from caseapp.web.access import roles_required
from caseapp.web.hub_forms import QueueFilterForm, query_args
from caseapp.web.rendering import render_page, wants_fragment

bp = Blueprint("hub", __name__, url_prefix="/hub")

# The element filtering and paging swap; an HTMX request aimed at it gets only the results.
RESULTS_ID = "queue-results"


@bp.route("")
@roles_required(Role.HUB_COORDINATOR)
def queue() -> ResponseReturnValue:
    framework = current_app.extensions["caseapp.framework"]
    form = QueueFilterForm(request.args, framework)
    page = hub_queue(
        Actor(current_user._get_current_object(), request.remote_addr or ""),
        form.to_filters(),
        request.args.get("page", default=1, type=int),
        utcnow(),
    )
    form.set_options(page.options)
    form.show(page.filters)
    fragment = "results" if request.htmx.target == RESULTS_ID else None
    response = make_response(
        render_page(
            "hub/queue.html",
            fragment=fragment,
            form=form,
            queue=page,
            pagination=pagination(page),
            level_names={level.code: level.name for level in framework.levels},
            results_id=RESULTS_ID,
            # The live summary sits outside the swapped results; a swap updates it too.
            update_summary=fragment is not None and wants_fragment(),
        )
    )
    if fragment is not None and wants_fragment():
        # The address bar shows the tidy form of the state, not the form's empty fields.
        response.headers["HX-Push-Url"] = page_url(page, page.page)
    return response


def page_url(page: QueuePage, number: int) -> str:
    """The address of page `number` of the queue with the same filters."""
    return url_for("hub.queue", **query_args(page.filters), page=number if number > 1 else None)


def pagination(page: QueuePage) -> dict[str, Any] | None:
    """Parameters for the GOV.UK pagination component; each link also swaps in place."""
    if page.page_count == 1:
        return None

    def link(number: int) -> dict[str, Any]:
        href = page_url(page, number)
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
