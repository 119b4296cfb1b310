"""The family record's section: the filtered chronology, its printable page and CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import Blueprint, Response, abort, redirect, url_for
from flask.typing import ResponseReturnValue
from htmx_flask import request

from caseapp.domain.chronology import csv_cell
from caseapp.domain.working_days import UK_TIME
from caseapp.models.types import uk_today
from caseapp.services.casework import FamilyNotFound
from caseapp.services.chronology import (
    ChronologyEntry,
    ChronologyExport,
    ExportFormat,
    export_chronology,
    view_chronology,
)
from caseapp.services.family_view import TimelineCursor
from caseapp.web.access import current_actor
from caseapp.web.chronology_forms import FILTER_PARAMETERS, ChronologyFilterForm
from caseapp.web.family_sections import case_work
from caseapp.web.rendering import render_page, wants_fragment

bp = Blueprint("chronology", __name__, url_prefix="/families/<int:family_id>/chronology")

CSV_COLUMNS = ("Date and time (UK)", "Event type", "Child", "By whom", "Summary")


def _filter_args() -> dict[str, list[str]]:
    """The filter's query parameters as sent, to carry to the print page and the export."""
    return {key: request.args.getlist(key) for key in FILTER_PARAMETERS if key in request.args}


@bp.route("")
@case_work
def show(family_id: int) -> ResponseReturnValue:
    cursor_text = request.args.get("after", "")
    try:
        after = TimelineCursor.decode(cursor_text) if cursor_text else None
    except ValueError:
        abort(400)
    form = ChronologyFilterForm(request.args)
    parsed = form.validate()
    try:
        chronology = view_chronology(
            current_actor(), family_id, form.filters() if parsed else None, after
        )
    except FamilyNotFound:
        abort(404)
    form.for_children(chronology.children).add_problems(chronology.problems)
    return render_page(
        "chronology/show.html",
        fragment=_fragment(after),
        chronology=chronology,
        frame=chronology.frame,
        form=form,
        section="chronology",
        filter_args=_filter_args(),
        live=wants_fragment(),
    )


def _fragment(after: TimelineCursor | None) -> str:
    """The block an htmx request gets: the next events for "Show more events"; the results
    for a choice in the filter (by its htmx target); the form and results when it is sent."""
    if after is not None:
        return "chronology_items"
    if request.htmx.target == "chronology-results":
        return "chronology_results"
    return "chronology"


def _export(family_id: int, export_format: ExportFormat) -> ChronologyExport | Response:
    """The whole filtered chronology, or a redirect to the chronology page, which shows
    what is wrong with a filter that cannot be applied."""
    form = ChronologyFilterForm(request.args)
    back = redirect(url_for("chronology.show", family_id=family_id, **_filter_args()))
    if not form.validate():
        return back
    try:
        export = export_chronology(current_actor(), family_id, form.filters(), export_format)
    except FamilyNotFound:
        abort(404)
    if export.problems:
        return back
    return export


@bp.route("/print")
@case_work
def print_view(family_id: int) -> ResponseReturnValue:
    export = _export(family_id, "print")
    if isinstance(export, Response):
        return export
    return render_page(
        "chronology/print.html",
        export=export,
        family=export.family,
        filter_args=_filter_args(),
        today=uk_today(),
    )


@bp.route("/export.csv")
@case_work
def export_csv(family_id: int) -> ResponseReturnValue:
    export = _export(family_id, "csv")
    if isinstance(export, Response):
        return export
    # Only the family's reference and the date: a file name travels further than its file.
    filename = f"chronology-{export.family.reference}-{uk_today().isoformat()}.csv"
    return Response(
        _csv_lines(export.entries),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_lines(entries: Iterator[ChronologyEntry]) -> Iterator[str]:
    # A byte order mark, so Excel reads the file as UTF-8 and names keep their accents.
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(
            csv_cell(value)
            for value in (
                f"{entry.occurred_at.astimezone(UK_TIME):%d/%m/%Y %H:%M}",
                entry.what,
                entry.about,
                entry.who,
                entry.summary,
            )
        )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
