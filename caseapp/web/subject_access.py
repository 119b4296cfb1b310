"""Subject access: everything held about one family member, as a page and as JSON."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app
from flask.typing import ResponseReturnValue

from caseapp.domain.roles import Role
from caseapp.domain.timeline import EventKind
from caseapp.services.data_protection import (
    STAFF_COLUMNS,
    SubjectAccessExport,
    subject_access_export,
)
from caseapp.web.access import current_actor, roles_required
from caseapp.web.rendering import render_page

bp = Blueprint("subject_access", __name__, url_prefix="/families")


def _export(family_id: int, member_id: int) -> SubjectAccessExport:
    export = subject_access_export(current_actor(), family_id, member_id)
    if export is None:
        abort(404)
    return export


_KNOWN_KINDS = frozenset(kind.value for kind in EventKind)


def _event_label(kind: str) -> str:
    # Kinds added after an event was written still read sensibly.
    return EventKind(kind).label if kind in _KNOWN_KINDS else kind.replace("_", " ").capitalize()


def _level_name(code: str | None) -> str:
    framework = current_app.extensions["caseapp.framework"]
    if not code:
        return "Not recorded"
    # A code from an earlier framework is shown as stored rather than dropped.
    return framework.level(code).name if framework.has_level(code) else code


@bp.route("/<int:family_id>/members/<int:member_id>/subject-access")
@roles_required(Role.MANAGER)
def show(family_id: int, member_id: int) -> ResponseReturnValue:
    export = _export(family_id, member_id)
    return render_page(
        "subject_access/show.html",
        export=export,
        event_label=_event_label,
        level_name=_level_name,
        staff_columns=STAFF_COLUMNS,
    )


@bp.route("/<int:family_id>/members/<int:member_id>/subject-access.json")
@roles_required(Role.MANAGER)
def download(family_id: int, member_id: int) -> ResponseReturnValue:
    export = _export(family_id, member_id)
    body = json.dumps(export.as_json(), indent=2, ensure_ascii=False)
    # The file name carries ids only: names are personal data and file names leak.
    filename = f"subject-access-{export.family.reference}-member-{member_id}.json"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
