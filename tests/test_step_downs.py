"""A family stepping down from children's social care: a new family or one on record,
its lead worker allocated and its step-down TAF meeting arranged in one transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

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
    Assignment,
    Episode,
    Family,
    SocialCareStepDown,
    TafMeeting,
    TimelineEvent,
    User,
)
from caseapp.models.types import uk_today
from caseapp.services.context import Actor
from caseapp.services.requests import CarerDetails, ChildDetails
from caseapp.services.step_downs import (
    NEW_FAMILY,
    ChooseFamily,
    StepDownDetails,
    StepDownInvalid,
    record_step_down,
)
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

MAISIE = ChildDetails(given_name="Maisie", family_name="Turner", date_of_birth=date(2018, 5, 3))


def details(lead_worker: User, **changes: object) -> StepDownDetails:
    base = StepDownDetails(
        children=(MAISIE,),
        carers=(CarerDetails(given_name="Pat", family_name="Turner", relationship="Mother"),),
        address="1 High Street",
        postcode="MF1 1AA",
        locality="",
        family_choice="",
        from_team="Children in Need Team 2",
        handover_summary="Risks reduced; needs help with routines.",
        lead_worker_id=lead_worker.id,
        taf_on=uk_today() + timedelta(days=7),
        taf_at="10:30am",
        taf_location="Oakfield Children's Centre",
    )
    return replace(base, **changes)


def events(family_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.family_id == family_id)
            .order_by(TimelineEvent.id)
        )
    )


def test_a_new_family_is_recorded_allocated_and_its_taf_arranged(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    team = make_team()
    lead = make_user("lead_worker", team=team, name="Gemma Clarke")
    recorded = record_step_down(Actor(coordinator), details(lead))
    family = db.session.get(Family, recorded.family_id)
    assert family.name == "Turner family"
    episode = db.session.scalar(select(Episode).where(Episode.family_id == family.id))
    assert (episode.status, episode.lead_worker_id, episode.team_id) == (
        EpisodeStatus.PLAN_ACTIVE,
        lead.id,
        team.id,
    )
    meeting = db.session.scalar(select(TafMeeting))
    assert (meeting.kind, meeting.status, meeting.location) == (
        MeetingKind.STEP_DOWN,
        MeetingStatus.SCHEDULED,
        "Oakfield Children's Centre",
    )
    local = meeting.at.astimezone(UK_TIME)
    assert (local.date(), local.time()) == (uk_today() + timedelta(days=7), time(10, 30))
    step_down = db.session.scalar(select(SocialCareStepDown))
    assert (step_down.from_team, step_down.episode_id, step_down.step_down_taf_on) == (
        "Children in Need Team 2",
        episode.id,
        uk_today() + timedelta(days=7),
    )
    assert events(family.id) == [
        EventKind.FAMILY_CREATED,
        EventKind.LEAD_WORKER_ASSIGNED,
        EventKind.MEETING_SCHEDULED,
        EventKind.EPISODE_STATUS_CHANGED,
        EventKind.STEPPED_DOWN_FROM_SOCIAL_CARE,
    ]
    # The coordinator allocated the family, so may open its record.
    assert recorded.visible and recorded.lead_worker_name == "Gemma Clarke"


def test_children_on_record_must_be_matched_or_declared_new(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    on_record = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
    with pytest.raises(ChooseFamily) as choose:
        record_step_down(Actor(coordinator), details(lead))
    assert [match.family_id for match in choose.value.matches] == [on_record.id]
    assert db.session.scalar(select(func.count(SocialCareStepDown.id))) == 0
    # A family id that was not among the matches is not accepted.
    with pytest.raises(ChooseFamily):
        record_step_down(Actor(coordinator), details(lead, family_choice=str(on_record.id + 99)))
    recorded = record_step_down(Actor(coordinator), details(lead, family_choice=NEW_FAMILY))
    assert recorded.family_id != on_record.id


def test_a_family_open_while_with_social_care_carries_on_in_its_episode(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    family = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
    stepped_up = make_episode(family, EpisodeStatus.STEPPED_UP, team=make_team())
    recorded = record_step_down(Actor(coordinator), details(lead, family_choice=str(family.id)))
    assert recorded.family_id == family.id
    episode = db.session.get(Episode, stepped_up.id)
    assert (episode.status, episode.lead_worker_id) == (EpisodeStatus.PLAN_ACTIVE, lead.id)
    assert db.session.scalar(select(func.count(Episode.id))) == 1
    assert db.session.scalar(select(TafMeeting.kind)) is MeetingKind.STEP_DOWN


def test_a_family_already_in_early_help_is_refused(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    family = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
    make_episode(family, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team())
    with pytest.raises(StepDownInvalid) as refused:
        record_step_down(Actor(coordinator), details(lead, family_choice=str(family.id)))
    assert refused.value.problems[0].field == "family_choice"
    assert db.session.scalar(select(func.count(SocialCareStepDown.id))) == 0
    assert db.session.scalar(select(func.count(TafMeeting.id))) == 0


def test_a_family_whose_episodes_are_closed_starts_a_new_one(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    family = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
    closed = make_episode(family, EpisodeStatus.CLOSED, team=make_team())
    record_step_down(Actor(coordinator), details(lead, family_choice=str(family.id)))
    statuses = db.session.scalars(select(Episode.status).order_by(Episode.id)).all()
    assert statuses == [EpisodeStatus.CLOSED, EpisodeStatus.PLAN_ACTIVE]
    # Back in early help within the year, as a new request would be flagged.
    new = db.session.scalars(select(Episode).order_by(Episode.id.desc())).first()
    assert new.reopened_from_id == closed.id and new.rerequest_within_year


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"from_team": " "}, ["from_team"]),
        ({"handover_summary": ""}, ["handover_summary"]),
        ({"lead_worker_id": None}, ["lead_worker"]),
        ({"taf_on": None, "taf_at": ""}, ["taf_on", "taf_at"]),
        ({"taf_on": date(2020, 1, 1)}, ["taf_on"]),
        ({"taf_at": "teatime"}, ["taf_at"]),
    ],
)
def test_each_missing_or_wrong_detail_is_named_and_nothing_is_saved(
    app: Flask, changes: dict[str, object], fields: list[str]
) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    with pytest.raises(StepDownInvalid) as refused:
        record_step_down(Actor(coordinator), details(lead, **changes))
    assert [problem.field for problem in refused.value.problems] == fields
    assert db.session.scalar(select(func.count(Family.id))) == 0


def test_the_lead_worker_must_be_an_active_lead_worker(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    not_a_lead = make_user("manager", team=make_team())
    with pytest.raises(StepDownInvalid) as refused:
        record_step_down(Actor(coordinator), details(not_a_lead))
    assert refused.value.problems[0].message == "Select a lead worker from the list"
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


# --- the page ---------------------------------------------------------------------------------


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def form_data(lead: User, **changes: object) -> dict[str, object]:
    taf = uk_today() + timedelta(days=7)
    data: dict[str, object] = {
        "children-0-given_name": "Maisie",
        "children-0-family_name": "Turner",
        "children-0-date_of_birth": ["3", "5", "2018"],
        "carers-0-given_name": "Pat",
        "carers-0-family_name": "Turner",
        "carers-0-relationship": "Mother",
        "postcode": "MF1 1AA",
        "from_team": "Children in Need Team 2",
        "handover_summary": "Risks reduced.",
        "lead_worker": str(lead.id),
        "taf_on": [str(taf.day), str(taf.month), str(taf.year)],
        "taf_at": "2pm",
    }
    data.update(changes)
    return data


def test_the_page_records_a_step_down_without_javascript(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team(), name="Gemma Clarke")
    client = sign_in(app, coordinator)
    page = client.get("/step-downs/new").get_data(as_text=True)
    assert "Record a step-down from social care" in page and "Gemma Clarke" in page
    response = client.post("/step-downs/new", data=form_data(lead))
    family_id = db.session.scalar(select(Family.id))
    assert response.status_code == 302
    assert response.location.endswith(f"/families/{family_id}")
    shown = client.get(response.location).get_data(as_text=True)
    assert "Step-down recorded for the Turner family" in shown


def test_the_page_asks_which_family_when_the_children_are_on_record(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    on_record = make_family(("Maisie", date(2018, 5, 3)), family_name="Turner")
    client = sign_in(app, coordinator)
    page = client.post("/step-downs/new", data=form_data(lead)).get_data(as_text=True)
    assert "Check for this family" in page and on_record.reference in page
    assert db.session.scalar(select(func.count(SocialCareStepDown.id))) == 0
    response = client.post("/step-downs/new", data=form_data(lead, family_choice=str(on_record.id)))
    assert response.status_code == 302
    assert db.session.scalar(select(SocialCareStepDown.family_id)) == on_record.id


def test_the_page_shows_every_error(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    client = sign_in(app, coordinator)
    body = client.post(
        "/step-downs/new",
        data=form_data(
            lead, from_team="", handover_summary="", lead_worker="", taf_at="", postcode="X"
        ),
    ).get_data(as_text=True)
    for message in [
        "Enter the social care team the family comes from",
        "Enter the handover summary",
        "Enter a real postcode",
    ]:
        assert message in body
    assert db.session.scalar(select(func.count(Family.id))) == 0


def test_a_manager_of_another_team_is_sent_home_afterwards(app: Flask) -> None:
    manager = make_user("manager", team=make_team("South Early Help Team"))
    lead = make_user("lead_worker", team=make_team())
    client = sign_in(app, manager)
    response = client.post("/step-downs/new", data=form_data(lead))
    assert response.status_code == 302 and response.location.endswith("/")


def test_the_form_takes_the_same_statements_however_many_lead_workers(app: Flask) -> None:
    coordinator = make_user("hub_coordinator")
    client = sign_in(app, coordinator)
    counts = []
    for many in (1, 10):
        for _ in range(many):
            make_user("lead_worker", team=make_team())
        with counting_statements() as statements:
            assert client.get("/step-downs/new").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 15
