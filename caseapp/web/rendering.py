"""One template serves both the full page and the fragment HTMX asks for."""

from __future__ import annotations

from typing import Any

from flask import Response, after_this_request, render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    # A history restore needs the whole page: the browser has nothing to swap it into;
    # so does a boosted link aimed at no element of its own, which replaces the body.
    return (
        bool(request.htmx)
        and not request.htmx.history_restore_request
        and not (request.htmx.boosted and not request.htmx.target)
    )


# The event a page's latest-events panel listens for (hx-trigger="timeline-changed
# from:body") to fetch the family's newest events.
TIMELINE_CHANGED = "timeline-changed"


def announce_timeline_change() -> None:
    """Tell the page that sent this htmx request that the family's chronology has new
    events, so its timeline panel refreshes without a page load."""

    @after_this_request
    def add_trigger(response: Response) -> Response:
        response.headers["HX-Trigger"] = TIMELINE_CHANGED
        return response


def render_page(template: str, fragment: str | None = None, **context: Any) -> str:
    """Render `template`, or only its block `fragment` for an HTMX request."""
    if fragment is not None and wants_fragment():
        return render_block(template, fragment, **context)
    return render_template(template, **context)
