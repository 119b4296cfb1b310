"""Session lifetime: signed out after a quiet spell, and after a working day regardless."""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from htmx_flask import request as htmx_request

from caseapp.domain.sessions import session_expired

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE = "last_active"


def start_session_clock() -> None:
    now = time.time()
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVE] = now


def redirect_to_sign_in(next_path: str | None = None) -> ResponseReturnValue:
    target = url_for("auth.sign_in", next=next_path)
    if htmx_request.htmx:
        # htmx would swap the sign-in page into the fragment; send the whole window there.
        response = Response(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def install_session_timeouts(app: Flask) -> None:
    @app.before_request
    def end_expired_session() -> ResponseReturnValue | None:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = time.time()
        idle = current_app.config["CASEAPP_SESSION_IDLE_MINUTES"] * 60
        lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
        absolute = lifetime.total_seconds() if hasattr(lifetime, "total_seconds") else lifetime
        signed_in_at = session.get(SIGNED_IN_AT)
        last_active = session.get(LAST_ACTIVE)
        if (
            signed_in_at is None
            or last_active is None
            or session_expired(now, signed_in_at, last_active, idle, absolute)
        ):
            logout_user()
            session.clear()
            flash("You were signed out because your session ended. Sign in again to continue.")
            return redirect_to_sign_in(request.path if request.method == "GET" else None)
        session[LAST_ACTIVE] = now
        return None
