"""Each role's home page, and the landing route that picks one."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.roles import Role
from caseapp.web.access import roles_required, signed_in
from caseapp.web.rendering import render_page

bp = Blueprint("home", __name__)

ROLE_HOME_ENDPOINTS: dict[Role, str] = {
    Role.LEAD_WORKER: "home.caseload",
    Role.HUB_COORDINATOR: "hub.queue",
    Role.MANAGER: "home.manager",
    Role.ADMIN: "home.admin",
}


@bp.route("/")
@signed_in
def index() -> ResponseReturnValue:
    role = current_user.primary_role
    if role is None:
        abort(403)
    return redirect(url_for(ROLE_HOME_ENDPOINTS[role]))


@bp.route("/caseload")
@roles_required(Role.LEAD_WORKER)
def caseload() -> ResponseReturnValue:
    return render_page("home/caseload.html")


@bp.route("/manager")
@roles_required(Role.MANAGER)
def manager() -> ResponseReturnValue:
    return render_page("home/manager.html")


@bp.route("/admin")
@roles_required(Role.ADMIN)
def admin() -> ResponseReturnValue:
    return render_page("home/admin.html")
