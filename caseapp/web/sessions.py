"""Session lifetime: signed out after a quiet spell, and after a working day regardless.

A protected form posted after the session ended is not lost: what was posted is kept as
the person's draft, and after signing in again they return to the form with it restored.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from htmx_flask import request as htmx_request

from caseapp.domain.sessions import session_expired
from caseapp.services.drafts import DRAFT_KEY_FIELD, DraftRejected, save_draft, valid_draft_key

SIGNED_IN_AT = "signed_in_at"
LAST_ACTIVE = "last_active"
SESSION_ENDED = "You were signed out because your session ended. Sign in again to continue."
SESSION_ENDED_WORK_KEPT = (
    "You were signed out because your session ended. What you typed has been kept: "
    "sign in again to carry on where you left off."
)
# Asked for by the page's script, which shows the session-ended notice itself.
SCRIPT_ENDPOINTS = frozenset({"drafts.save", "drafts.keep_alive"})


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
            kept = request.method == "POST" and _keep_what_was_posted(current_user.id)
            logout_user()
            session.clear()
            if request.endpoint in SCRIPT_ENDPOINTS:
                return Response(status=401)
            flash(SESSION_ENDED_WORK_KEPT if kept else SESSION_ENDED)
            return redirect_to_sign_in(
                page_in_browser() if request.method == "GET" or kept else None
            )
        session[LAST_ACTIVE] = now
        return None


def page_in_browser() -> str:
    """The path of the page in the browser: for an htmx request, the page that sent it."""
    current = request.headers.get("HX-Current-URL") if htmx_request.htmx else None
    return urlsplit(current).path if current else request.path


def _keep_what_was_posted(user_id: int) -> bool:
    """Keep a protected form's post as its author's draft. The signed session still says
    who they are, and only an active account gets this far (the user loader refuses
    others); the post passed the CSRF check before this runs."""
    form_key = request.form.get(DRAFT_KEY_FIELD, "")
    if not valid_draft_key(form_key):
        return False
    try:
        save_draft(user_id, form_key, request.form.items(multi=True))
    except DraftRejected:
        return False
    return True
