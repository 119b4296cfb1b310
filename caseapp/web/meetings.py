"""The family record's section: Team Around the Family (TAF) meetings.

Arrange a meeting, record it (attendees, views, progress scores, decisions, new actions
and the next date), move or cancel it. Every form works as a plain POST with a redirect;
with htmx the same form posts to the same URL and the section is swapped in place.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from caseapp.domain.casework import MeetingStatus
from caseapp.domain.meetings import default_next_meeting_on
from caseapp.domain.working_days import UK_TIME
from caseapp.models import TafMeeting
from caseapp.models.types import uk_today
from caseapp.services.casework import (
    FamilyNotFound,
    NoOpenEpisode,
    NotYoursToKeep,
    load_casework,
)
from caseapp.services.family_frame import frame_of
from caseapp.services.meetings import (
    MeetingConflict,
    MeetingInvalid,
    MeetingNotFound,
    MeetingState,
    RecordCase,
    cancel_meeting,
    find_staff,
    load_meeting_to_change,
    load_record_case,
    open_meeting_to_change,
    open_record_case,
    record_meeting,
    reschedule_meeting,
    schedule_meeting,
    staff_choice,
    view_meeting,
    view_meetings,
)
from caseapp.web.access import current_actor
from caseapp.web.family_sections import case_work
from caseapp.web.formatting import uk_date, uk_time
from caseapp.web.meeting_forms import (
    CancelMeetingForm,
    ChangeMeetingForm,
    RecordForm,
    ScheduleForm,
    comment_field,
    record_form,
    score_field,
)
from caseapp.web.numbers import whole_number
from caseapp.web.rendering import announce_timeline_change, render_page, wants_fragment
from caseapp.web.triage import when

bp = Blueprint("meetings", __name__, url_prefix="/families/<int:family_id>/meetings")

# The part of a family section page an htmx form swaps.
SECTION = "section_content"
# Why a meeting cannot be opened for changing: not visible, not there, not theirs to keep,
# or its episode closed (the meeting then belongs to the record, not to current work).
CASE_REFUSALS = (FamilyNotFound, MeetingNotFound, NotYoursToKeep, NoOpenEpisode)


@bp.context_processor
def meetings_context() -> dict[str, object]:
    return {
        "MeetingStatus": MeetingStatus,
        "score_field": score_field,
        "comment_field": comment_field,
    }


def _push_url(url: str) -> None:
    """After an htmx swap of another page's content, show that page's address."""

    @after_this_request
    def add_header(response: Response) -> Response:
        response.headers["HX-Push-Url"] = url
        return response


def _done(message: str, url: str, page: Callable[[str], str]) -> ResponseReturnValue:
    """Post/Redirect/Get; for htmx, the page the redirect would show (`page` renders it
    with the success message), its address, and word that the chronology changed."""
    if not wants_fragment():
        flash(message, "success")
        return redirect(url)
    announce_timeline_change()
    _push_url(url)
    return page(message)


def _refused(error: Exception) -> ResponseReturnValue:
    if isinstance(error, NotYoursToKeep):
        abort(403)
    abort(404)


# --- the list, the charts and arranging a meeting ------------------------------------------


def _index_page(
    family_id: int, form: ScheduleForm | None = None, success: str | None = None
) -> str:
    page = view_meetings(current_actor(), family_id)
    return render_page(
        "meetings/index.html",
        fragment=SECTION,
        page=page,
        frame=page.frame,
        section="meetings",
        form=form or ScheduleForm(formdata=None),
        success=success,
    )


@bp.route("")
@case_work
def index(family_id: int) -> ResponseReturnValue:
    try:
        return _index_page(family_id)
    except FamilyNotFound:
        abort(404)


@bp.post("/new")
@case_work
def schedule(family_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        # Refused before the form is read: only whoever keeps the record arranges meetings.
        load_casework(actor, family_id, keeping=True)
    except (FamilyNotFound, NotYoursToKeep) as error:
        return _refused(error)
    except NoOpenEpisode:
        flash("This family has no open episode, so no meeting can be arranged.", "info")
        return redirect(url_for("meetings.index", family_id=family_id))
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            meeting = schedule_meeting(
                actor, family_id, form.on.data, form.at.data or "", form.location.data or ""
            )
        except MeetingInvalid as invalid:
            form.add_problems(invalid.problems)
        else:
            return _done(
                f"{meeting.kind.label} arranged for {_on_at(meeting)}",
                url_for("meetings.index", family_id=family_id),
                lambda success: _index_page(family_id, success=success),
            )
    return _index_page(family_id, form)


def _on_at(meeting: TafMeeting | MeetingState) -> str:
    return f"{uk_date(meeting.at)} at {uk_time(meeting.at)}"


# --- one meeting ---------------------------------------------------------------------------


def _show_page(family_id: int, meeting_id: int, success: str | None = None) -> str:
    view = view_meeting(current_actor(), family_id, meeting_id)
    return render_page(
        "meetings/show.html",
        fragment=SECTION,
        view=view,
        frame=view.frame,
        section="meetings",
        success=success,
    )


@bp.route("/<int:meeting_id>")
@case_work
def show(family_id: int, meeting_id: int) -> ResponseReturnValue:
    try:
        return _show_page(family_id, meeting_id)
    except (FamilyNotFound, MeetingNotFound):
        abort(404)


def changed_message(current: MeetingState, viewer_id: int) -> str:
    """What happened to the meeting while the person had it open, and that nothing of
    theirs was saved."""
    yours = current.changed_by_id == viewer_id
    who = "You" if yours else (current.changed_by or "Someone")
    where = " in another window" if yours else ""
    moment = when(current.changed_at)
    match current.status:
        case MeetingStatus.HELD:
            what = f"{who} recorded this meeting {moment}{where}"
        case MeetingStatus.CANCELLED:
            what = f"{who} cancelled this meeting {moment}{where}"
        case _:
            place = f", at {current.location}" if current.location else ""
            what = (
                f"{who} changed this meeting {moment}{where}: it is now on {_on_at(current)}{place}"
            )
    return f"{what}. Nothing you entered was saved."


# --- recording a meeting -------------------------------------------------------------------


def _new_record_form(case: RecordCase) -> RecordForm:
    settings = current_app.config["CASEAPP_DEADLINES"]
    held_on = min(case.meeting.at.astimezone(UK_TIME).date(), uk_today())
    form = record_form(
        case.open_outcomes,
        uk_today(),
        held_on=held_on,
        next_meeting_on=default_next_meeting_on(held_on, settings.taf_review_weeks),
    )
    if not form.is_submitted():
        form.version.data = case.meeting.version
    return form


def _record_page(
    case: RecordCase,
    form: RecordForm,
    conflict: str | None = None,
    staff_query: str = "",
    focus: str = "",
) -> str:
    return render_page(
        "meetings/record.html",
        fragment=SECTION,
        case=case,
        form=form,
        frame=frame_of(case),
        section="meetings",
        conflict=conflict,
        staff_matches=find_staff(staff_query) if staff_query else None,
        staff_query=staff_query,
        focus=focus,
        review_weeks=current_app.config["CASEAPP_DEADLINES"].taf_review_weeks,
    )


def _change_the_form(form: RecordForm) -> str | None:
    """Adding a row or finding and adding a member of staff changes the form, not the
    record: it is shown again with the change, nothing saved. Returns which part to focus
    ("attendees", "actions", "staff"), or None for a real submission."""
    if "add_attendee" in request.form:
        form.add_attendee_row()
        return "attendees"
    if "add_action" in request.form:
        form.add_action_row()
        return "actions"
    added = request.form.get("add_staff", "")
    if added:
        number = whole_number(added)
        staff = staff_choice(number) if number is not None else None
        if staff is not None:
            form.add_staff(staff)
            form.staff_query.data = ""
        return "staff"
    return "staff" if "find_staff" in request.form else None


@bp.route("/<int:meeting_id>/record", methods=["GET", "POST"])
@case_work
def record(family_id: int, meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        if request.method == "GET":
            case = open_record_case(actor, family_id, meeting_id)
            if case.meeting.status is not MeetingStatus.SCHEDULED:
                return redirect(
                    url_for("meetings.show", family_id=family_id, meeting_id=meeting_id)
                )
            return _record_page(case, _new_record_form(case))
        case = load_record_case(actor, family_id, meeting_id)
    except CASE_REFUSALS as error:
        return _refused(error)
    form = _new_record_form(case)
    focus = _change_the_form(form)
    if focus is not None:
        # Not validated: the person has not finished, so no errors are shown yet.
        query = (form.staff_query.data or "").strip()[:100]
        return _record_page(case, form, staff_query=query, focus=focus)
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _record_page(case, form)
    try:
        next_meeting = record_meeting(
            actor, family_id, meeting_id, form.version.data or 0, form.record()
        )
    except MeetingInvalid as invalid:
        form.add_problems(invalid.problems)
        return _record_page(case, form)
    except MeetingConflict as conflict:
        form.show_version(conflict.current.version)
        try:
            current = load_record_case(actor, family_id, meeting_id)
        except CASE_REFUSALS as error:
            return _refused(error)
        return _record_page(current, form, changed_message(conflict.current, actor.user_id))
    return _done(
        f"Meeting recorded. The next meeting is arranged for {_on_at(next_meeting)}",
        url_for("meetings.show", family_id=family_id, meeting_id=meeting_id),
        lambda success: _show_page(family_id, meeting_id, success=success),
    )


@bp.post("/<int:meeting_id>/record/row")
@case_work
def add_row(family_id: int, meeting_id: int) -> ResponseReturnValue:
    """For htmx: one more blank attendee or action row, to append to the record form.
    Without JavaScript the same button posts the whole form to `record` instead."""
    try:
        case = load_record_case(current_actor(), family_id, meeting_id)
    except CASE_REFUSALS as error:
        return _refused(error)
    if not wants_fragment():
        return redirect(url_for("meetings.record", family_id=family_id, meeting_id=meeting_id))
    form = _new_record_form(case)
    if "add_action" in request.form:
        rows, added = "actions", form.add_action_row()
    else:
        rows, added = "attendees", form.add_attendee_row()
    if not added:
        return "", 204  # the form is as long as it may be: nothing to append
    entries = form[rows].entries
    return render_template(
        "meetings/_added_row.html", rows=rows, entry=entries[-1], number=len(entries)
    )


# --- moving or cancelling a meeting --------------------------------------------------------


def _change_page(
    case: RecordCase,
    change: ChangeMeetingForm,
    cancel: CancelMeetingForm,
    conflict: str | None = None,
) -> str:
    return render_page(
        "meetings/change.html",
        fragment=SECTION,
        case=case,
        form=change,
        cancel_form=cancel,
        frame=frame_of(case),
        section="meetings",
        conflict=conflict,
    )


def _change_forms(case: RecordCase) -> tuple[ChangeMeetingForm, CancelMeetingForm]:
    local = case.meeting.at.astimezone(UK_TIME)
    version = case.meeting.version
    change = ChangeMeetingForm(
        formdata=None,
        on=local.date(),
        at=uk_time(case.meeting.at),
        location=case.meeting.location,
        version=version,
    )
    return change, CancelMeetingForm(formdata=None, version=version)


@bp.route("/<int:meeting_id>/change", methods=["GET", "POST"])
@case_work
def change(family_id: int, meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    opening = request.method == "GET"
    try:
        load = open_meeting_to_change if opening else load_meeting_to_change
        case = load(actor, family_id, meeting_id)
    except CASE_REFUSALS as error:
        return _refused(error)
    blank_change, cancel = _change_forms(case)
    if opening:
        if case.meeting.status is not MeetingStatus.SCHEDULED:
            return redirect(url_for("meetings.show", family_id=family_id, meeting_id=meeting_id))
        return _change_page(case, blank_change, cancel)
    form = ChangeMeetingForm()
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _change_page(case, form, cancel)
    try:
        meeting = reschedule_meeting(
            actor,
            family_id,
            meeting_id,
            form.version.data or 0,
            form.on.data,
            form.at.data or "",
            form.location.data or "",
        )
    except MeetingInvalid as invalid:
        form.add_problems(invalid.problems)
        return _change_page(case, form, cancel)
    except MeetingConflict as conflict:
        return _changed_elsewhere(family_id, meeting_id, form, conflict)
    return _done(
        f"Meeting moved to {_on_at(meeting)}",
        url_for("meetings.index", family_id=family_id),
        lambda success: _index_page(family_id, success=success),
    )


def _changed_elsewhere(
    family_id: int, meeting_id: int, form: ChangeMeetingForm, conflict: MeetingConflict
) -> ResponseReturnValue:
    actor = current_actor()
    try:
        current = load_meeting_to_change(actor, family_id, meeting_id)
    except CASE_REFUSALS as error:
        return _refused(error)
    form.show_version(conflict.current.version)
    _, cancel = _change_forms(current)
    return _change_page(current, form, cancel, changed_message(conflict.current, actor.user_id))


@bp.post("/<int:meeting_id>/cancel")
@case_work
def cancel(family_id: int, meeting_id: int) -> ResponseReturnValue:
    actor = current_actor()
    try:
        case = load_meeting_to_change(actor, family_id, meeting_id)
    except CASE_REFUSALS as error:
        return _refused(error)
    form = CancelMeetingForm()
    if not form.validate_on_submit():
        if form.version.errors:
            abort(400)
        return _change_page(case, _change_forms(case)[0], form)
    try:
        meeting = cancel_meeting(
            actor, family_id, meeting_id, form.version.data or 0, form.reason.data or ""
        )
    except MeetingInvalid as invalid:
        form.add_problems(invalid.problems)
        return _change_page(case, _change_forms(case)[0], form)
    except MeetingConflict as conflict:
        change_form, _ = _change_forms(case)
        return _changed_elsewhere(family_id, meeting_id, change_form, conflict)
    return _done(
        f"{meeting.kind.label} of {uk_date(meeting.at)} cancelled",
        url_for("meetings.index", family_id=family_id),
        lambda success: _index_page(family_id, success=success),
    )
