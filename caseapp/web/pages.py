"""Reference pages: the threshold framework in force, accessibility, health."""

from __future__ import annotations

from flask import Blueprint, current_app
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


@bp.route("/healthz")
@public
def health() -> ResponseReturnValue:
    return {"status": "ok"}
