"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from flask_login import current_user, login_user, logout_user

from caseapp.extensions import limiter
from caseapp.services.accounts import (
    authenticate,
    normalise_email,
    record_sign_in_throttled,
    record_sign_out,
)
from caseapp.web.access import local_path, public, signed_in
from caseapp.web.forms import SignInForm
from caseapp.web.rendering import render_page
from caseapp.web.sessions import start_session_clock

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Enter a correct email address and password"


def _account_key() -> str:
    return "sign-in-account:" + normalise_email(request.form.get("email", ""))


def _audit_throttled(limit: RequestLimit) -> None:
    record_sign_in_throttled(request.form.get("email", ""), request.remote_addr or "")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    on_breach=_audit_throttled,
)
@limiter.limit(
    lambda: current_app.config["CASEAPP_SIGN_IN_FAILURES_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    # Only failures count towards locking an account: a person who signs in is not locked.
    deduct_when=lambda response: response.status_code != 302,
    on_breach=_audit_throttled,
)
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignInForm()
    if form.validate_on_submit():
        user = authenticate(
            form.email.data or "", form.password.data or "", request.remote_addr or ""
        )
        if user is not None:
            # A fresh session at sign-in, so nothing set before it (fixation) survives.
            session.clear()
            login_user(user)
            session.permanent = True
            start_session_clock()
            return redirect(local_path(request.args.get("next")) or url_for("home.index"))
        # One message for both fields: saying which was wrong would confirm the account.
        form.email.errors.append(WRONG_CREDENTIALS)
    return render_page("auth/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
@signed_in
def sign_out() -> ResponseReturnValue:
    record_sign_out(current_user._get_current_object(), request.remote_addr or "")
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))
