"""TAF meetings through the web: arranging, recording (attendees, views, scores, decisions,
new actions, the next date), moving and cancelling, the distance-travelled charts, and
what each page costs in SQL statements."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.casework import MeetingKind, MeetingStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    AuditEvent,
    Episode,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    TafAttendee,
    TafMeeting,
    TimelineEvent,
    User,
)
from caseapp.models.types import uk_today
from caseapp.services.context import Actor
from caseapp.services.meetings import (
    MeetingConflict,
    outcome_progress,
    reschedule_meeting,
    schedule_meeting,
    taf_reviews,
)
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

HTMX = {"HX-Request": "true"}
NEXT_DAY_BOX = re.compile(r'id="next_meeting_on-day"[^>]*value="(\d+)"')


@dataclass(frozen=True)
class Case:
    family_id: int
    episode_id: int
    lead: User
    outcome_ids: tuple[int, ...]


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def add_outcome(episode: Episode, author: User, description: str) -> PlanOutcome:
    outcome = PlanOutcome(
        family_id=episode.family_id,
        episode_id=episode.id,
        description=description,
        created_by_id=author.id,
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def make_case(
    outcomes: tuple[str, ...] = ("Maisie goes to school every day", "Pat sleeps better"),
    family_name: str = "Turner",
    lead: User | None = None,
) -> Case:
    lead = lead or make_user("lead_worker", name="Priya Shah", team=make_team())
    family = make_family(("Maisie", date(2018, 5, 3)), family_name=family_name)
    episode = make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team())
    ids = tuple(add_outcome(episode, lead, text).id for text in outcomes)
    return Case(family.id, episode.id, lead, ids)


def arrange(case: Case, on: date | None = None, at: str = "10am") -> TafMeeting:
    return schedule_meeting(
        Actor(case.lead), case.family_id, on or uk_today(), at, "Oakfield Primary School"
    )


def record_data(
    case: Case, meeting: TafMeeting, scores: tuple[int, ...] = (3, 6), **changes: Any
) -> dict[str, Any]:
    held = meeting.at.astimezone(UK_TIME).date()
    following = held + timedelta(weeks=6)
    data: dict[str, Any] = {
        "version": meeting.version,
        "held_on": [held.day, held.month, held.year],
        "attendees-0-name": "Pat Turner",
        "attendees-0-agency": "Mother",
        "attendees-0-present": "present",
        "attendees-1-name": "Jane Hollis",
        "attendees-1-agency": "Oakfield Primary School",
        "attendees-1-role": "Attendance officer",
        "attendees-1-present": "apologies",
        "family_views": "Pat says mornings are calmer.",
        "child_views": "Maisie likes her new teacher.",
        "decisions": "Keep the breakfast club place.",
        "actions-0-description": "Book a sleep clinic appointment",
        "actions-0-owner_name": "Pat Turner",
        "actions-0-owner_agency": "Mother",
        "actions-0-due_on": [following.day, following.month, following.year],
        "actions-0-outcome_id": str(case.outcome_ids[-1]),
        "next_meeting_on": [following.day, following.month, following.year],
    }
    for outcome_id, score in zip(case.outcome_ids, scores, strict=False):
        data[f"score_{outcome_id}"] = str(score)
        data[f"comment_{outcome_id}"] = f"Scored {score}"
    data.update(changes)
    return data


def meetings_url(case: Case, *parts: object) -> str:
    return "/".join([f"/families/{case.family_id}/meetings", *(str(part) for part in parts)])


def kinds_of_events(case: Case) -> list[str]:
    return list(
        db.session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.family_id == case.family_id)
            .order_by(TimelineEvent.id)
        )
    )


# --- arranging ------------------------------------------------------------------------------


def test_arranging_a_meeting_without_javascript(app: Flask) -> None:
    case = make_case()
    client = sign_in(app, case.lead)
    page = client.get(meetings_url(case)).get_data(as_text=True)
    assert "No meeting is arranged." in page
    assert "Arrange a TAF meeting" in page
    on = uk_today() + timedelta(days=14)
    response = client.post(
        meetings_url(case, "new"),
        data={"on": [on.day, on.month, on.year], "at": "2:30pm", "location": "Family home"},
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "First TAF meeting arranged for" in page
    assert "Record this meeting" in page
    meeting = db.session.scalar(select(TafMeeting))
    assert meeting.kind is MeetingKind.INITIAL
    local = meeting.at.astimezone(UK_TIME)
    assert (local.date(), local.hour, local.minute) == (on, 14, 30)
    assert EventKind.MEETING_SCHEDULED in kinds_of_events(case)
    audited = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.object_type == "taf_meeting", AuditEvent.action == "create"
        )
    )
    assert audited == 1


def test_arranging_with_htmx_answers_the_section_and_announces_the_change(app: Flask) -> None:
    case = make_case()
    client = sign_in(app, case.lead)
    on = uk_today() + timedelta(days=3)
    response = client.post(
        meetings_url(case, "new"),
        data={"on": [on.day, on.month, on.year], "at": "10am", "location": ""},
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert response.headers["HX-Push-Url"] == meetings_url(case)
    assert "First TAF meeting arranged for" in body
    assert "autofocus" in body


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"on": ["", "", ""], "at": "10am"}, "Enter the date of the meeting"),
        ({"on": ["1", "1", "2020"], "at": "10am"}, "must be today or in the future"),
        ({"on": ["31", "2", "2030"], "at": "10am"}, "The date of the meeting must be a real date"),
        ({"at": ""}, "Enter the time of the meeting"),
        ({"at": "teatime"}, "Enter a time like 10am, 2:30pm or 14:30"),
    ],
)
def test_arranging_refuses_what_is_not_a_meeting(
    app: Flask, fields: dict[str, Any], message: str
) -> None:
    case = make_case()
    client = sign_in(app, case.lead)
    on = uk_today() + timedelta(days=3)
    data = {"on": [on.day, on.month, on.year], "at": "10am", "location": "", **fields}
    response = client.post(meetings_url(case, "new"), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert db.session.scalar(select(func.count(TafMeeting.id))) == 0


def test_a_second_meeting_is_not_arranged_while_one_is(app: Flask) -> None:
    case = make_case()
    arrange(case)
    client = sign_in(app, case.lead)
    on = uk_today() + timedelta(days=3)
    body = client.post(
        meetings_url(case, "new"), data={"on": [on.day, on.month, on.year], "at": "10am"}
    ).get_data(as_text=True)
    assert "A TAF meeting is already arranged" in body
    assert db.session.scalar(select(func.count(TafMeeting.id))) == 1


# --- recording ------------------------------------------------------------------------------


def test_recording_a_meeting_saves_it_all_and_arranges_the_next(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    form = client.get(meetings_url(case, meeting.id, "record")).get_data(as_text=True)
    assert f'data-draft-key="taf-{meeting.id}"' in form
    # The next date is filled in six weeks after the meeting.
    following = uk_today() + timedelta(weeks=6)
    assert int(NEXT_DAY_BOX.search(form).group(1)) == following.day
    response = client.post(
        meetings_url(case, meeting.id, "record"), data=record_data(case, meeting)
    )
    assert response.status_code == 302
    assert response.location == meetings_url(case, meeting.id)

    db.session.expire_all()
    held = db.session.get(TafMeeting, meeting.id)
    assert held.status is MeetingStatus.HELD
    assert held.next_meeting_on == following
    assert (held.family_views, held.decisions) == (
        "Pat says mornings are calmer.",
        "Keep the breakfast club place.",
    )
    attendees = db.session.scalars(select(TafAttendee).order_by(TafAttendee.id)).all()
    assert [(a.name, a.present) for a in attendees] == [
        ("Pat Turner", True),
        ("Jane Hollis", False),
    ]
    scores = db.session.scalars(select(OutcomeScore).order_by(OutcomeScore.outcome_id)).all()
    assert [(s.outcome_id, s.score) for s in scores] == [
        (case.outcome_ids[0], 3),
        (case.outcome_ids[1], 6),
    ]
    (action,) = db.session.scalars(select(PlanAction)).all()
    assert (action.meeting_id, action.outcome_id, action.due_on) == (
        meeting.id,
        case.outcome_ids[1],
        following,
    )
    following_meeting = db.session.scalar(
        select(TafMeeting).where(TafMeeting.status == MeetingStatus.SCHEDULED)
    )
    assert following_meeting.kind is MeetingKind.REVIEW
    assert following_meeting.at.astimezone(UK_TIME).date() == following
    assert following_meeting.at.astimezone(UK_TIME).hour == 10
    kinds = kinds_of_events(case)
    for kind in (EventKind.MEETING_RECORDED, EventKind.ACTION_ADDED):
        assert kind in kinds
    assert kinds.count(EventKind.MEETING_SCHEDULED) == 2

    page = client.get(response.location).get_data(as_text=True)
    assert "Meeting recorded. The next meeting is arranged for" in page
    assert "Jane Hollis" in page and "Sent apologies" in page
    assert "Book a sleep clinic appointment" in page


def test_the_next_date_follows_the_configured_review_interval(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    settings = app.config["CASEAPP_DEADLINES"]
    app.config["CASEAPP_DEADLINES"] = replace(settings, taf_review_weeks=4)
    try:
        form = sign_in(app, case.lead).get(meetings_url(case, meeting.id, "record"))
    finally:
        app.config["CASEAPP_DEADLINES"] = settings
    body = form.get_data(as_text=True)
    assert int(NEXT_DAY_BOX.search(body).group(1)) == (uk_today() + timedelta(weeks=4)).day
    assert "Filled in 4 weeks after this meeting." in body


def test_recording_with_htmx_shows_the_record_and_announces_the_change(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    response = client.post(
        meetings_url(case, meeting.id, "record"), data=record_data(case, meeting), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert response.headers["HX-Push-Url"] == meetings_url(case, meeting.id)
    assert "Meeting recorded." in body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": ["", "", ""]}, "Enter the date the meeting was held"),
        ({"attendees-0-name": "", "attendees-1-name": "", "attendees-0-agency": "",
          "attendees-1-agency": "", "attendees-1-role": ""},
         "Enter who was invited to the meeting"),
        ({"attendees-0-present": "apologies"}, "Record at least one person who was there"),
        ({"score_OUTCOME": ""}, "Score progress towards outcome 1"),
        ({"score_OUTCOME": "11"}, "Score outcome 1 from 0 to 10"),
        ({"actions-0-owner_name": ""}, "Enter who will do it (action 1)"),
        ({"next_meeting_on": ["", "", ""]}, "Enter the date of the next meeting"),
        ({"next_meeting_on": ["1", "1", "2020"]}, "The next meeting must be after"),
    ],
)  # fmt: skip
def test_recording_shows_every_problem_and_saves_nothing(
    app: Flask, changes: dict[str, Any], message: str
) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    changes = {key.replace("OUTCOME", str(case.outcome_ids[0])): v for key, v in changes.items()}
    response = client.post(
        meetings_url(case, meeting.id, "record"), data=record_data(case, meeting, **changes)
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    # What was typed is still there.
    assert "Pat says mornings are calmer." in body
    db.session.expire_all()
    assert db.session.get(TafMeeting, meeting.id).status is MeetingStatus.SCHEDULED
    assert db.session.scalar(select(func.count(TafAttendee.id))) == 0
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0


def test_add_another_person_and_action_without_javascript(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    data = record_data(case, meeting)
    form = client.get(meetings_url(case, meeting.id, "record")).get_data(as_text=True)
    assert "attendees-3-name" in form and "attendees-4-name" not in form
    more = client.post(
        meetings_url(case, meeting.id, "record"), data={**data, "add_attendee": "1"}
    ).get_data(as_text=True)
    assert 'id="attendees-4-name"' in more
    assert "There is a problem" not in more
    assert 'value="Jane Hollis"' in more
    more = client.post(
        meetings_url(case, meeting.id, "record"), data={**data, "add_action": "1"}
    ).get_data(as_text=True)
    assert 'id="actions-2-description"' in more
    # The new action row offers the outcomes too.
    assert more.count("Outcome 1: Maisie goes to school every day") >= 3
    assert db.session.scalar(select(func.count(TafAttendee.id))) == 0


def test_with_htmx_add_another_appends_one_blank_row(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    url = meetings_url(case, meeting.id, "record", "row")
    data = record_data(case, meeting)
    person = client.post(url, data={**data, "add_attendee": "1"}, headers=HTMX)
    body = person.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert "Person 5" in body and 'id="attendees-4-name"' in body and "autofocus" in body
    assert 'value="Jane Hollis"' not in body
    action = client.post(url, data={**data, "add_action": "1"}, headers=HTMX)
    body = action.get_data(as_text=True)
    assert "New action 3" in body and 'id="actions-2-description"' in body
    assert "Outcome 2: Pat sleeps better" in body
    full = {**data, **{f"attendees-{n}-name": f"Person {n}" for n in range(30)}}
    assert client.post(url, data={**full, "add_attendee": "1"}, headers=HTMX).status_code == 204
    # Without JavaScript the button posts the whole form to the record page instead.
    assert client.post(url, data={**data, "add_attendee": "1"}).status_code == 302
    assert db.session.scalar(select(func.count(TafAttendee.id))) == 0


def test_a_member_of_staff_found_by_name_joins_the_meeting(app: Flask) -> None:
    case = make_case()
    gemma = make_user(
        "lead_worker",
        name="Gemma Clarke",
        job_title="Health visitor",
        agency=Agency(name="Moorford Health", kind="health"),
    )
    make_user("admin", name="Gemma Admin")
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    url = meetings_url(case, meeting.id, "record")
    data = record_data(case, meeting)
    found = client.post(url, data={**data, "staff_query": "gem", "find_staff": "1"})
    body = found.get_data(as_text=True)
    assert "Gemma Clarke" in body and "Health visitor, Moorford Health" in body
    assert "Gemma Admin" not in body  # only lead workers become TAF members
    added = client.post(url, data={**data, "add_staff": str(gemma.id)}).get_data(as_text=True)
    assert f'name="attendees-2-user_id" type="hidden" value="{gemma.id}"' in added
    assert re.search(
        r'id="attendees-2-name" name="attendees-2-name"[^>]*value="Gemma Clarke"', added
    )
    saved = client.post(
        url,
        data={
            **data,
            "attendees-2-name": "Gemma Clarke",
            "attendees-2-agency": "Moorford Health",
            "attendees-2-present": "present",
            "attendees-2-user_id": str(gemma.id),
        },
    )
    assert saved.status_code == 302
    member = db.session.scalar(select(TafAttendee).where(TafAttendee.user_id == gemma.id))
    assert member is not None and member.name == "Gemma Clarke"


def test_a_made_up_member_of_staff_is_refused(app: Flask) -> None:
    case = make_case()
    admin = make_user("admin")
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    data = record_data(case, meeting, **{"attendees-1-user_id": str(admin.id)})
    body = client.post(meetings_url(case, meeting.id, "record"), data=data).get_data(as_text=True)
    assert "Find Jane Hollis again" in body
    assert db.session.scalar(select(func.count(TafAttendee.id))) == 0


def test_a_stale_record_form_is_not_saved_and_says_what_changed(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case, on=uk_today())
    stale = record_data(case, meeting)
    coordinator_manager = make_user("manager", name="Tom Okafor", team=make_team())
    later = uk_today() + timedelta(days=2)
    reschedule_meeting(
        Actor(coordinator_manager), case.family_id, meeting.id, meeting.version, later, "11am", ""
    )
    client = sign_in(app, case.lead)
    response = client.post(meetings_url(case, meeting.id, "record"), data=stale)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert "Tom Okafor changed this meeting at " in body
    assert "it is now on" in body and "11am" in body
    assert "Pat says mornings are calmer." in body  # their work is kept on the page
    db.session.expire_all()
    assert db.session.get(TafMeeting, meeting.id).status is MeetingStatus.SCHEDULED
    assert db.session.scalar(select(func.count(TafAttendee.id))) == 0


def test_a_meeting_recorded_in_another_window_is_not_recorded_twice(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    data = record_data(case, meeting)
    assert client.post(meetings_url(case, meeting.id, "record"), data=data).status_code == 302
    again = client.post(meetings_url(case, meeting.id, "record"), data=data)
    body = again.get_data(as_text=True)
    assert "You recorded this meeting at " in body and "in another window" in body
    assert "Record meeting</button>" not in body
    assert db.session.scalar(select(func.count(OutcomeScore.id))) == 2


# --- moving and cancelling ------------------------------------------------------------------


def test_moving_and_cancelling_a_meeting(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    url = meetings_url(case, meeting.id, "change")
    page = client.get(url).get_data(as_text=True)
    assert 'value="10am"' in page
    later = uk_today() + timedelta(days=10)
    moved = client.post(
        url,
        data={
            "version": meeting.version,
            "on": [later.day, later.month, later.year],
            "at": "9:15am",
            "location": "Children's centre",
        },
    )
    assert moved.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(TafMeeting, meeting.id)
    assert meeting.location == "Children's centre"
    refused = client.post(
        meetings_url(case, meeting.id, "cancel"), data={"version": meeting.version, "reason": ""}
    )
    assert "Enter why the meeting is cancelled" in refused.get_data(as_text=True)
    cancelled = client.post(
        meetings_url(case, meeting.id, "cancel"),
        data={"version": meeting.version, "reason": "The family is on holiday"},
    )
    assert cancelled.status_code == 302
    db.session.expire_all()
    assert db.session.get(TafMeeting, meeting.id).status is MeetingStatus.CANCELLED
    assert EventKind.MEETING_CANCELLED in kinds_of_events(case)
    page = client.get(meetings_url(case)).get_data(as_text=True)
    assert "No meeting is arranged." in page and "Cancelled" in page


def test_a_stale_move_is_refused_in_the_service(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    version = meeting.version
    later = uk_today() + timedelta(days=5)
    reschedule_meeting(Actor(case.lead), case.family_id, meeting.id, version, later, "1pm", "")
    with pytest.raises(MeetingConflict) as conflict:
        reschedule_meeting(Actor(case.lead), case.family_id, meeting.id, version, later, "2pm", "")
    assert conflict.value.current.changed_by == "Priya Shah"
    assert _local_hour(conflict.value.current.at) == 13


def _local_hour(moment: datetime) -> int:
    return moment.astimezone(UK_TIME).hour


# --- who may do what ------------------------------------------------------------------------


def test_the_hub_reads_but_does_not_keep_meetings(app: Flask) -> None:
    case = make_case()
    meeting = arrange(case)
    coordinator = make_user("hub_coordinator")
    episode = db.session.get(Episode, case.episode_id)
    episode.status = EpisodeStatus.REQUESTED  # waiting for the Hub, so the Hub sees it
    db.session.commit()
    client = sign_in(app, coordinator)
    page = client.get(meetings_url(case)).get_data(as_text=True)
    assert "Record this meeting" not in page
    assert client.get(meetings_url(case, meeting.id)).status_code == 200
    assert client.get(meetings_url(case, meeting.id, "record")).status_code == 403
    assert client.post(meetings_url(case, "new"), data={}).status_code == 403


def test_a_meeting_of_another_family_is_not_found(app: Flask) -> None:
    case = make_case()
    other = make_case(family_name="Other", lead=case.lead)
    meeting = arrange(other)
    client = sign_in(app, case.lead)
    for suffix in ("", "/record", "/change"):
        assert client.get(meetings_url(case, meeting.id) + suffix).status_code == 404


# --- distance travelled ---------------------------------------------------------------------


def hold_meetings(case: Case, scores: list[tuple[int, int]], start: date) -> None:
    """Meetings held six weeks apart with these (first, second) outcome scores."""
    for number, (first, second) in enumerate(scores):
        at = datetime.combine(start + timedelta(weeks=6 * number), datetime.min.time(), UTC)
        meeting = TafMeeting(
            family_id=case.family_id,
            episode_id=case.episode_id,
            kind=MeetingKind.INITIAL if number == 0 else MeetingKind.REVIEW,
            status=MeetingStatus.HELD,
            at=at + timedelta(hours=10),
            next_meeting_on=(at + timedelta(weeks=6)).date(),
            scheduled_by_id=case.lead.id,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(TafAttendee(meeting_id=meeting.id, name="Pat Turner"))
        db.session.add_all(
            OutcomeScore(meeting_id=meeting.id, outcome_id=outcome_id, score=score)
            for outcome_id, score in zip(case.outcome_ids, (first, second), strict=True)
        )
    db.session.commit()


def test_distance_travelled_in_one_query(app: Flask) -> None:
    case = make_case()
    start = date(2026, 1, 5)
    hold_meetings(case, [(2, 5), (4, 5), (7, 4)], start)
    with counting_statements() as statements:
        progress = outcome_progress(case.episode_id)
    assert len(statements) == 1
    assert [[s.score for s in item.scores] for item in progress] == [[2, 4, 7], [5, 5, 4]]
    assert [item.chart.change for item in progress] == [5, -1]
    assert progress[0].scores[1].on == start + timedelta(weeks=6)


def test_the_meetings_page_shows_a_chart_per_outcome_with_its_numbers(app: Flask) -> None:
    case = make_case()
    hold_meetings(case, [(2, 5), (4, 5), (7, 4)], date(2026, 1, 5))
    page = sign_in(app, case.lead).get(meetings_url(case)).get_data(as_text=True)
    assert page.count('role="img"') == 2
    chart = f'aria-labelledby="outcome-{case.outcome_ids[0]}-chart-title outcome-'
    assert chart in page
    assert "From 2 on 5 January 2026 to 7 on 30 March 2026 over 3 meetings: up 5." in page
    assert "down 1" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">7</td>' in page


def test_taf_reviews_give_the_last_held_meeting_and_the_date_it_agreed(app: Flask) -> None:
    case = make_case()
    other = make_case(family_name="Other", lead=case.lead)
    start = date(2026, 1, 5)
    hold_meetings(case, [(2, 5), (4, 5)], start)
    arrange(case)  # a scheduled meeting is not a held one
    with counting_statements() as statements:
        reviews = taf_reviews([case.episode_id, other.episode_id])
    assert len(statements) == 1
    assert set(reviews) == {case.episode_id}
    review = reviews[case.episode_id]
    assert review.last_held_at.astimezone(UK_TIME).date() == start + timedelta(weeks=6)
    assert review.next_meeting_on == start + timedelta(weeks=12)


# --- what the pages cost --------------------------------------------------------------------


def _grow(case: Case, meetings: int) -> None:
    hold_meetings(case, [(n % 11, (n + 3) % 11) for n in range(meetings)], date(2025, 1, 6))
    episode = db.session.get(Episode, case.episode_id)
    for number in range(meetings):
        add_outcome(episode, case.lead, f"Extra outcome {number}")


@pytest.mark.parametrize("page", ["index", "show", "record", "change"])
def test_pages_cost_the_same_at_any_size(app: Flask, page: str) -> None:
    counts = []
    for size, name in ((1, "Small"), (8, "Large")):
        case = make_case(family_name=name)
        _grow(case, size)
        meeting = arrange(case)
        shown = db.session.scalar(
            select(TafMeeting.id)
            .where(TafMeeting.family_id == case.family_id, TafMeeting.status == MeetingStatus.HELD)
            .limit(1)
        )
        url = {
            "index": meetings_url(case),
            "show": meetings_url(case, shown),
            "record": meetings_url(case, meeting.id, "record"),
            "change": meetings_url(case, meeting.id, "change"),
        }[page]
        client = sign_in(app, case.lead)
        with counting_statements() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15


def test_hostile_text_is_shown_as_text(app: Flask) -> None:
    case = make_case(outcomes=("<script>alert('o')</script>",))
    meeting = arrange(case)
    client = sign_in(app, case.lead)
    data = record_data(case, meeting, scores=(4,), **{"attendees-0-name": "<b>Pat</b>"})
    assert client.post(meetings_url(case, meeting.id, "record"), data=data).status_code == 302
    for url in (meetings_url(case), meetings_url(case, meeting.id)):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in body and "<b>Pat</b>" not in body


def test_a_family_with_no_open_episode_cannot_arrange_a_meeting(app: Flask) -> None:
    manager = make_user("manager", team=make_team())
    family = make_family(family_name="Closed")
    make_episode(family, EpisodeStatus.CLOSED, team=make_team())
    client = sign_in(app, manager)
    page = client.get(f"/families/{family.id}/meetings").get_data(as_text=True)
    assert "Arrange a TAF meeting" not in page
    response = client.post(f"/families/{family.id}/meetings/new", data={})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(TafMeeting.id))) == 0
