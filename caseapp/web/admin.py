"""Administration: staff accounts. Administrators see no case records through this."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from caseapp.domain.roles import Role
from caseapp.services.accounts import AccountError
from caseapp.services.staff import (
    StaffDetails,
    create_staff_account,
    find_staff,
    organisation_choices,
    set_account_active,
    staff_page,
    update_staff_account,
)
from caseapp.web.access import current_actor, roles_required
from caseapp.web.admin_forms import NewStaffForm, StaffForm
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import render_page

bp = Blueprint("admin", __name__, url_prefix="/admin/users")


def _details(form: StaffForm) -> StaffDetails:
    return StaffDetails(
        name=form.name.data or "",
        email=form.email.data or "",
        job_title=form.job_title.data or "",
        roles={Role(value) for value in form.roles.data or []},
        agency_id=form.agency_id.data,
        team_id=form.team_id.data,
    )


@bp.route("")
@roles_required(Role.ADMIN)
def index() -> ResponseReturnValue:
    search = request.args.get("q", "")
    page = staff_page(search, page_asked_for(), current_app.config["CASEAPP_PAGE_SIZE"])
    return render_page("admin/users.html", fragment="results", page=page, search=search)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new() -> ResponseReturnValue:
    form = NewStaffForm()
    form.set_organisations(*organisation_choices())
    if form.validate_on_submit():
        try:
            user = create_staff_account(current_actor(), _details(form), form.password.data or "")
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(f"Account created for {user.name}.", "success")
            return redirect(url_for("admin.index"))
    return render_page("admin/user_form.html", form=form, user=None)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit(user_id: int) -> ResponseReturnValue:
    user = find_staff(user_id)
    if user is None:
        abort(404)
    form = StaffForm(obj=user)
    form.set_organisations(*organisation_choices())
    if request.method == "GET":
        form.roles.data = [role.value for role in user.roles]
    if form.validate_on_submit():
        try:
            update_staff_account(current_actor(), user_id, _details(form))
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            flash(f"Saved changes to {user.name}'s account.", "success")
            return redirect(url_for("admin.index"))
    return render_page("admin/user_form.html", form=form, user=user)


@bp.route("/<int:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def set_active(user_id: int) -> ResponseReturnValue:
    active = request.form.get("active") == "true"
    try:
        user = set_account_active(current_actor(), user_id, active)
    except LookupError:
        abort(404)
    except AccountError as error:
        flash(str(error))
        return redirect(url_for("admin.edit", user_id=user_id))
    flash(f"{user.name} can {'now' if active else 'no longer'} sign in.", "success")
    return redirect(url_for("admin.edit", user_id=user_id))
