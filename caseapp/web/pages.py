"""Reference pages: the threshold framework in force, accessibility, health."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, url_for
from flask.typing import ResponseReturnValue

from caseapp.web.access import public, signed_in
from caseapp.web.rendering import render_page

bp = Blueprint("pages", __name__)


@bp.route("/framework")
@signed_in
def framework() -> ResponseReturnValue:
    return render_page(
        "pages/framework.html", framework=current_app.extensions["caseapp.framework"]
    )


@bp.route("/accessibility")
@public
def accessibility() -> ResponseReturnValue:
    return render_page("pages/accessibility.html")


@bp.route("/favicon.ico")
@public
def favicon() -> ResponseReturnValue:
    # Browsers ask for this path on their own; answering saves a 404 on every page.
    return redirect(url_for("static", filename="images/favicon.svg"), code=301)


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    return {"status": "ok"}
