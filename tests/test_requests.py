"""Requests for support: the form, the duplicate check, the service and the referrer's view."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.domain.matching import Identity
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME, working_days_deadline
from caseapp.extensions import db
from caseapp.models import (
    Agency,
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    SupportRequest,
    SupportRequestChild,
    TimelineEvent,
)
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.duplicates import find_possible_duplicates, possible_duplicates_for_request
from caseapp.services.requests import (
    CarerDetails,
    ChildDetails,
    OpenEpisodeConflict,
    RequestDetails,
    RequestError,
    requests_by_referrer,
    submit_request,
)
from tests.factories import make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

TODAY = utcnow().astimezone(UK_TIME).date()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def date_parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def form_data(**changes: Any) -> dict[str, Any]:
    """A valid request for two siblings and their mother, as the form posts it."""
    data: dict[str, Any] = {
        "referrer_name": "Dana Wells",
        "referrer_agency": "Oakfield Primary School",
        "referrer_contact": "dana.wells@oakfield.example",
        "address": "4 Mill Lane\nNorthtown",
        "postcode": "nt1 2ab",
        "locality": "North",
        "children-0-given_name": "Maisie",
        "children-0-family_name": "Turner",
        "children-0-date_of_birth": date_parts(years_ago(8)),
        "children-0-gender": "Female",
        "children-1-given_name": "Tom",
        "children-1-family_name": "Turner",
        "children-1-date_of_birth": date_parts(years_ago(5)),
        "carers-0-given_name": "Sarah",
        "carers-0-family_name": "Turner",
        "carers-0-relationship": "Mother",
        "carers-0-parental_responsibility": "y",
        "carers-0-first_language": "English",
        "reason": "Maisie is often late and hungry.\nMum has asked for help with routines.",
        "tried_so_far": "Breakfast club place.",
        "consent": "yes",
        "consent_given_by": "Sarah Turner (mother)",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def details(**changes: Any) -> RequestDetails:
    fields: dict[str, Any] = {
        "received_via": ReceivedVia.ONLINE,
        "referrer_name": "Dana Wells",
        "referrer_agency": "Oakfield Primary School",
        "referrer_contact": "dana.wells@oakfield.example",
        "children": (ChildDetails("Maisie", "Turner", years_ago(8)),),
        "carers": (CarerDetails("Sarah", "Turner", "Mother", parental_responsibility=True),),
        "reason": "Worried about attendance",
        "consent_given": True,
        "consent_given_by": "Sarah Turner",
        "locality": "North",
    }
    fields.update(changes)
    return RequestDetails(**fields)


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def page_text(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def lead_worker(signed_in_as):
    make_team("North Early Help Team", "North")
    return signed_in_as(
        "lead_worker",
        name="Dana Wells",
        agency=Agency(name="Oakfield Primary School", kind="school"),
    )


@pytest.fixture
def coordinator(signed_in_as):
    make_team("North Early Help Team", "North")
    return signed_in_as("hub_coordinator", name="Harriet Hub")


# --- the form ---------------------------------------------------------------------------------


def test_the_form_is_prefilled_with_the_referrers_own_details(
    client: FlaskClient, lead_worker
) -> None:
    body = client.get("/requests/new").get_data(as_text=True)
    assert 'value="Dana Wells"' in body
    assert 'value="Oakfield Primary School"' in body
    assert f'value="{lead_worker.email}"' in body
    assert "How did the request reach the Hub?" not in body
    assert body.count("Child ") >= 4 and "children-3-given_name" in body


def test_a_valid_request_creates_the_family_episode_request_and_chronology_at_once(
    client: FlaskClient, lead_worker
) -> None:
    response = client.post("/requests/new", data=form_data())
    assert response.status_code == 302

    support_request = db.session.scalar(select(SupportRequest))
    assert response.headers["Location"] == f"/requests/{support_request.id}"
    family = db.session.get(Family, support_request.family_id)
    assert family.name == "Turner family"
    assert family.postcode == "NT1 2AB" and family.locality == "North"
    members = db.session.scalars(
        select(FamilyMember).where(FamilyMember.family_id == family.id).order_by(FamilyMember.id)
    ).all()
    assert [(m.full_name, m.is_child) for m in members] == [
        ("Maisie Turner", True),
        ("Tom Turner", True),
        ("Sarah Turner", False),
    ]
    assert members[0].gender == "Female" and members[2].parental_responsibility

    episode = db.session.get(Episode, support_request.episode_id)
    assert episode.family_id == family.id
    assert episode.status is EpisodeStatus.REQUESTED
    assert episode.team_id == make_team("North Early Help Team", "North").id
    assert episode.urgent is False
    assert episode.hub_due_at == support_request.decision_due_at
    assert support_request.decision_due_at == working_days_deadline(
        support_request.received_at, 2, time(17, 0)
    )

    assert support_request.received_via is ReceivedVia.ONLINE
    assert support_request.referrer_user_id == lead_worker.id
    assert support_request.recorded_by_id == lead_worker.id
    assert support_request.referrer_agency == "Oakfield Primary School"
    assert support_request.consent_given and support_request.consent_given_by.startswith("Sarah")
    children = db.session.scalars(
        select(SupportRequestChild.member_id).where(
            SupportRequestChild.request_id == support_request.id
        )
    ).all()
    assert sorted(children) == [members[0].id, members[1].id]

    events = db.session.scalars(
        select(TimelineEvent).where(TimelineEvent.family_id == family.id).order_by(TimelineEvent.id)
    ).all()
    assert [event.kind for event in events] == [
        EventKind.FAMILY_CREATED.value,
        EventKind.REQUEST_RECEIVED.value,
    ]
    received = events[1]
    assert "Oakfield Primary School" in received.summary and "2 children" in received.summary
    assert "urgent" not in received.summary
    assert received.episode_id == episode.id
    assert received.detail["request_id"] == support_request.id

    audited = {
        (event.action, event.object_type)
        for event in db.session.scalars(select(AuditEvent).where(AuditEvent.family_id == family.id))
    }
    assert {("create", "family"), ("create", "episode"), ("create", "support_request")} <= audited


def test_the_confirmation_page_shows_what_was_sent_and_the_deadline(
    client: FlaskClient, lead_worker
) -> None:
    response = client.post("/requests/new", data=form_data(), follow_redirects=True)
    text = page_text(response.get_data(as_text=True))
    assert "Your request for support has been sent to the Early Help Hub" in text
    assert "Waiting for the Hub's decision, due by" in text
    assert "Maisie Turner" in text and "Tom Turner" in text
    assert "Breakfast club place." in text
    assert "Given by Sarah Turner (mother)" in text
    support_request = db.session.scalar(select(SupportRequest))
    views = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "view", AuditEvent.object_type == "support_request"
        )
    ).all()
    assert [(view.object_id, view.user_id) for view in views] == [
        (support_request.id, lead_worker.id)
    ]


INVALID = {
    "no child": (
        {f"children-1-{field}": None for field in ("given_name", "family_name", "date_of_birth")}
        | {"children-0-given_name": "", "children-0-family_name": "", "children-0-gender": ""}
        | {"children-0-date_of_birth": ["", "", ""]},
        "children-0-given_name",
        "Enter at least one child",
    ),
    "date of birth in the future": (
        {"children-0-date_of_birth": date_parts(TODAY + timedelta(days=30))},
        "children-0-date_of_birth",
        "Date of birth must be in the past (child 1)",
    ),
    "an adult entered as a child": (
        {"children-1-date_of_birth": date_parts(years_ago(18))},
        "children-1-date_of_birth",
        "Date of birth must be less than 18 years ago",
    ),
    "a date that does not exist": (
        {"children-0-date_of_birth": ["31", "2", "2019"]},
        "children-0-date_of_birth",
        "Date of birth must be a real date",
    ),
    "a date without a month": (
        {"children-0-date_of_birth": ["3", "", "2019"]},
        "children-0-date_of_birth",
        "Date of birth must include a month",
    ),
    "a child without a date of birth": (
        {"children-1-date_of_birth": ["", "", ""]},
        "children-1-date_of_birth",
        "Enter the child&#39;s date of birth (child 2)",
    ),
    "a child without a family name": (
        {"children-1-family_name": ""},
        "children-1-family_name",
        "Enter the child&#39;s family name (child 2)",
    ),
    "no parent or carer": (
        {"carers-0-given_name": "", "carers-0-family_name": "", "carers-0-relationship": ""},
        "carers-0-given_name",
        "Enter at least one parent or carer",
    ),
    "missing reason": ({"reason": "  "}, "reason", "Enter the reason for the request"),
    "consent not answered": (
        {"consent": None, "consent_given_by": None},
        "consent",
        "Select whether the family has agreed to the request",
    ),
    "consent without who gave it": (
        {"consent_given_by": ""},
        "consent_given_by",
        "Enter who gave consent",
    ),
    "no consent and no significant harm": (
        {"consent": "no", "consent_not_needed_reason": "Did not ask"},
        "consent",
        "Consent is needed unless significant harm is suspected",
    ),
    "a postcode that is not one": (
        {"postcode": "12345"},
        "postcode",
        "Enter a real postcode",
    ),
    "missing referrer agency": (
        {"referrer_agency": ""},
        "referrer_agency",
        "Enter the referrer&#39;s agency or organisation",
    ),
}


@pytest.mark.parametrize(("changes", "field_id", "message"), INVALID.values(), ids=INVALID)
def test_an_invalid_request_shows_each_error_by_its_field_and_saves_nothing(
    client: FlaskClient, lead_worker, changes: dict[str, Any], field_id: str, message: str
) -> None:
    before = row_counts()
    response = client.post("/requests/new", data=form_data(**changes))
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "<title>Error: Request support" in body
    summary = body[
        body.index("govuk-error-summary") : body.index("</ul>", body.index("govuk-error-summary"))
    ]
    assert f'href="#{field_id}"' in summary and message in summary
    # The same message beside the field: GOV.UK error messages carry the field's id.
    beside = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', body, re.S)
    assert beside is not None and message in beside.group(1)
    assert row_counts() == before


def test_an_invalid_request_keeps_what_was_typed(client: FlaskClient, lead_worker) -> None:
    body = client.post("/requests/new", data=form_data(reason="")).get_data(as_text=True)
    assert 'value="Maisie"' in body and 'value="Tom"' in body
    assert f'value="{years_ago(8).year}"' in body
    assert "Sarah Turner (mother)" in body


def test_significant_harm_needs_no_consent_and_is_urgent_with_a_one_day_deadline(
    client: FlaskClient, lead_worker
) -> None:
    response = client.post(
        "/requests/new",
        data=form_data(significant_harm="y", consent="no", consent_given_by=None),
    )
    assert response.status_code == 302
    support_request = db.session.scalar(select(SupportRequest))
    episode = db.session.get(Episode, support_request.episode_id)
    assert support_request.significant_harm and not support_request.consent_given
    assert episode.urgent is True
    assert support_request.decision_due_at == working_days_deadline(
        support_request.received_at, 1, time(17, 0)
    )
    summary = db.session.scalar(
        select(TimelineEvent.summary).where(TimelineEvent.kind == EventKind.REQUEST_RECEIVED.value)
    )
    assert summary.endswith("urgent: significant harm suspected")


@pytest.mark.parametrize(
    ("significant_harm", "due"),
    [
        # Received on Friday 1 May 2026; Monday 4 May is the early May bank holiday.
        (False, datetime(2026, 5, 6, 17, 0, tzinfo=UK_TIME)),
        (True, datetime(2026, 5, 5, 17, 0, tzinfo=UK_TIME)),
    ],
)
def test_the_decision_deadline_counts_working_days(
    app: Flask, significant_harm: bool, due: datetime
) -> None:
    actor = Actor(make_user("lead_worker"))
    received = datetime(2026, 5, 1, 10, 0, tzinfo=UK_TIME).astimezone(UTC)
    support_request = submit_request(
        actor,
        details(significant_harm=significant_harm, consent_given=not significant_harm),
        received_at=received,
    )
    assert support_request.decision_due_at == due
    assert db.session.get(Episode, support_request.episode_id).hub_due_at == due


def test_the_episode_goes_to_the_team_for_the_locality_or_else_the_recorders_team(
    app: Flask,
) -> None:
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    actor = Actor(make_user("lead_worker", team=south))
    by_locality = submit_request(actor, details(locality="north"))
    assert db.session.get(Episode, by_locality.episode_id).team_id == north.id
    unknown = submit_request(
        actor, details(locality="", children=(ChildDetails("Ben", "Ash", years_ago(3)),))
    )
    assert db.session.get(Episode, unknown.episode_id).team_id == south.id


def test_the_service_checks_the_rules_itself(app: Flask) -> None:
    actor = Actor(make_user("lead_worker"))
    before = row_counts()
    with pytest.raises(RequestError, match="at least one child"):
        submit_request(actor, details(children=()))
    with pytest.raises(RequestError, match="must be in the past"):
        submit_request(
            actor, details(children=(ChildDetails("A", "B", TODAY + timedelta(days=1)),))
        )
    with pytest.raises(RequestError, match="consent"):
        submit_request(actor, details(consent_given=False, consent_given_by=""))
    with pytest.raises(RequestError, match="Only the Early Help Hub records"):
        submit_request(actor, details(received_via=ReceivedVia.PHONE))
    assert row_counts() == before


# --- the Hub recording a request -----------------------------------------------------------------


def test_a_coordinator_records_a_phone_referral_for_an_outside_referrer(
    client: FlaskClient, coordinator
) -> None:
    body = client.get("/requests/new").get_data(as_text=True)
    assert "How did the request reach the Hub?" in body
    assert 'value="Harriet Hub"' not in body

    response = client.post("/requests/new", data=form_data(received_via="phone"))
    assert response.status_code == 302
    support_request = db.session.scalar(select(SupportRequest))
    assert support_request.received_via is ReceivedVia.PHONE
    assert support_request.referrer_user_id is None
    assert support_request.recorded_by_id == coordinator.id
    assert support_request.referrer_name == "Dana Wells"
    summary = db.session.scalar(
        select(TimelineEvent.summary).where(TimelineEvent.kind == EventKind.REQUEST_RECEIVED.value)
    )
    assert "received by phone" in summary
    shown = page_text(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Triage this request" in shown and "recorded by Harriet Hub" in shown


def test_a_coordinator_must_say_how_the_request_came(client: FlaskClient, coordinator) -> None:
    body = client.post("/requests/new", data=form_data()).get_data(as_text=True)
    assert "Select how the request reached the Hub" in body
    assert db.session.scalar(select(func.count(SupportRequest.id))) == 0


def test_a_coordinator_who_is_the_referrer_gets_their_own_details(
    client: FlaskClient, coordinator
) -> None:
    data = form_data(received_via="online", referrer_name="", referrer_agency="Hub")
    data["referrer_contact"] = ""
    assert client.post("/requests/new", data=data).status_code == 302
    support_request = db.session.scalar(select(SupportRequest))
    assert support_request.referrer_user_id == coordinator.id
    assert support_request.referrer_name == "Harriet Hub"
    assert support_request.referrer_contact == coordinator.email


# --- the duplicate check -----------------------------------------------------------------------


def smith_family(**kwargs: Any) -> Family:
    return make_family(("John", date(2017, 3, 4)), family_name="Smith", **kwargs)


@pytest.mark.parametrize(
    ("given", "family", "born", "found"),
    [
        ("John", "Smith", date(2017, 3, 4), True),
        ("Jon", "Smyth", date(2017, 3, 4), True),
        ("Jon", "Smyth", date(2017, 4, 3), True),  # day and month swapped
        ("  JOHN ", "smith ", date(2017, 4, 3), True),
        ("Jon", "Smyth", date(2017, 3, 5), False),  # a different date of birth
        ("Peter", "Smith", date(2017, 3, 4), False),
    ],
)
def test_the_duplicate_check_finds_likely_matches_only(
    app: Flask, given: str, family: str, born: date, found: bool
) -> None:
    smith = smith_family()
    possible = find_possible_duplicates([Identity(given, family, born)])
    assert [match.family_id for match in possible] == ([smith.id] if found else [])
    if found:
        assert possible[0].members[0].full_name == "John Smith"
        assert possible[0].reference == smith.reference


def test_the_duplicate_check_ignores_case_and_spacing(app: Flask) -> None:
    turner = make_family(("Maisie", date(2016, 7, 21)), family_name="Turner")
    possible = find_possible_duplicates([Identity("  MAISIE  ", "  turner", date(2016, 7, 21))])
    assert [match.family_id for match in possible] == [turner.id]
    assert possible[0].members[0].resemblance.label == "Same name, same date of birth"


def test_the_duplicate_check_shows_the_open_episode_and_its_lead_worker(app: Flask) -> None:
    smith = smith_family()
    lead = make_user("lead_worker", name="Lee Worker")
    make_episode(smith, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead, team=make_team())
    closed = make_family(("Jon", date(2017, 3, 4)), family_name="Smyth")
    make_episode(closed, EpisodeStatus.CLOSED)

    possible = find_possible_duplicates([Identity("John", "Smith", date(2017, 3, 4))])
    by_family = {match.family_id: match for match in possible}
    open_episode = by_family[smith.id].open_episode
    assert open_episode is not None
    assert open_episode.status is EpisodeStatus.PLAN_ACTIVE
    assert open_episode.lead_worker_name == "Lee Worker"
    assert open_episode.team_name == "North Early Help Team"
    assert by_family[closed.id].open_episode is None
    assert by_family[closed.id].last_closed_at is not None
    # The exact name ranks above the similar one.
    assert [match.family_id for match in possible] == [smith.id, closed.id]


def test_the_duplicate_check_narrows_by_date_of_birth_in_the_database(app: Flask) -> None:
    smith_family()
    for number in range(5):
        make_family(("Someone", date(2010, 1, 1) + timedelta(days=number)), family_name="Other")
    with counting_statements() as statements:
        possible = find_possible_duplicates([Identity("Jon", "Smyth", date(2017, 3, 4))])
    assert len(possible) == 1
    member_queries = [sql for sql in statements if "FROM family_members" in sql]
    assert len(member_queries) == 1 and "date_of_birth IN" in member_queries[0]
    assert len(statements) == 2  # the children born on those dates, then their families


def test_duplicates_for_a_saved_request_leave_out_its_own_family(app: Flask) -> None:
    smith = smith_family()
    actor = Actor(make_user("lead_worker"))
    support_request = submit_request(
        actor, details(children=(ChildDetails("Jon", "Smyth", date(2017, 3, 4)),))
    )
    possible = possible_duplicates_for_request(support_request.id)
    assert [match.family_id for match in possible] == [smith.id]
    assert possible_duplicates_for_request(support_request.id + 1000) == []


def jon_smyth_request(**changes: Any) -> dict[str, Any]:
    """Jon Smyth, as a caller spelt John Smith, with a brother Tom and their mother Pat."""
    return form_data(
        **{
            "received_via": "phone",
            "children-0-given_name": "Jon",
            "children-0-family_name": "Smyth",
            "children-0-date_of_birth": ["4", "3", "2017"],
            "children-1-family_name": "Smith",
            "carers-0-given_name": "Pat",
            "carers-0-family_name": "Smith",
            **changes,
        }
    )


def test_a_coordinator_is_shown_possible_matches_before_anything_is_saved(
    client: FlaskClient, coordinator
) -> None:
    smith = smith_family()
    before = row_counts()
    response = client.post("/requests/new", data=jon_smyth_request())
    body = response.get_data(as_text=True)
    text = page_text(body)
    assert response.status_code == 200
    assert "Check if the Hub already knows this family" in text
    assert "Smith family" in text and smith.reference in text and "MF1 1AA" in text
    assert "John Smith" in text and "4 March 2017" in text
    assert "Similar name, same date of birth" in text
    assert "If you link the request to this family, Tom Smith will be added to it" in text
    assert f'value="{smith.id}" name="link_family"' in body
    assert 'value="new" name="link_family"' in body
    # The request travels with the page, in hidden fields.
    assert '<input type="hidden" name="children-0-given_name" value="Jon">' in body
    assert body.count('name="children-0-date_of_birth"') == 3
    assert row_counts() == before


def test_linking_to_the_existing_family_adds_no_family_and_matches_the_children(
    client: FlaskClient, coordinator
) -> None:
    smith = smith_family()
    john = db.session.scalar(select(FamilyMember).where(FamilyMember.given_name == "John"))
    response = client.post("/requests/new", data=jon_smyth_request(link_family=str(smith.id)))
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Family.id))) == 1

    support_request = db.session.scalar(select(SupportRequest))
    assert support_request.family_id == smith.id
    linked = db.session.scalars(
        select(SupportRequestChild.member_id).where(
            SupportRequestChild.request_id == support_request.id
        )
    ).all()
    members = db.session.scalars(
        select(FamilyMember).where(FamilyMember.family_id == smith.id).order_by(FamilyMember.id)
    ).all()
    # John is the Jon entered; Tom is new; Pat Smith, already recorded, is not added twice.
    assert [member.full_name for member in members] == ["John Smith", "Pat Smith", "Tom Smith"]
    tom = members[2]
    assert sorted(linked) == sorted([john.id, tom.id])
    kinds = db.session.scalars(
        select(TimelineEvent.kind)
        .where(TimelineEvent.family_id == smith.id)
        .order_by(TimelineEvent.id)
    ).all()
    assert kinds == [
        EventKind.FAMILY_CREATED.value,
        EventKind.MEMBER_ADDED.value,
        EventKind.REQUEST_RECEIVED.value,
    ]
    episode = db.session.get(Episode, support_request.episode_id)
    assert episode.family_id == smith.id and episode.status is EpisodeStatus.REQUESTED


def test_a_coordinator_can_confirm_the_family_is_new(client: FlaskClient, coordinator) -> None:
    smith_family()
    response = client.post("/requests/new", data=jon_smyth_request(link_family="new"))
    assert response.status_code == 302
    support_request = db.session.scalar(select(SupportRequest))
    assert db.session.scalar(select(func.count(Family.id))) == 2
    assert db.session.get(Family, support_request.family_id).name == "Smyth / Smith family"


def test_changing_the_request_brings_the_form_back_filled_in(
    client: FlaskClient, coordinator
) -> None:
    smith_family()
    body = client.post("/requests/new", data=jon_smyth_request(action="change")).get_data(
        as_text=True
    )
    assert "Request support for a family" in body
    assert 'value="Jon"' in body and 'value="Smyth"' in body
    assert "There is a problem" not in body


def test_a_family_with_an_open_episode_cannot_take_another_request(
    client: FlaskClient, coordinator
) -> None:
    smith = smith_family()
    lead = make_user("lead_worker", name="Lee Worker")
    make_episode(smith, EpisodeStatus.PLAN_ACTIVE, lead_worker=lead)

    shown = client.post("/requests/new", data=jon_smyth_request()).get_data(as_text=True)
    assert f'value="{smith.id}" name="link_family"' not in shown
    assert "A family can have only one open episode" in shown

    before = row_counts()
    response = client.post("/requests/new", data=jon_smyth_request(link_family=str(smith.id)))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This family already has an open episode (Plan active; lead worker Lee Worker)" in body
    assert f'href="#family-{smith.id}"' in body
    assert row_counts() == before


def test_the_service_refuses_a_second_open_episode(app: Flask) -> None:
    smith = smith_family()
    make_episode(smith, EpisodeStatus.REQUESTED)
    actor = Actor(make_user("hub_coordinator"))
    before = row_counts()
    with pytest.raises(OpenEpisodeConflict, match="already has an open episode"):
        submit_request(
            actor,
            details(children=(ChildDetails("John", "Smith", date(2017, 3, 4)),)),
            link_family_id=smith.id,
        )
    assert row_counts() == before


def test_a_second_open_episode_slipping_past_the_check_is_still_refused(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two coordinators linking at the same moment: the database's one-open-episode index
    has the last word, and the loser gets the same clear refusal, not an IntegrityError."""
    smith = smith_family()
    make_episode(smith, EpisodeStatus.TRIAGE)
    monkeypatch.setattr(
        "caseapp.services.requests._refuse_second_open_episode", lambda family: None
    )
    coordinator = Actor(make_user("hub_coordinator"))
    before = row_counts()
    with pytest.raises(OpenEpisodeConflict, match="already has an open episode"):
        submit_request(
            coordinator,
            details(children=(ChildDetails("John", "Smith", date(2017, 3, 4)),)),
            link_family_id=smith.id,
        )
    assert row_counts() == before


def test_a_coordinator_can_only_link_to_a_family_that_matches(
    client: FlaskClient, coordinator
) -> None:
    smith_family()
    stranger = make_family(("Zed", date(2012, 1, 1)), family_name="Other")
    before = row_counts()
    response = client.post("/requests/new", data=jon_smyth_request(link_family=str(stranger.id)))
    assert "That family does not match the children entered" in response.get_data(as_text=True)
    assert row_counts() == before


def test_others_never_see_possible_matches_and_their_request_is_saved_as_given(
    client: FlaskClient, lead_worker
) -> None:
    smith = smith_family()
    data = jon_smyth_request(received_via=None)
    response = client.post("/requests/new", data=data, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Smith family" not in body.replace("Smyth / Smith family", "")
    assert smith.reference not in body and "MF1 1AA" not in body
    support_request = db.session.scalar(select(SupportRequest))
    assert support_request.family_id != smith.id
    assert db.session.scalar(select(func.count(Family.id))) == 2
    # The Hub finds the likely duplicate at triage.
    assert [m.family_id for m in possible_duplicates_for_request(support_request.id)] == [smith.id]


def test_others_cannot_link_to_a_family_by_posting_its_id(client: FlaskClient, lead_worker) -> None:
    smith = smith_family()
    before = row_counts()
    data = jon_smyth_request(received_via=None, link_family=str(smith.id))
    body = client.post("/requests/new", data=data).get_data(as_text=True)
    assert "Only the Early Help Hub can add a request to an existing family" in body
    assert "Smith family" not in body.replace("Smyth / Smith family", "")
    assert row_counts() == before


# --- the request page and the referrer's home ---------------------------------------------------


def test_only_the_referrer_and_the_hub_can_open_a_request(
    client: FlaskClient, auth, lead_worker
) -> None:
    client.post("/requests/new", data=form_data())
    support_request = db.session.scalar(select(SupportRequest))
    url = f"/requests/{support_request.id}"
    assert client.get(url).status_code == 200

    for roles in (("lead_worker",), ("manager",), ("admin",)):
        other = make_user(*roles)
        auth.sign_out()
        auth.sign_in(other.email)
        response = client.get(url)
        assert response.status_code == 404
        assert "Maisie" not in response.get_data(as_text=True)
    hub = make_user("hub_coordinator")
    auth.sign_out()
    auth.sign_in(hub.email)
    assert client.get(url).status_code == 200
    assert client.get("/requests/999999").status_code == 404


def decide(support_request_id: int, outcome: TriageOutcome, decided_by_id: int) -> None:
    support_request = db.session.get(SupportRequest, support_request_id)
    support_request.outcome = outcome
    support_request.decided_at = utcnow()
    support_request.decided_by_id = decided_by_id
    support_request.decision_rationale = "Needs support with routines."
    db.session.commit()


@pytest.mark.parametrize(
    ("role", "home"), [("lead_worker", "/caseload"), ("manager", "/manager"), ("admin", "/admin")]
)
def test_the_referrer_sees_the_hubs_decision_on_their_home_page(
    client: FlaskClient, signed_in_as, role: str, home: str
) -> None:
    referrer = signed_in_as(role, agency=Agency(name="Oakfield Primary School", kind="school"))
    make_team()
    client.post("/requests/new", data=form_data())
    support_request = db.session.scalar(select(SupportRequest))

    waiting = page_text(client.get(home).get_data(as_text=True))
    assert "Your requests for support" in waiting
    assert "Turner family" in waiting and "Waiting for the Hub, decision due" in waiting

    hub = make_user("hub_coordinator", name="Harriet Hub")
    decide(support_request.id, TriageOutcome.EARLY_HELP, hub.id)
    decided = page_text(client.get(home).get_data(as_text=True))
    assert f"Decided {utcnow().astimezone(UK_TIME).day}" in decided
    assert "Early help" in decided and "by Harriet Hub" in decided
    assert "Waiting for the Hub" not in decided

    shown = page_text(client.get(f"/requests/{support_request.id}").get_data(as_text=True))
    assert "Early help" in shown and "by Harriet Hub" in shown
    assert "Needs support with routines." in shown
    assert referrer.id == support_request.referrer_user_id


def test_the_home_list_is_bounded_newest_first_and_one_query(
    client: FlaskClient, lead_worker
) -> None:
    actor = Actor(lead_worker)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    for number in range(12):
        submit_request(
            actor,
            details(children=(ChildDetails("Child", f"Family{chr(65 + number)}", years_ago(4)),)),
            received_at=start + timedelta(hours=number),
        )
    someone_else = Actor(make_user("lead_worker"))
    submit_request(
        someone_else,
        details(
            children=(ChildDetails("Zara", "Quill", years_ago(9)),),
            carers=(CarerDetails("Ada", "Quill", "Mother"),),
        ),
        received_at=start,
    )
    db.session.expire_all()

    assert lead_worker.id  # load the user first: only the list's own queries are counted
    with counting_statements() as statements:
        mine = requests_by_referrer(lead_worker)
    assert len(statements) == 1
    assert mine.total == 12 and len(mine.items) == 10
    assert [item.family_name for item in mine.items[:2]] == [
        "FamilyL / Turner family",
        "FamilyK / Turner family",
    ]

    text = page_text(client.get("/caseload").get_data(as_text=True))
    assert "Your latest 10 of 12 requests" in text and "See all 12 requests" in text
    assert "FamilyL / Turner family" in text and "FamilyB / Turner family" not in text
    assert "Quill family" not in text  # someone else's request


def test_all_requests_page_pages_and_serves_a_fragment(
    app: Flask, client: FlaskClient, lead_worker
) -> None:
    app.config["CASEAPP_PAGE_SIZE"] = 2
    try:
        actor = Actor(lead_worker)
        for number in range(3):
            submit_request(
                actor,
                details(children=(ChildDetails("Kid", f"Name{chr(65 + number)}", years_ago(6)),)),
            )
        full = client.get("/requests/mine?page=2").get_data(as_text=True)
        assert "<html" in full and "Page 2 of 2" in full
        assert "NameA / Turner family" in full and "NameC / Turner family" not in full
        fragment = client.get("/requests/mine?page=1", headers={"HX-Request": "true"})
        body = fragment.get_data(as_text=True)
        assert "<html" not in body and 'id="my-requests"' in body
        assert "NameC / Turner family" in body and "NameA / Turner family" not in body
        assert "HX-Request" in fragment.headers.get("Vary", "")
    finally:
        app.config["CASEAPP_PAGE_SIZE"] = 25
