"""Each role's home page, and the landing route that picks one."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from caseapp.domain.roles import Role
from caseapp.models.types import utcnow
from caseapp.services.caseload import caseload_for
from caseapp.services.level_requests import decisions_for_requester
from caseapp.services.manager_view import manager_dashboard
from caseapp.services.requests import requests_by_referrer
from caseapp.web.access import current_actor, roles_required, signed_in
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
    actor = current_actor()
    # Read before the caseload, whose record of this visit ends the page's transaction.
    my_requests = requests_by_referrer(actor.user)
    decisions = decisions_for_requester(actor.user)
    return render_page(
        "home/caseload.html",
        caseload=caseload_for(actor, current_app.config["CASEAPP_DEADLINES"], utcnow()),
        my_requests=my_requests,
        decisions=decisions,
    )


@bp.route("/manager")
@roles_required(Role.MANAGER)
def manager() -> ResponseReturnValue:
    # Read before the dashboard, whose record of this visit ends the page's transaction.
    my_requests = requests_by_referrer(current_user)
    dashboard = manager_dashboard(
        current_actor(),
        current_app.extensions["caseapp.framework"],
        current_app.config["CASEAPP_DEADLINES"],
        utcnow(),
    )
    return render_page("home/manager.html", dashboard=dashboard, my_requests=my_requests)


@bp.route("/admin")
@roles_required(Role.ADMIN)
def admin() -> ResponseReturnValue:
    return render_page("home/admin.html", my_requests=requests_by_referrer(current_user))
