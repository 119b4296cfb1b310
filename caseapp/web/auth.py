"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user

from caseapp.services.accounts import authenticate, record_sign_out
from caseapp.web.access import public, signed_in
from caseapp.web.forms import SignInForm
from caseapp.web.rendering import render_page

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Enter a correct email address and password"


def _local_path(target: str | None) -> str | None:
    # Only same-site paths, so a crafted link cannot bounce someone to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@bp.route("/sign-in", methods=["GET", "POST"])
@public
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
            return redirect(_local_path(request.args.get("next")) or url_for("home.index"))
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
