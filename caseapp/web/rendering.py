"""One template serves both the full page and the fragment HTMX asks for."""

from __future__ import annotations

from typing import Any

from flask import render_template
from htmx_flask import request
from jinja2_fragments.flask import render_block


def wants_fragment() -> bool:
    # A history restore needs the whole page: the browser has nothing to swap it into.
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(template: str, fragment: str | None = None, **context: Any) -> str:
    """Render `template`, or only its block `fragment` for an HTMX request."""
    if fragment is not None and wants_fragment():
        return render_block(template, fragment, **context)
    return render_template(template, **context)
