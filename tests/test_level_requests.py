"""Step up, step down and closure requests: asking, returning, resubmitting, withdrawing
and deciding, through the pages and the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from caseapp.domain.casework import ActionStatus, MeetingKind, MeetingStatus
from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.level_requests import RequestKind, RequestStatus, ReviewAction
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import (
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    LevelDecision,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    RequestReview,
    TafMeeting,
    TimelineEvent,
    User,
)
from caseapp.models.types import utcnow
from caseapp.services.access import can_see_family
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements


@dataclass
class World:
    lead: User
    manager: User
    other_manager: User
    family: Family
    episode: Episode
    elder: FamilyMember
    younger: FamilyMember


def children_of(family: Family) -> list[FamilyMember]:
    return list(
        db.session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True))
            .order_by(FamilyMember.date_of_birth)
        )
    )


def make_world(
    status: EpisodeStatus = EpisodeStatus.PLAN_ACTIVE, family_name: str = "Okafor"
) -> World:
    """Two siblings at targeted early help, led by a North team lead worker."""
    north = make_team("North Early Help Team", "North")
    lead = make_user("lead_worker", team=north, name="Lena Lead")
    manager = make_user("manager", team=north, name="Mo Manager")
    other_manager = make_user("manager", team=north, name="Nia Manager")
    family = make_family(
        ("Sam", date(2015, 3, 1)), ("Alex", date(2019, 6, 1)), family_name=family_name
    )
    episode = make_episode(family, status, lead_worker=lead, team=north)
    elder, younger = children_of(family)
    elder.current_level_code = "targeted_early_help"
    younger.current_level_code = "targeted_early_help"
    db.session.commit()
    return World(lead, manager, other_manager, family, episode, elder, younger)


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def version_of(episode_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Episode.version).where(Episode.id == episode_id))


def step_down_form(world: World, **overrides: object) -> dict[str, object]:
    form: dict[str, object] = {
        "version": str(version_of(world.episode.id)),
        "kind": "step_down",
        "target": "level",
        "children": [str(world.younger.id)],
        f"level_{world.younger.id}": "earliest_help",
        f"indicators_{world.younger.id}": [],
        "rationale": "Attendance is back to 96% and the family are managing routines.",
    }
    form.update(overrides)
    return form


def ask(client: FlaskClient, world: World, form: dict[str, object]):
    kind = form["kind"]
    return client.post(f"/families/{world.family.id}/level-requests/new?kind={kind}", data=form)


def only_request() -> LevelChangeRequest:
    db.session.expire_all()
    return db.session.scalars(select(LevelChangeRequest)).one()


def made_children(request_id: int) -> list[LevelChangeRequestChild]:
    return list(
        db.session.scalars(
            select(LevelChangeRequestChild).where(LevelChangeRequestChild.request_id == request_id)
        )
    )


def timeline_kinds(family_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(TimelineEvent.kind)
            .where(TimelineEvent.family_id == family_id)
            .order_by(TimelineEvent.id)
        )
    )


def add_progress(world: World) -> None:
    """Two TAF meetings scoring one outcome 3 then 8, and one action still open."""
    outcome = PlanOutcome(
        family_id=world.family.id,
        episode_id=world.episode.id,
        member_id=world.younger.id,
        description="Alex goes to school every day",
        created_by_id=world.lead.id,
    )
    db.session.add(outcome)
    for weeks_ago, score in ((12, 3), (1, 8)):
        meeting = TafMeeting(
            family_id=world.family.id,
            episode_id=world.episode.id,
            kind=MeetingKind.REVIEW,
            status=MeetingStatus.HELD,
            at=utcnow() - timedelta(weeks=weeks_ago),
            decisions="Keep going with the morning routine." if weeks_ago == 1 else "",
            scheduled_by_id=world.lead.id,
        )
        db.session.add(meeting)
        db.session.flush()
        db.session.add(OutcomeScore(meeting_id=meeting.id, outcome_id=outcome.id, score=score))
    db.session.add(
        PlanAction(
            family_id=world.family.id,
            episode_id=world.episode.id,
            outcome_id=outcome.id,
            description="Walk Alex to school on Mondays",
            owner_name="Pat Okafor",
            due_on=date.today() + timedelta(days=14),
            status=ActionStatus.IN_PROGRESS,
            created_by_id=world.lead.id,
        )
    )
    db.session.commit()


# --- asking -----------------------------------------------------------------------------------


def test_lead_worker_asks_for_a_step_down_for_one_sibling(app: Flask) -> None:
    world = make_world()
    add_progress(world)
    lead = sign_in(app, world.lead)

    page = lead.get(f"/families/{world.family.id}/level-requests/new?kind=step_down")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Ask for a step down" in body
    # The evidence the request will carry is shown before it is sent.
    assert "Alex goes to school every day" in body and "Walk Alex to school" in body

    response = ask(lead, world, step_down_form(world))
    assert response.status_code == 302
    made = only_request()
    assert response.location.endswith(f"/level-requests/{made.id}")
    assert made.kind is RequestKind.STEP_DOWN and made.status is RequestStatus.PENDING
    assert made.requested_by_id == world.lead.id
    # The evidence snapshot: distance travelled 3 -> 8, and the open action.
    assert made.evidence["scores"][0]["first"] == 3
    assert made.evidence["scores"][0]["latest"] == 8
    assert (
        made.evidence["outstanding_actions"][0]["description"] == "Walk Alex to school on Mondays"
    )
    (child,) = made_children(made.id)
    assert (child.member_id, child.from_level_code, child.to_level_code) == (
        world.younger.id,
        "targeted_early_help",
        "earliest_help",
    )
    # A step down within early help leaves the episode where it was.
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.PLAN_ACTIVE
    assert EventKind.LEVEL_CHANGE_REQUESTED.value in timeline_kinds(world.family.id)
    assert db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.object_type == "level_change_request",
            AuditEvent.action == "create",
            AuditEvent.object_id == made.id,
        )
    )

    shown = lead.get(f"/level-requests/{made.id}").get_data(as_text=True)
    assert "Waiting for a decision" in shown and "Step down request" in shown


def review(client: FlaskClient, request_id: int, decision: str, rationale: str):
    version = only_request().version
    return client.post(
        f"/reviews/{request_id}",
        data={"version": str(version), "decision": decision, "rationale": rationale},
    )


def test_returned_then_resubmitted_then_approved_changes_only_that_child(app: Flask) -> None:
    world = make_world()
    add_progress(world)
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    ask(lead, world, step_down_form(world))
    made = only_request()

    returned = review(manager, made.id, "return", "What does the school say about attendance?")
    assert returned.status_code == 302 and returned.location.endswith("/reviews")
    assert only_request().status is RequestStatus.RETURNED
    page = lead.get(f"/level-requests/{made.id}").get_data(as_text=True)
    assert "What does the school say about attendance?" in page
    assert "Send back to the manager" in page

    # Further information is required.
    empty = lead.post(
        f"/level-requests/{made.id}/resubmit",
        data={"version": str(only_request().version), "further_information": "  "},
    )
    assert empty.status_code == 200
    assert "Enter the further information the manager asked for" in empty.get_data(as_text=True)
    assert only_request().status is RequestStatus.RETURNED

    resent = lead.post(
        f"/level-requests/{made.id}/resubmit",
        data={
            "version": str(only_request().version),
            "further_information": "The school confirms 96% attendance this half term.",
        },
    )
    assert resent.status_code == 302
    again = only_request()
    assert again.status is RequestStatus.PENDING
    assert "96% attendance this half term" in again.further_information
    assert again.submitted_at > again.requested_at

    approved = review(manager, made.id, "approve", "Good progress; earliest help is right.")
    assert approved.status_code == 302
    done = only_request()
    assert done.status is RequestStatus.APPROVED
    assert done.decided_by_id == world.manager.id
    db.session.expire_all()
    assert db.session.get(FamilyMember, world.younger.id).current_level_code == "earliest_help"
    assert db.session.get(FamilyMember, world.elder.id).current_level_code == "targeted_early_help"
    decision = db.session.scalars(select(LevelDecision)).one()
    assert decision.member_id == world.younger.id and decision.decided_by_id == world.manager.id
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.PLAN_ACTIVE

    actions = list(
        db.session.scalars(
            select(RequestReview.action)
            .where(RequestReview.request_id == made.id)
            .order_by(RequestReview.id)
        )
    )
    assert actions == [
        ReviewAction.SUBMITTED,
        ReviewAction.RETURNED,
        ReviewAction.RESUBMITTED,
        ReviewAction.APPROVED,
    ]
    kinds = timeline_kinds(world.family.id)
    for kind in (
        EventKind.LEVEL_CHANGE_REQUESTED,
        EventKind.LEVEL_CHANGE_RETURNED,
        EventKind.LEVEL_CHANGE_RESUBMITTED,
        EventKind.LEVEL_CHANGE_APPROVED,
        EventKind.LEVEL_DECIDED,
    ):
        assert kind.value in kinds
    decided_audits = db.session.scalars(
        select(AuditEvent.detail).where(
            AuditEvent.object_type == "level_change_request", AuditEvent.action == "decide"
        )
    ).all()
    assert [detail["decision"] for detail in decided_audits] == ["return", "approve"]


def test_nobody_decides_their_own_request(app: Flask) -> None:
    world = make_world()
    manager = sign_in(app, world.manager)
    # A manager of the team may ask, as they keep the team's records.
    ask(manager, world, step_down_form(world))
    made = only_request()
    assert made.requested_by_id == world.manager.id

    page = manager.get(f"/reviews/{made.id}").get_data(as_text=True)
    assert "another manager must decide it" in page
    assert 'name="decision"' not in page
    refused = review(manager, made.id, "approve", "I approve my own request")
    assert refused.status_code == 200
    assert "another manager must decide it" in refused.get_data(as_text=True)
    assert only_request().status is RequestStatus.PENDING

    other = sign_in(app, world.other_manager)
    assert review(other, made.id, "approve", "Agreed.").status_code == 302
    assert only_request().status is RequestStatus.APPROVED


def social_care_step_up_form(world: World, urgent: bool = True) -> dict[str, object]:
    return {
        "version": str(version_of(world.episode.id)),
        "kind": "step_up",
        "target": "social_care",
        "urgent": "y" if urgent else "",
        "children": [str(world.elder.id), str(world.younger.id)],
        f"level_{world.elder.id}": "statutory_specialist",
        f"level_{world.younger.id}": "statutory_specialist",
        "rationale": "Bruising seen by the school nurse; the explanation does not fit.",
    }


def test_urgent_step_up_to_social_care_and_its_approval(app: Flask) -> None:
    world = make_world()
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    assert ask(lead, world, social_care_step_up_form(world)).status_code == 302
    made = only_request()
    assert made.urgent and made.evidence == {}
    episode = db.session.get(Episode, world.episode.id)
    assert episode.status is EpisodeStatus.STEP_UP_REQUESTED and episode.urgent
    assert made.episode_status_before is EpisodeStatus.PLAN_ACTIVE

    assert review(manager, made.id, "approve", "Refer to the front door now.").status_code == 302
    db.session.expire_all()
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.STEPPED_UP
    assert db.session.get(FamilyMember, world.elder.id).current_level_code == "statutory_specialist"


@pytest.mark.parametrize("ending", ["decline", "withdraw"])
@pytest.mark.parametrize("urgent_before", [False, True])
def test_an_urgent_step_up_declined_or_withdrawn_leaves_the_family_as_urgent_as_before(
    app: Flask, ending: str, urgent_before: bool
) -> None:
    world = make_world()
    # Significant harm suspected when the Hub took the family on, or not.
    world.episode.urgent = urgent_before
    db.session.commit()
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    assert ask(lead, world, social_care_step_up_form(world)).status_code == 302
    made = only_request()
    assert db.session.get(Episode, world.episode.id).urgent
    if ending == "decline":
        response = review(manager, made.id, "decline", "Not significant harm: carry on.")
    else:
        version = {"version": str(only_request().version)}
        response = lead.post(f"/level-requests/{made.id}/withdraw", data=version)
    assert response.status_code == 302

    db.session.expire_all()
    episode = db.session.get(Episode, world.episode.id)
    assert episode.status is EpisodeStatus.PLAN_ACTIVE and episode.urgent is urgent_before
    caseload = lead.get("/caseload").get_data(as_text=True)
    assert ("Urgent: significant harm suspected" in caseload) is urgent_before
    # A later, ordinary step up is not put in front of the Hub as urgent.
    assert ask(lead, world, social_care_step_up_form(world, urgent=False)).status_code == 302
    coordinator = make_user("hub_coordinator")
    assert can_see_family(coordinator, world.family.id) is urgent_before


def test_urgent_only_for_a_step_up_to_social_care(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    response = ask(
        lead,
        world,
        {
            "version": str(version_of(world.episode.id)),
            "kind": "step_up",
            "target": "level",
            "urgent": "y",
            "children": [str(world.younger.id)],
            f"level_{world.younger.id}": "statutory_specialist",
            "rationale": "Worse.",
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only a step up to children&#39;s social care can be marked urgent" in body
    assert "Select a level in another level of early help for Alex" in body
    assert db.session.scalars(select(LevelChangeRequest)).first() is None


@pytest.mark.parametrize("decision", ["approve", "decline"])
def test_closure_request_closes_or_restores_the_episode(app: Flask, decision: str) -> None:
    world = make_world(EpisodeStatus.REVIEW)
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    missing = ask(lead, world, {"version": str(version_of(world.episode.id)), "kind": "closure"})
    body = missing.get_data(as_text=True)
    assert "Select the reason for closure" in body
    assert "Enter what will be in place for the family after closure" in body
    assert "Enter the rationale for the request" in body

    form = {
        "version": str(version_of(world.episode.id)),
        "kind": "closure",
        "closure_reason": "needs_met",
        "after_closure": "School pastoral team keeps in touch.",
        "rationale": "Every outcome achieved at the last review.",
    }
    assert ask(lead, world, form).status_code == 302
    made = only_request()
    assert {child.member_id for child in made_children(made.id)} == {
        world.elder.id,
        world.younger.id,
    }
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.CLOSURE_REQUESTED

    assert review(manager, made.id, decision, "Decided.").status_code == 302
    db.session.expire_all()
    episode = db.session.get(Episode, world.episode.id)
    if decision == "approve":
        assert episode.status is EpisodeStatus.CLOSED and episode.closed_at is not None
        assert episode.closure_reason is ClosureReason.NEEDS_MET
        assert EventKind.EPISODE_CLOSED.value in timeline_kinds(world.family.id)
    else:
        assert episode.status is EpisodeStatus.REVIEW and episode.closed_at is None
        assert EventKind.LEVEL_CHANGE_DECLINED.value in timeline_kinds(world.family.id)


def test_step_down_to_universal_needs_every_child_and_closes(app: Flask) -> None:
    world = make_world()
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    one_child = step_down_form(
        world, target="universal", **{f"level_{world.younger.id}": "universal"}
    )
    body = ask(lead, world, one_child).get_data(as_text=True)
    assert "select every child" in body
    both = step_down_form(
        world,
        target="universal",
        children=[str(world.elder.id), str(world.younger.id)],
        **{f"level_{world.younger.id}": "universal", f"level_{world.elder.id}": "universal"},
    )
    assert ask(lead, world, both).status_code == 302
    made = only_request()
    assert review(manager, made.id, "approve", "Universal services will do.").status_code == 302
    db.session.expire_all()
    episode = db.session.get(Episode, world.episode.id)
    assert episode.status is EpisodeStatus.CLOSED
    assert episode.closure_reason is ClosureReason.STEPPED_DOWN_TO_UNIVERSAL
    assert db.session.get(FamilyMember, world.elder.id).current_level_code == "universal"


def test_step_down_must_go_down(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    body = ask(
        lead, world, step_down_form(world, **{f"level_{world.younger.id}": "targeted_early_help"})
    ).get_data(as_text=True)
    assert "Select a level below Alex&#39;s level now" in body


def test_one_open_request_at_a_time_and_withdrawal_restores_the_episode(app: Flask) -> None:
    world = make_world(EpisodeStatus.ASSESSMENT)
    lead = sign_in(app, world.lead)
    form = {
        "version": str(version_of(world.episode.id)),
        "kind": "closure",
        "closure_reason": "moved_out_of_area",
        "after_closure": "Passed to the new council's early help team.",
        "rationale": "The family moved to Leeds.",
    }
    assert ask(lead, world, form).status_code == 302
    made = only_request()
    chooser = lead.get(f"/families/{world.family.id}/level-requests/new").get_data(as_text=True)
    assert "already waiting for a manager" in chooser
    second = ask(lead, world, step_down_form(world))
    assert second.status_code == 400

    withdrawn = lead.post(
        f"/level-requests/{made.id}/withdraw", data={"version": str(only_request().version)}
    )
    assert withdrawn.status_code == 302
    assert only_request().status is RequestStatus.WITHDRAWN
    db.session.expire_all()
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.ASSESSMENT
    assert EventKind.LEVEL_CHANGE_WITHDRAWN.value in timeline_kinds(world.family.id)


def test_only_the_requester_changes_a_request(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    ask(lead, world, step_down_form(world))
    made = only_request()
    manager = sign_in(app, world.manager)
    refused = manager.post(
        f"/level-requests/{made.id}/withdraw", data={"version": str(made.version)}
    )
    assert refused.status_code == 200
    assert "Only the person who made the request can change it" in refused.get_data(as_text=True)
    assert only_request().status is RequestStatus.PENDING


def test_a_lead_worker_asks_only_for_families_they_lead(app: Flask) -> None:
    world = make_world()
    colleague = make_user("lead_worker", team=world.lead.team)
    # A TAF member may read the record, but does not lead it.
    meeting = TafMeeting(
        family_id=world.family.id,
        episode_id=world.episode.id,
        kind=MeetingKind.INITIAL,
        at=utcnow(),
        scheduled_by_id=world.lead.id,
    )
    db.session.add(meeting)
    db.session.flush()
    from caseapp.models import TafAttendee

    db.session.add(TafAttendee(meeting_id=meeting.id, name=colleague.name, user_id=colleague.id))
    db.session.commit()
    client = sign_in(app, colleague)
    chooser = client.get(f"/families/{world.family.id}/level-requests/new")
    assert chooser.status_code == 200
    assert "Ask for a" not in chooser.get_data(as_text=True)
    assert ask(client, world, step_down_form(world)).status_code == 400
    assert db.session.scalars(select(LevelChangeRequest)).first() is None


def test_a_stale_form_is_refused_with_a_message(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    stale = step_down_form(world, version=str(version_of(world.episode.id) - 1 or 99))
    response = ask(lead, world, stale)
    assert response.status_code == 200
    assert "Nothing was sent" in response.get_data(as_text=True)
    assert db.session.scalars(select(LevelChangeRequest)).first() is None


def test_htmx_request_answers_with_the_fragment_and_refreshes_the_timeline(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    response = lead.post(
        f"/families/{world.family.id}/level-requests/new?kind=step_down",
        data=step_down_form(world),
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and "Step down request sent" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert response.headers["HX-Push-Url"] == f"/level-requests/{only_request().id}"

    manager = sign_in(app, world.manager)
    decided = manager.post(
        f"/reviews/{only_request().id}",
        data={"version": str(only_request().version), "decision": "decline", "rationale": "No."},
        headers={"HX-Request": "true"},
    )
    body = decided.get_data(as_text=True)
    assert "<html" not in body and "Request declined" in body
    assert decided.headers["HX-Trigger"] == "timeline-changed"


def test_hostile_text_is_escaped(app: Flask) -> None:
    world = make_world()
    lead = sign_in(app, world.lead)
    ask(lead, world, step_down_form(world, rationale="<script>alert(1)</script>"))
    page = lead.get(f"/level-requests/{only_request().id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- statement counts ----------------------------------------------------------------------------


def _statements_for(client: FlaskClient, url: str) -> int:
    with counting_statements() as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_request_pages_use_the_same_statements_at_two_sizes(app: Flask) -> None:
    world = make_world()
    add_progress(world)
    lead = sign_in(app, world.lead)
    ask(lead, world, step_down_form(world))
    made = only_request()
    form_url = f"/families/{world.family.id}/level-requests/new?kind=closure"
    show_url = f"/level-requests/{made.id}"
    small = (_statements_for(lead, form_url), _statements_for(lead, show_url))
    # More of everything: outcomes, meetings, actions, review rounds.
    add_progress(world)
    add_progress(world)
    manager = sign_in(app, world.manager)
    review(manager, made.id, "return", "More please.")
    lead.post(
        f"/level-requests/{made.id}/resubmit",
        data={"version": str(only_request().version), "further_information": "Here."},
    )
    large = (_statements_for(lead, form_url), _statements_for(lead, show_url))
    assert small == large
    assert max(large) <= 15, large


def test_back_from_social_care_through_a_step_down(app: Flask) -> None:
    world = make_world(EpisodeStatus.STEPPED_UP)
    world.elder.current_level_code = "statutory_specialist"
    db.session.commit()
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    # With social care leading, the lead worker does not ask; the team's manager may.
    assert "Ask for a" not in lead.get(f"/families/{world.family.id}/level-requests/new").get_data(
        as_text=True
    )
    form = step_down_form(
        world,
        children=[str(world.elder.id)],
        **{f"level_{world.elder.id}": "targeted_early_help"},
    )
    assert ask(manager, world, form).status_code == 302
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.STEP_DOWN_REQUESTED
    other = sign_in(app, world.other_manager)
    assert review(other, only_request().id, "approve", "Social care agree.").status_code == 302
    db.session.expire_all()
    assert db.session.get(Episode, world.episode.id).status is EpisodeStatus.PLAN_ACTIVE
    assert db.session.get(FamilyMember, world.elder.id).current_level_code == "targeted_early_help"


def test_the_lead_worker_sees_decisions_on_their_home_page(app: Flask) -> None:
    world = make_world()
    lead, manager = sign_in(app, world.lead), sign_in(app, world.manager)
    assert "Decisions on your requests" not in lead.get("/caseload").get_data(as_text=True)
    ask(lead, world, step_down_form(world))
    review(manager, only_request().id, "decline", "Not yet: one more review first.")
    home = lead.get("/caseload").get_data(as_text=True)
    assert "Decisions on your requests" in home
    assert "Declined" in home and "Not yet: one more review first." in home
    # Someone else's decisions are not on this person's page.
    colleague = sign_in(app, make_user("lead_worker", team=world.lead.team))
    assert "Decisions on your requests" not in colleague.get("/caseload").get_data(as_text=True)
