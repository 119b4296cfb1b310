"""The family page, its timeline, and family search."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField, ValidationError
from wtforms.validators import Length

from caseapp.domain.names import name_key
from caseapp.services.family_frame import overview_frame
from caseapp.services.family_search import (
    MIN_NAME_LETTERS,
    FamilySearch,
    parse_postcode_query,
    search_families,
)
from caseapp.services.family_view import (
    TimelineCursor,
    view_family,
    view_latest_events,
    view_timeline,
)
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.fields import GovDateField
from caseapp.web.numbers import page_asked_for
from caseapp.web.private_search import search_fields
from caseapp.web.rendering import render_page, wants_fragment

bp = Blueprint("families", __name__, url_prefix="/families")


class FamilySearchForm(FlaskForm):
    class Meta:
        # A GET search changes nothing, and its URL is meant to be shared and bookmarked.
        csrf = False

    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="A child's or adult's name, or the start of it, for example Mai Tur",
        validators=[Length(max=200, message="Name must be 200 characters or fewer")],
    )
    date_of_birth = GovDateField(
        "Date of birth", allow_future=False, description="For example, 27 3 2019"
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        description="The whole postcode, or the first part, for example MF1",
        validators=[Length(max=10, message="Postcode must be 10 characters or fewer")],
    )

    def validate_name(self, field: StringField) -> None:
        letters = name_key(field.data or "")
        if (field.data or "").strip() and len(letters) < MIN_NAME_LETTERS:
            raise ValidationError(f"Enter at least {MIN_NAME_LETTERS} letters of a name")

    def validate_postcode(self, field: StringField) -> None:
        if (field.data or "").strip() and parse_postcode_query(field.data) is None:
            raise ValidationError(
                "Enter a real postcode, like MF1 1AA, or the first part of one, like MF1"
            )

    def criteria(self) -> FamilySearch:
        postcode = (self.postcode.data or "").strip()
        return FamilySearch(
            name=(self.name.data or "").strip(),
            date_of_birth=self.date_of_birth.data,
            postcode=parse_postcode_query(postcode) if postcode else None,
        )


@bp.route("/<int:family_id>")
@case_work
def show(family_id: int) -> ResponseReturnValue:
    page = view_family(
        current_actor(),
        family_id,
        current_app.extensions["caseapp.framework"],
        current_app.config["CASEAPP_DEADLINES"],
    )
    if page is None:
        abort(404)
    return render_page(
        "families/show.html",
        page=page,
        family=page.family,
        frame=overview_frame(current_actor(), page),
        live=False,
    )


@bp.route("/<int:family_id>/timeline")
@case_work
def timeline(family_id: int) -> ResponseReturnValue:
    before_text = request.args.get("before", "")
    try:
        before = TimelineCursor.decode(before_text) if before_text else None
    except ValueError:
        abort(400)
    page = view_timeline(current_actor(), family_id, before)
    if page is None:
        abort(404)
    return render_page(
        "families/timeline.html",
        fragment="timeline_items",
        timeline=page,
        family=page.family,
        live=wants_fragment(),
    )


@bp.route("/<int:family_id>/latest-events")
@case_work
def latest_events(family_id: int) -> ResponseReturnValue:
    """The latest-events panel, fetched again by htmx after a change; a browser without
    JavaScript never asks for it, and is sent to the whole timeline if it does."""
    latest = view_latest_events(current_actor(), family_id)
    if latest is None:
        abort(404)
    if not wants_fragment():
        return redirect(url_for("families.timeline", family_id=family_id))
    return render_page("families/_latest_events.html", latest=latest)


@bp.route("/search", methods=["GET", "POST"])
@case_work
def search() -> ResponseReturnValue:
    fields, token = search_fields()
    if request.method == "POST" and not wants_fragment():
        # Post/Redirect/Get: the address keeps only the token, never what was typed.
        return redirect(url_for("families.search", s=token))
    form = FamilySearchForm(fields)
    results = None
    if form.validate():
        criteria = form.criteria()
        if not criteria.is_empty:
            results = search_families(
                current_actor(),
                criteria,
                page=page_asked_for(),
                page_size=current_app.config["CASEAPP_PAGE_SIZE"],
            )
    response = make_response(
        render_page(
            "families/search.html",
            fragment="results",
            form=form,
            results=results,
            search_args={"s": token} if token else {},
            live=wants_fragment(),
        )
    )
    if request.method == "POST":
        response.headers["HX-Push-Url"] = url_for("families.search", s=token)
    return response
