"""Blueprints, and the request handling every page shares."""

from __future__ import annotations

import traceback
from dataclasses import dataclass

from flask import Flask, Response, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import HTTPException

from caseapp.domain.roles import CASE_ROLES, Role, ordered_roles
from caseapp.extensions import db, login_manager
from caseapp.models import User
from caseapp.services.casework import NotYoursToKeep, RecordNotFound
from caseapp.web import (
    admin,
    assessments,
    audit,
    auth,
    chronology,
    consent,
    disagreements,
    drafts,
    families,
    home,
    hub,
    level_requests,
    manager,
    meetings,
    notes,
    oversight,
    pages,
    plans,
    requests,
    reviews,
    step_downs,
    subject_access,
    triage,
)
from caseapp.web.access import install_access_gate
from caseapp.web.family_sections import FAMILY_SECTIONS
from caseapp.web.formatting import register_formatting
from caseapp.web.rendering import render_page
from caseapp.web.sessions import install_session_timeouts

ERROR_PAGES: dict[int, tuple[str, str]] = {
    400: ("Sorry, there is a problem with that request", "Go back and try again."),
    403: ("You do not have access to this page", "Your roles do not include this page."),
    404: ("Page not found", "If you typed the address, check it is correct."),
    405: ("Sorry, there is a problem with that request", "Go back and try again."),
    429: (
        "Too many attempts",
        "You have tried too many times. Wait a few minutes and try again.",
    ),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. What you were doing has not been saved unless you were told so.",
    ),
}

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


@dataclass(frozen=True)
class NavItem:
    text: str
    endpoint: str


ROLE_NAVIGATION: dict[Role, tuple[NavItem, ...]] = {
    Role.LEAD_WORKER: (NavItem("My caseload", "home.caseload"),),
    Role.HUB_COORDINATOR: (
        NavItem("Hub queue", "hub.queue"),
        NavItem("Step-down from social care", "step_downs.new"),
    ),
    Role.MANAGER: (
        NavItem("Manager's view", "home.manager"),
        NavItem("Review requests", "reviews.queue"),
    ),
    Role.ADMIN: (
        NavItem("Administration", "home.admin"),
        NavItem("Staff accounts", "admin.index"),
        NavItem("Audit log", "audit.search"),
    ),
}


def navigation_for(roles: frozenset[Role]) -> list[NavItem]:
    items = [item for role in ordered_roles(roles) for item in ROLE_NAVIGATION[role]]
    shared = [
        NavItem("Request support", "requests.new"),
        NavItem("Threshold framework", "pages.framework"),
    ]
    if roles & CASE_ROLES:
        shared.insert(0, NavItem("Find a family", "families.search"))
    return [*items, *shared]


def register_web(app: Flask) -> None:
    for module in (
        auth,
        home,
        pages,
        requests,
        hub,
        triage,
        families,
        consent,
        assessments,
        plans,
        meetings,
        notes,
        chronology,
        level_requests,
        reviews,
        subject_access,
        admin,
        audit,
        drafts,
        manager,
        disagreements,
        oversight,
        step_downs,
    ):
        app.register_blueprint(module.bp)

    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        # Checked on every request, so disabling an account ends its sessions at once.
        # The roles come in the same statement: every page asks for them.
        user = (
            db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])
            if user_id.isdigit()
            else None
        )
        return user if user is not None and user.active else None

    # Order matters: an expired session is signed out before access is decided.
    install_session_timeouts(app)
    install_access_gate(app)

    register_formatting(app)

    @app.context_processor
    def layout_context() -> dict[str, object]:
        # Every form field a GOV.UK widget draws is its own render_template, and each one
        # runs the context processors: the navigation is worked out once per request (kept
        # on the request, as an application context can outlive one).
        kept = getattr(request, "caseapp_layout", None)
        if kept is None:
            navigation = navigation_for(current_user.roles) if current_user.is_authenticated else []
            kept = request.caseapp_layout = {
                "navigation": [
                    {
                        "text": item.text,
                        "href": url_for(item.endpoint),
                        "active": request.endpoint == item.endpoint,
                    }
                    for item in navigation
                ],
                "framework_in_force": app.extensions["caseapp.framework"],
                "family_sections": FAMILY_SECTIONS,
            }
        return kept

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        response.vary.add("HX-Request")
        if request.endpoint != "static":
            # Case records must not linger in shared browsers' or proxies' caches.
            response.headers["Cache-Control"] = "no-store"
        return response

    def error_page(status: int) -> tuple[str, int]:
        title, advice = ERROR_PAGES[status]
        return render_page("errors/error.html", status=status, title=title, advice=advice), status

    # Services say why a record cannot be shown or changed; the answers are the error pages.
    @app.errorhandler(RecordNotFound)
    def record_not_found(error: RecordNotFound) -> tuple[str, int]:
        return error_page(404)

    @app.errorhandler(NotYoursToKeep)
    def not_yours_to_keep(error: NotYoursToKeep) -> tuple[str, int]:
        return error_page(403)

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        return error_page(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int] | HTTPException:
        if error.code in ERROR_PAGES:
            return error_page(error.code)
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        # Where it failed, without the exception's message: messages quote values (a
        # name, a date of birth), and logs are read by people who may not see records.
        app.logger.error(
            "unhandled %s on %s %s\n%s",
            type(error).__name__,
            request.method,
            request.endpoint,
            "\n".join(
                f"  {frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(error.__traceback__)
            ),
        )
        return error_page(500)
