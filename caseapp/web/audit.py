"""The audit trail, read: a family's access log for managers, and the admin search."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import Length

from caseapp.domain.roles import Role
from caseapp.services.audit_views import (
    ACTION_LABELS,
    AuditSearch,
    family_access_log,
    parse_family_reference,
    search_audit_log,
)
from caseapp.services.family_view import TimelineCursor
from caseapp.web.access import current_actor, roles_required
from caseapp.web.fields import GovDateField
from caseapp.web.numbers import page_asked_for
from caseapp.web.rendering import render_page

bp = Blueprint("audit", __name__)


@bp.route("/families/<int:family_id>/access-log")
@roles_required(Role.MANAGER)
def family_access(family_id: int) -> ResponseReturnValue:
    before_text = request.args.get("before", "")
    try:
        before = TimelineCursor.decode(before_text) if before_text else None
    except ValueError:
        abort(400)
    page = family_access_log(
        current_actor(), family_id, before, current_app.config["CASEAPP_PAGE_SIZE"]
    )
    if page is None:
        abort(404)
    return render_page("audit/family_access.html", log=page, first_page=before is None)


class AuditSearchForm(FlaskForm):
    class Meta:
        # A GET search changes nothing; its address is meant to be kept and shared.
        csrf = False

    person = StringField(
        "Person",
        widget=GovTextInput(),
        description="Part of their name or email address",
        validators=[Length(max=200, message="Person must be 200 characters or fewer")],
    )
    action = SelectField(
        "What they did",
        widget=GovSelect(),
        choices=[SelectChoice("", "Anything")]
        + [
            SelectChoice(code, label[0].upper() + label[1:])
            for code, label in ACTION_LABELS.items()
        ],
        default="",
    )
    date_from = GovDateField("From", allow_future=False, description="For example, 27 3 2026")
    date_to = GovDateField("To", allow_future=False, description="For example, 27 3 2026")
    family = StringField(
        "Family reference",
        widget=GovTextInput(),
        description="For example, F000012",
        validators=[Length(max=20, message="Family reference must be 20 characters or fewer")],
    )

    def validate_date_to(self, field: GovDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("To must be the same as or after From")

    def validate_family(self, field: StringField) -> None:
        if (field.data or "").strip() and parse_family_reference(field.data) is None:
            raise ValidationError("Enter a family reference like F000012")

    def criteria(self) -> AuditSearch:
        family = (self.family.data or "").strip()
        return AuditSearch(
            person=(self.person.data or "").strip(),
            action=self.action.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            family_id=parse_family_reference(family) if family else None,
        )


@bp.route("/admin/audit")
@roles_required(Role.ADMIN)
def search() -> ResponseReturnValue:
    form = AuditSearchForm(request.args)
    results = None
    if form.validate():
        results = search_audit_log(
            current_actor(),
            form.criteria(),
            page_asked_for(),
            current_app.config["CASEAPP_PAGE_SIZE"],
        )
    search_args = {key: values for key, values in request.args.lists() if key != "page"}
    return render_page(
        "audit/search.html",
        fragment="results",
        form=form,
        results=results,
        page_url=lambda number: url_for("audit.search", page=number, **search_args),
    )
