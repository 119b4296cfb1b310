"""Triage through the web: picking a request up, and the decision as one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.domain.timeline import EventKind
from caseapp.domain.working_days import UK_TIME, working_days_deadline
from caseapp.extensions import db
from caseapp.models import (
    AuditEvent,
    Episode,
    FamilyMember,
    LevelDecision,
    SupportRequest,
    SupportRequestChild,
    TimelineEvent,
    User,
)
from caseapp.models.types import utcnow
from tests.factories import make_episode, make_family, make_team, make_user

SIBLINGS = (("Maisie", date(2016, 3, 9)), ("Leo", date(2020, 7, 21)))


@dataclass(frozen=True)
class MadeRequest:
    request_id: int
    episode_id: int
    family_id: int
    child_ids: tuple[int, ...]


def make_request(
    *children: tuple[str, date],
    referrer_user: User | None = None,
    significant_harm: bool = False,
    status: EpisodeStatus = EpisodeStatus.REQUESTED,
    family_name: str = "Turner",
    received_at: datetime | None = None,
) -> MadeRequest:
    """A request for support about `children` of a new family, waiting for the Hub."""
    family = make_family(*(children or SIBLINGS), family_name=family_name)
    episode = make_episode(family, status, team=make_team())
    members = db.session.scalars(
        select(FamilyMember)
        .where(FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True))
        .order_by(FamilyMember.date_of_birth)
    ).all()
    received_at = received_at or utcnow() - timedelta(hours=1)
    recorder = referrer_user or make_user("hub_coordinator", name="Intake Coordinator")
    support = SupportRequest(
        episode_id=episode.id,
        family_id=family.id,
        received_at=received_at,
        received_via=ReceivedVia.ONLINE if referrer_user else ReceivedVia.PHONE,
        recorded_by_id=recorder.id,
        referrer_user_id=referrer_user.id if referrer_user else None,
        referrer_name=referrer_user.name if referrer_user else "Jane Hollis",
        referrer_agency="Oakfield Primary School",
        referrer_contact="01632 960 123",
        reason="Attendance has fallen to 80% since September.\n\nMaisie says home is noisy.",
        tried_so_far="Pastoral support at school.",
        consent_given=True,
        consent_given_by="Pat Turner, mother",
        significant_harm=significant_harm,
        decision_due_at=working_days_deadline(received_at, 2, time(17, 0)),
    )
    support.children = [SupportRequestChild(member_id=member.id) for member in members]
    episode.hub_due_at = support.decision_due_at
    episode.urgent = significant_harm
    db.session.add(support)
    db.session.commit()
    return MadeRequest(
        request_id=support.id,
        episode_id=episode.id,
        family_id=family.id,
        child_ids=tuple(member.id for member in members),
    )


def decision_data(
    made: MadeRequest,
    levels: dict[int, str],
    outcome: str,
    *,
    indicators: dict[int, list[str]] | None = None,
    rationale: str = "Needs across two domains; school and health visitor agree.",
    **fields: Any,
) -> dict[str, Any]:
    version = db.session.get(Episode, made.episode_id).version
    today = datetime.now(UK_TIME).date()
    data: dict[str, Any] = {
        "version": str(version),
        "rationale": rationale,
        "outcome": outcome,
        "referrer_told_how": "phone",
        "referrer_told_on": [str(today.day), str(today.month), str(today.year)],
    }
    for member_id, level in levels.items():
        data[f"level_{member_id}"] = level
    for member_id, codes in (indicators or {}).items():
        data[f"indicators_{member_id}"] = codes
    data.update(fields)
    return data


def triage_url(made: MadeRequest) -> str:
    return f"/hub/episodes/{made.episode_id}/triage"


def events(episode_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.episode_id == episode_id)
            .order_by(TimelineEvent.occurred_at, TimelineEvent.id)
        )
    )


def saved_state(made: MadeRequest) -> tuple[Any, ...]:
    """Everything a triage decision would change, to show that a refusal changed none of it."""
    db.session.expire_all()
    episode = db.session.get(Episode, made.episode_id)
    support = db.session.get(SupportRequest, made.request_id)
    levels = db.session.scalars(
        select(FamilyMember.current_level_code).where(FamilyMember.id.in_(made.child_ids))
    ).all()
    return (
        episode.status,
        episode.version,
        support.decided_at,
        support.outcome,
        tuple(levels),
        db.session.scalar(select(func.count(LevelDecision.id))),
        db.session.scalar(select(func.count(TimelineEvent.id))),
    )


# --- picking a request up ------------------------------------------------------------------


def test_coordinator_picks_a_request_up(client: FlaskClient, signed_in_as) -> None:
    made = make_request()
    coordinator = signed_in_as("hub_coordinator", name="Tom Okafor")
    response = client.post(f"/hub/episodes/{made.episode_id}/start")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(triage_url(made))
    episode = db.session.get(Episode, made.episode_id)
    assert episode.status is EpisodeStatus.TRIAGE
    assert episode.triage_by_id == coordinator.id
    assert events(made.episode_id)[-1] == EventKind.TRIAGE_STARTED


def test_a_request_someone_else_holds_is_not_taken_silently(
    client: FlaskClient, auth, signed_in_as
) -> None:
    made = make_request()
    gemma = make_user("hub_coordinator", name="Gemma Clarke")
    auth.sign_in(gemma.email)
    client.post(f"/hub/episodes/{made.episode_id}/start")
    auth.sign_out()
    tom = signed_in_as("hub_coordinator", name="Tom Okafor")

    response = client.post(f"/hub/episodes/{made.episode_id}/start")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Gemma Clarke is already triaging this request" in page
    assert f'name="take_over_from" type="hidden" value="{gemma.id}"' in page
    assert db.session.get(Episode, made.episode_id).triage_by_id == gemma.id

    # A confirmation naming someone else does not take it from Gemma.
    client.post(f"/hub/episodes/{made.episode_id}/start", data={"take_over_from": tom.id})
    assert db.session.get(Episode, made.episode_id).triage_by_id == gemma.id

    response = client.post(
        f"/hub/episodes/{made.episode_id}/start", data={"take_over_from": gemma.id}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Episode, made.episode_id).triage_by_id == tom.id
    summaries = db.session.scalars(
        select(TimelineEvent.summary).where(TimelineEvent.kind == EventKind.TRIAGE_STARTED)
    ).all()
    assert "Triage taken over from Gemma Clarke by Tom Okafor" in summaries


def test_the_decision_page_of_a_request_held_by_another_offers_a_take_over(
    client: FlaskClient, auth, signed_in_as
) -> None:
    made = make_request()
    gemma = make_user("hub_coordinator", name="Gemma Clarke")
    auth.sign_in(gemma.email)
    client.post(f"/hub/episodes/{made.episode_id}/start")
    auth.sign_out()
    signed_in_as("hub_coordinator")
    page = client.get(triage_url(made)).get_data(as_text=True)
    assert "Gemma Clarke is triaging this request" in page
    assert "Take over from Gemma Clarke" in page
    assert 'name="rationale"' not in page

    data = decision_data(made, dict.fromkeys(made.child_ids, "earliest_help"), "early_help")
    response = client.post(triage_url(made), data=data)
    assert "Nothing you chose was saved" in response.get_data(as_text=True)
    assert db.session.get(Episode, made.episode_id).status is EpisodeStatus.TRIAGE


# --- the decision page ---------------------------------------------------------------------


def test_the_decision_page_shows_the_request_and_the_framework_per_child(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    made = make_request()
    coordinator = signed_in_as("hub_coordinator")
    response = client.get(triage_url(made))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    framework = app.extensions["caseapp.framework"]
    for text in (
        "Jane Hollis",
        "Oakfield Primary School",
        "Attendance has fallen to 80% since September.",
        "Pastoral support at school.",
        "Given by Pat Turner, mother",
        "Maisie Turner",
        "Leo Turner",
        "Nobody has picked this request up yet",
    ):
        assert text in page, text
    for level in framework.levels:
        assert level.name in page
        assert level.meaning.replace("'", "&#39;") in page
    for domain in framework.domains:
        assert domain.name.replace("'", "&#39;") in page
    first_indicator = framework.indicators[0]
    for child_id in made.child_ids:
        # Each sibling has their own level radios and indicator checkboxes.
        assert f'name="level_{child_id}"' in page
        assert f'name="indicators_{child_id}" type="checkbox" value="{first_indicator.code}"' in (
            page
        )
    assert "How did you tell the referrer?" in page
    viewed = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.user_id == coordinator.id)
    ).all()
    assert [(row.object_type, row.object_id) for row in viewed] == [
        ("support_request", made.request_id)
    ]


def test_possible_existing_records_are_shown_at_the_top(client: FlaskClient, signed_in_as) -> None:
    make_family(("Maisie", date(2016, 3, 9)), family_name="Turner", postcode="MF9 9ZZ")
    made = make_request()
    signed_in_as("hub_coordinator")
    page = client.get(triage_url(made)).get_data(as_text=True)
    assert "Possible existing records" in page
    assert "MF9 9ZZ" in page


# --- decisions -----------------------------------------------------------------------------


def test_two_siblings_triaged_to_different_levels_with_indicators(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    made = make_request()
    maisie, leo = made.child_ids
    coordinator = signed_in_as("hub_coordinator", name="Tom Okafor")
    client.post(f"/hub/episodes/{made.episode_id}/start")
    data = decision_data(
        made,
        {maisie: "targeted_early_help", leo: "earliest_help"},
        "early_help",
        indicators={maisie: ["teh-cd-01", "teh-cd-02"], leo: ["eh-cd-01"]},
    )
    before = utcnow()
    response = client.post(triage_url(made), data=data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/hub/episodes/{made.episode_id}/allocate")

    decisions = {
        row.member_id: row
        for row in db.session.scalars(
            select(LevelDecision).where(LevelDecision.episode_id == made.episode_id)
        )
    }
    assert decisions[maisie].level_code == "targeted_early_help"
    assert decisions[maisie].indicator_codes == ["teh-cd-01", "teh-cd-02"]
    assert decisions[leo].level_code == "earliest_help"
    assert decisions[leo].indicator_codes == ["eh-cd-01"]
    assert {row.decided_by_id for row in decisions.values()} == {coordinator.id}
    assert decisions[maisie].framework_key == "staffordshire"
    assert db.session.get(FamilyMember, maisie).current_level_code == "targeted_early_help"
    assert db.session.get(FamilyMember, leo).current_level_code == "earliest_help"

    support = db.session.get(SupportRequest, made.request_id)
    assert support.outcome is TriageOutcome.EARLY_HELP
    assert support.decided_by_id == coordinator.id
    assert support.decision_rationale == data["rationale"]
    assert support.referrer_informed_how == "Phone call"
    assert support.referrer_informed_at is not None

    episode = db.session.get(Episode, made.episode_id)
    assert episode.status is EpisodeStatus.AWAITING_ALLOCATION
    deadlines = app.config["CASEAPP_DEADLINES"]
    assert support.decided_at is not None and support.decided_at >= before
    assert episode.hub_due_at == working_days_deadline(
        support.decided_at, deadlines.allocation_working_days, deadlines.working_day_ends
    )
    assert events(made.episode_id)[-4:] == [
        EventKind.LEVEL_DECIDED,
        EventKind.LEVEL_DECIDED,
        EventKind.TRIAGE_DECIDED,
        EventKind.REFERRER_INFORMED,
    ]
    audit = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "decide", AuditEvent.user_id == coordinator.id
        )
    )
    assert audit is not None and audit.object_id == made.request_id


def test_advice_and_signposting_closes_the_episode_with_its_reason(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator")
    advice = "Advised school to use its attendance plan; signposted mother to the parenting course."
    data = decision_data(made, {made.child_ids[0]: "universal"}, "advice", rationale=advice)
    response = client.post(triage_url(made), data=data)
    assert response.status_code == 302
    episode = db.session.get(Episode, made.episode_id)
    assert episode.status is EpisodeStatus.CLOSED
    assert episode.closure_reason is ClosureReason.ADVICE_AND_SIGNPOSTING
    assert episode.closed_at is not None
    assert episode.hub_due_at is None
    assert db.session.get(SupportRequest, made.request_id).decision_rationale == advice
    assert events(made.episode_id)[-1] == EventKind.EPISODE_CLOSED


def test_step_up_marks_the_family_urgent_and_records_the_route(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator")
    data = decision_data(
        made,
        {made.child_ids[0]: "statutory_specialist"},
        "step_up",
        social_care_route="SCAS front door, by phone",
        social_care_contacted="Ruth Adams, duty social worker",
    )
    assert client.post(triage_url(made), data=data).status_code == 302
    episode = db.session.get(Episode, made.episode_id)
    assert episode.status is EpisodeStatus.STEPPED_UP
    assert episode.urgent is True
    assert episode.hub_due_at is None
    support = db.session.get(SupportRequest, made.request_id)
    assert support.social_care_route == "SCAS front door, by phone"
    assert support.social_care_contacted == "Ruth Adams, duty social worker"
    decided = db.session.scalar(
        select(TimelineEvent.summary).where(TimelineEvent.kind == EventKind.TRIAGE_DECIDED)
    )
    assert "SCAS front door, by phone" in decided


def test_a_referrer_who_uses_the_app_needs_no_record_of_being_told(
    client: FlaskClient, signed_in_as
) -> None:
    teacher = make_user("lead_worker", name="Aisha Rahman")
    made = make_request(("Maisie", date(2016, 3, 9)), referrer_user=teacher)
    signed_in_as("hub_coordinator")
    page = client.get(triage_url(made)).get_data(as_text=True)
    assert "How did you tell the referrer?" not in page
    data = decision_data(made, {made.child_ids[0]: "earliest_help"}, "early_help")
    del data["referrer_told_how"], data["referrer_told_on"]
    assert client.post(triage_url(made), data=data).status_code == 302
    assert EventKind.REFERRER_INFORMED not in events(made.episode_id)
    assert db.session.get(SupportRequest, made.request_id).referrer_informed_at is None


def test_errors_are_shown_beside_their_fields_and_nothing_is_saved(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request()
    maisie, leo = made.child_ids
    signed_in_as("hub_coordinator")
    before = saved_state(made)
    data = decision_data(
        made,
        {maisie: "not-a-level"},
        "step_up",
        indicators={maisie: ["made-up-indicator"]},
        rationale="  ",
        referrer_told_how="",
    )
    response = client.post(triage_url(made), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    expected = {
        f"level_{maisie}": "Select a level of need for Maisie from the",
        f"indicators_{maisie}": "Choose Maisie&#39;s indicators from the",
        f"level_{leo}": "Select a level of need for Leo",
        "rationale": "Enter the rationale for your decision",
        "social_care_route": "Enter the route the step up went through",
        "social_care_contacted": "Enter who you spoke to at children&#39;s social care",
        "referrer_told_how": "Select how you told the referrer",
    }
    for field, message in expected.items():
        assert f'href="#{field}"' in page, field  # in the error summary
        assert page.count(message) >= 2, message  # and again beside the field
    assert saved_state(made) == before


def test_an_outside_referrer_must_be_told_on_a_real_past_date(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator")
    before = saved_state(made)
    tomorrow = datetime.now(UK_TIME).date() + timedelta(days=1)
    levels = {made.child_ids[0]: "earliest_help"}
    future = [str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)]
    page = client.post(
        triage_url(made), data=decision_data(made, levels, "early_help", referrer_told_on=future)
    ).get_data(as_text=True)
    assert "The date you told the referrer must be today or earlier" in page
    page = client.post(
        triage_url(made),
        data=decision_data(made, levels, "early_help", referrer_told_on=["31", "2", "2026"]),
    ).get_data(as_text=True)
    assert "The date you told the referrer must be a real date" in page
    assert saved_state(made) == before


def test_early_help_for_children_at_a_universal_level_needs_a_reason(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator")
    data = decision_data(made, {made.child_ids[0]: "universal"}, "early_help")
    page = client.post(triage_url(made), data=data).get_data(as_text=True)
    assert "No child is at an early help level: record why the family needs early help" in page
    data["outcome_reason"] = "Mother asked for help with routines; school will lead."
    assert client.post(triage_url(made), data=data).status_code == 302
    support = db.session.get(SupportRequest, made.request_id)
    assert "Mother asked for help with routines" in support.decision_rationale


def test_a_decision_made_on_an_out_of_date_page_is_refused(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    signed_in_as("hub_coordinator")
    data = decision_data(made, {made.child_ids[0]: "earliest_help"}, "early_help")
    episode = db.session.get(Episode, made.episode_id)
    episode.urgent = True  # someone else changed the episode after the page was loaded
    db.session.commit()
    before = saved_state(made)
    response = client.post(triage_url(made), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing you chose was saved" in page
    assert saved_state(made) == before
    # The page now carries the current version, so the coordinator can decide again.
    assert f'name="version" type="hidden" value="{before[1]}"' in page


def test_triage_is_for_coordinators_and_families_they_may_see(
    client: FlaskClient, signed_in_as
) -> None:
    made = make_request()
    signed_in_as("lead_worker")
    assert client.get(triage_url(made)).status_code == 403
    client.post("/sign-out")

    lead = make_user("lead_worker")
    allocated = make_episode(
        make_family(family_name="Hughes"), EpisodeStatus.ALLOCATED, lead_worker=lead
    )
    signed_in_as("hub_coordinator")
    # Allocated by someone else and out of the Hub: not this coordinator's to see.
    for url in (
        f"/hub/episodes/{allocated.id}/triage",
        f"/hub/episodes/{allocated.id}/allocate",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/hub/episodes/{allocated.id}/start").status_code == 404
    assert client.get("/hub/episodes/999999/triage").status_code == 404


def test_a_second_decision_on_the_same_request_is_refused_and_says_who_decided(
    client: FlaskClient, auth
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    tom = make_user("hub_coordinator", name="Tom Okafor")
    priya = make_user("hub_coordinator", name="Priya Shah")
    levels = {made.child_ids[0]: "earliest_help"}
    auth.sign_in(priya.email)
    stale = decision_data(made, levels, "early_help")  # Priya's page, loaded first
    auth.sign_out()
    auth.sign_in(tom.email)
    assert (
        client.post(triage_url(made), data=decision_data(made, levels, "early_help")).status_code
        == 302
    )
    auth.sign_out()
    auth.sign_in(priya.email)
    before = saved_state(made)
    page = client.post(triage_url(made), data=stale).get_data(as_text=True)
    assert "Tom Okafor decided this request at " in page
    assert "Nothing you chose was saved" in page
    assert saved_state(made) == before


def test_a_decision_that_took_the_family_out_of_the_hub_is_reported_not_404(
    client: FlaskClient, auth
) -> None:
    made = make_request(("Maisie", date(2016, 3, 9)))
    tom = make_user("hub_coordinator", name="Tom Okafor")
    priya = make_user("hub_coordinator", name="Priya Shah")
    levels = {made.child_ids[0]: "universal"}
    stale = decision_data(made, levels, "early_help", outcome_reason="Parents asked for help")
    # Priya opens the request while it is still in the Hub...
    auth.sign_in(priya.email)
    assert client.get(triage_url(made)).status_code == 200
    auth.sign_out()
    auth.sign_in(tom.email)
    assert (
        client.post(triage_url(made), data=decision_data(made, levels, "advice")).status_code == 302
    )
    auth.sign_out()
    auth.sign_in(priya.email)
    # Closed with advice, the family is no longer Priya's to see...
    assert client.get(triage_url(made)).status_code == 404
    # ...but the decision she was writing is answered, not lost in a "page not found".
    response = client.post(triage_url(made), data=stale)
    assert response.status_code == 302
    with client.session_transaction() as session:
        _, message = session["_flashes"][-1]
    assert "Tom Okafor decided this request at " in message
    assert "Advice and signposting" in message
    assert (
        db.session.get(Episode, made.episode_id).closure_reason
        is ClosureReason.ADVICE_AND_SIGNPOSTING
    )
