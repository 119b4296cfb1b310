"""Every endpoint declares who may reach it; anything undeclared is refused.

The declaration lives on the view function, so the authorisation matrix test can read
the whole policy from the URL map and a route added without one fails that test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, request
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.roles import Role
from caseapp.services.context import Actor
from caseapp.web.sessions import redirect_to_sign_in

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


@dataclass(frozen=True)
class Access:
    """Who may reach an endpoint. `roles` empty means any signed-in person."""

    public: bool = False
    roles: frozenset[Role] = frozenset()

    def allows(self, roles: frozenset[Role]) -> bool:
        return self.public or not self.roles or bool(self.roles & roles)


PUBLIC = Access(public=True)
SIGNED_IN = Access()


def access(rule: Access) -> Callable[[View], View]:
    def mark(view: View) -> View:
        view.access = rule  # type: ignore[attr-defined]
        return view

    return mark


def public(view: View) -> View:
    return access(PUBLIC)(view)


def signed_in(view: View) -> View:
    return access(SIGNED_IN)(view)


def roles_required(*roles: Role) -> Callable[[View], View]:
    return access(Access(roles=frozenset(roles)))


def access_for_endpoint(app: Flask, endpoint: str | None) -> Access | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def install_access_gate(app: Flask) -> None:
    @app.before_request
    def enforce_access() -> ResponseReturnValue | None:
        rule = access_for_endpoint(app, request.endpoint)
        if rule is not None and rule.public:
            return None
        if not current_user.is_authenticated:
            # Unknown URLs also go to sign-in, so a stranger cannot map which pages exist.
            return redirect_to_sign_in(_safe_next_path())
        if request.endpoint is None:
            return None  # routing will answer 404 or 405
        if rule is None:
            app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
            abort(404)
        if not rule.allows(current_user.roles):
            abort(403)
        return None


def _safe_next_path() -> str | None:
    # Only the path: query strings may carry search terms such as names.
    if request.method != "GET" or request.path == "/":
        return None
    return request.path


def current_actor() -> Actor:
    """The signed-in person and where they are, as services expect them."""
    return Actor(current_user._get_current_object(), request.remote_addr or "")


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: a crafted link or form must not
    send anyone to another site. Browsers read a backslash as a slash, so "/\\evil.example"
    is another site too."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(character) < 32 for character in target):
        return None
    return target
