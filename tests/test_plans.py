"""The family plan page: outcomes and actions added, changed and completed, with and
without htmx; who may keep it and who may only read it; and what it costs to show."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from caseapp.domain.casework import ActionStatus, MeetingKind, MeetingStatus, OutcomeStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import (
    AuditEvent,
    Episode,
    FamilyMember,
    OutcomeScore,
    PlanAction,
    PlanOutcome,
    TafMeeting,
    TimelineEvent,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.context import Actor
from caseapp.services.plans import ActionDetails, stage_action
from tests.factories import make_team, make_user
from tests.statements import counting_statements
from tests.test_family_page import allocated_family, children_of, sign_in

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Plan:
    family_id: int
    episode_id: int
    lead: User
    coordinator: User
    children: list[FamilyMember]

    @property
    def url(self) -> str:
        return f"/families/{self.family_id}/plan"


@pytest.fixture
def plan(app: Flask) -> Plan:
    return make_plan()


def make_plan() -> Plan:
    """A family of two children, allocated a month ago to Priya Shah of the North team."""
    coordinator = make_user("hub_coordinator", name="Tom Okafor")
    lead = make_user("lead_worker", name="Priya Shah", team=make_team())
    family, episode = allocated_family(
        coordinator,
        lead,
        children=(("Maisie", date(2018, 5, 3)), ("Leo", date(2021, 2, 10))),
        allocated_at=utcnow() - timedelta(days=30),
    )
    return Plan(family.id, episode.id, lead, coordinator, children_of(family.id))


def outcome_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "outcome-member": "family",
        "outcome-description": "Maisie goes to school every day",
        "outcome-measure": "Attendance above 95% for a term",
        "outcome-headline_outcomes": ["education", "family_relationships"],
    }
    return data | changes


def action_data(prefix: str, outcome_id: int | None, **changes: object) -> dict[str, object]:
    due = uk_today() + timedelta(days=14)
    data: dict[str, object] = {
        "outcome": str(outcome_id) if outcome_id else "",
        f"{prefix}-description": "Walk Maisie to school each morning",
        f"{prefix}-owner_name": "Pat Turner",
        f"{prefix}-owner_agency": "Parent",
        f"{prefix}-due_on": [str(due.day), str(due.month), str(due.year)],
    }
    return data | {f"{prefix}-{key}": value for key, value in changes.items()}


def edit_data(action: PlanAction, **changes: object) -> dict[str, object]:
    prefix = f"edit-{action.id}"
    data: dict[str, object] = {
        f"{prefix}-version": action.version,
        f"{prefix}-description": action.description,
        f"{prefix}-owner_name": action.owner_name,
        f"{prefix}-owner_agency": action.owner_agency,
        f"{prefix}-due_on": [
            str(action.due_on.day),
            str(action.due_on.month),
            str(action.due_on.year),
        ],
        f"{prefix}-status": action.status.value,
    }
    return data | {f"{prefix}-{key}": value for key, value in changes.items()}


def add_outcome(
    plan: Plan, member: FamilyMember | None = None, description: str = "Maisie goes to school"
) -> PlanOutcome:
    outcome = PlanOutcome(
        family_id=plan.family_id,
        episode_id=plan.episode_id,
        member_id=member.id if member else None,
        description=description,
        headline_outcomes=["education"],
        created_by_id=plan.lead.id,
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def add_action(
    plan: Plan,
    outcome: PlanOutcome | None,
    due_on: date | None = None,
    description: str = "Walk to school together",
) -> PlanAction:
    episode = db.session.get(Episode, plan.episode_id)
    action = stage_action(
        Actor(plan.lead),
        episode,
        ActionDetails(
            description=description,
            owner_name="Pat Turner",
            owner_agency="Parent",
            due_on=due_on or uk_today() + timedelta(days=7),
            outcome_id=outcome.id if outcome else None,
        ),
    )
    db.session.commit()
    return action


def events_of(kind: EventKind) -> list[TimelineEvent]:
    return list(db.session.scalars(select(TimelineEvent).where(TimelineEvent.kind == kind)))


def text_of(body: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


# --- reading the plan ----------------------------------------------------------------------


def test_an_empty_plan_invites_the_first_outcome(app: Flask, plan: Plan) -> None:
    response = sign_in(app, plan.lead).get(plan.url)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No outcomes have been agreed yet" in body
    assert "Add an outcome" in body
    # Every headline outcome is offered, by name, and each child and the whole family.
    assert "Promoting recovery and reducing harm from substance use" in body
    assert "Maisie Turner" in body and "The whole family" in body
    assert 'aria-current="page">Plan<' in body


def test_outcomes_are_grouped_by_child_with_tags_actions_and_scores(app: Flask, plan: Plan) -> None:
    maisie, leo = plan.children
    for_maisie = add_outcome(plan, maisie, "Maisie is on time for school")
    for_leo = add_outcome(plan, leo, "Leo's speech is assessed")
    add_outcome(plan, None, "The family has a settled home")
    add_action(plan, for_maisie, description="Alarm clock bought")
    add_action(plan, None, description="Book the next TAF meeting")
    meeting = TafMeeting(
        family_id=plan.family_id,
        episode_id=plan.episode_id,
        kind=MeetingKind.REVIEW,
        status=MeetingStatus.HELD,
        at=datetime(2026, 10, 1, 10, tzinfo=UTC),
        scheduled_by_id=plan.lead.id,
    )
    earlier = TafMeeting(
        family_id=plan.family_id,
        episode_id=plan.episode_id,
        kind=MeetingKind.INITIAL,
        status=MeetingStatus.HELD,
        at=datetime(2026, 8, 1, 10, tzinfo=UTC),
        scheduled_by_id=plan.lead.id,
    )
    db.session.add_all([meeting, earlier])
    db.session.flush()
    db.session.add_all(
        [
            OutcomeScore(meeting_id=earlier.id, outcome_id=for_maisie.id, score=2),
            OutcomeScore(meeting_id=meeting.id, outcome_id=for_maisie.id, score=6),
        ]
    )
    db.session.commit()

    text = text_of(sign_in(app, plan.lead).get(plan.url).get_data(as_text=True))
    # Eldest child first, then the next, then the whole family.
    assert (
        text.index("For Maisie Turner")
        < text.index("Maisie is on time for school")
        < text.index("For Leo Turner")
        < text.index("Leo's speech is assessed")
        < text.index("For the whole family")
        < text.index("The family has a settled home")
        < text.index("Actions for the plan as a whole")
        < text.index("Book the next TAF meeting")
    )
    assert "Getting a good education" in text
    assert "Working towards" in text
    assert "Alarm clock bought" in text
    # The latest TAF meeting's score, not the earlier one.
    assert "6 out of 10 (scored 1 October 2026)" in text
    assert "Not scored yet" in text
    assert for_leo.id


def test_an_overdue_action_is_marked_in_words(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    add_action(plan, outcome, due_on=uk_today() - timedelta(days=1), description="Late one")
    add_action(plan, outcome, due_on=uk_today(), description="Due today")
    body = sign_in(app, plan.lead).get(plan.url).get_data(as_text=True)
    late = body[body.index("Late one") : body.index("Due today")]
    assert "Overdue" in late and "(overdue)" in late
    due_today = body[body.index("Due today") :]
    assert "Overdue" not in due_today.split("</li>")[0]


def test_viewing_the_plan_is_audited(app: Flask, plan: Plan) -> None:
    sign_in(app, plan.lead).get(plan.url)
    views = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.object_type == "plan")
    ).all()
    assert [(view.user_id, view.family_id) for view in views] == [(plan.lead.id, plan.family_id)]


def test_the_hub_reads_the_plan_without_its_forms(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    action = add_action(plan, outcome)
    client = sign_in(app, plan.coordinator)
    body = client.get(plan.url).get_data(as_text=True)
    assert "Maisie goes to school" in body
    assert "You can read this plan" in body
    assert "Add an outcome" not in body and "Mark as done" not in body and "Change" not in body
    assert client.post(f"{plan.url}/outcomes", data=outcome_data()).status_code == 403
    assert (
        client.post(f"{plan.url}/actions", data=action_data("action-plan", None)).status_code == 403
    )
    assert client.get(f"{plan.url}/actions/{action.id}").status_code == 403
    assert (
        client.post(f"{plan.url}/actions/{action.id}/complete", data={"version": 1}).status_code
        == 403
    )
    assert db.session.scalar(select(func.count(PlanOutcome.id))) == 1


def test_a_manager_of_the_team_keeps_the_plan_and_another_team_never_sees_it(
    app: Flask, plan: Plan
) -> None:
    same_team = make_user("manager", team=make_team())
    other_team = make_user("manager", team=make_team("South Early Help Team", "South"))
    outcome = add_outcome(plan)
    assert "Add an outcome" in sign_in(app, same_team).get(plan.url).get_data(as_text=True)
    stranger = sign_in(app, other_team)
    assert stranger.get(plan.url).status_code == 404
    assert stranger.get(f"{plan.url}/outcomes/{outcome.id}").status_code == 404
    assert stranger.post(f"{plan.url}/outcomes", data=outcome_data()).status_code == 404


def test_a_record_of_another_family_is_not_found(app: Flask, plan: Plan) -> None:
    other_lead = make_user("lead_worker")
    family, episode = allocated_family(plan.coordinator, other_lead, family_name="Other")
    other = Plan(family.id, episode.id, other_lead, plan.coordinator, children_of(family.id))
    their_action = add_action(other, add_outcome(other))
    client = sign_in(app, plan.lead)
    assert client.get(f"{plan.url}/actions/{their_action.id}").status_code == 404
    assert client.get(f"{plan.url}/actions/999999").status_code == 404
    response = client.post(
        f"{plan.url}/actions/{their_action.id}/complete", data={"version": their_action.version}
    )
    assert response.status_code == 404
    assert db.session.get(PlanAction, their_action.id).status is ActionStatus.NOT_STARTED


def test_a_closed_episode_shows_its_plan_read_only(app: Flask, plan: Plan) -> None:
    add_outcome(plan, description="Reached before closing")
    episode = db.session.get(Episode, plan.episode_id)
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = utcnow()
    db.session.commit()
    client = sign_in(app, make_user("manager", team=make_team()))
    body = client.get(plan.url).get_data(as_text=True)
    assert "Reached before closing" in body
    assert "this is its plan as it ended" in body
    assert "Add an outcome" not in body
    response = client.post(f"{plan.url}/outcomes", data=outcome_data())
    assert response.status_code == 302
    assert "no open episode" in client.get(plan.url).get_data(as_text=True)
    in_place = client.post(f"{plan.url}/outcomes", data=outcome_data(), headers=HTMX)
    assert (in_place.status_code, in_place.headers["HX-Redirect"]) == (204, plan.url)
    assert db.session.scalar(select(func.count(PlanOutcome.id))) == 1


# --- outcomes ------------------------------------------------------------------------------


def test_adding_an_outcome_without_javascript(app: Flask, plan: Plan) -> None:
    maisie = plan.children[0]
    client = sign_in(app, plan.lead)
    response = client.post(
        f"{plan.url}/outcomes", data=outcome_data(**{"outcome-member": str(maisie.id)})
    )
    assert response.status_code == 302
    (outcome,) = db.session.scalars(select(PlanOutcome)).all()
    assert response.location.endswith(f"{plan.url}#outcome-{outcome.id}")
    assert (outcome.member_id, outcome.headline_outcomes) == (
        maisie.id,
        ["education", "family_relationships"],
    )
    assert outcome.status is OutcomeStatus.OPEN
    (event,) = events_of(EventKind.OUTCOME_ADDED)
    assert event.summary == "For Maisie: Maisie goes to school every day"
    assert event.member_id == maisie.id
    body = client.get(plan.url).get_data(as_text=True)
    assert "Outcome added: Maisie goes to school every day" in body
    assert "Improved family relationships" in body


def test_adding_an_outcome_with_htmx_refreshes_the_plan_in_place(app: Flask, plan: Plan) -> None:
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/outcomes", data=outcome_data(), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="plan"')
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert 'role="status" tabindex="-1" autofocus>Outcome added' in body
    # The form is empty again, ready for the next outcome.
    assert 'name="outcome-description"' in body
    assert "Attendance above 95% for a term</textarea>" not in body


@pytest.mark.parametrize("htmx", [False, True])
def test_an_incomplete_outcome_is_answered_on_its_form(app: Flask, plan: Plan, htmx: bool) -> None:
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/outcomes",
        data=outcome_data(
            **{
                "outcome-description": " ",
                "outcome-headline_outcomes": [],
                "outcome-member": "9999",
            }
        ),
        headers=HTMX if htmx else {},
    )
    text = text_of(response.get_data(as_text=True))
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "Enter what will be different" in text
    assert "Choose at least one headline outcome this serves" in text
    assert "Choose a child in this family, or the whole family" in text
    assert ("<html" in response.get_data(as_text=True)) is not htmx
    assert "HX-Trigger" not in response.headers
    assert db.session.scalar(select(func.count(PlanOutcome.id))) == 0
    assert events_of(EventKind.OUTCOME_ADDED) == []


def test_an_unknown_headline_outcome_is_refused(app: Flask, plan: Plan) -> None:
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/outcomes",
        data=outcome_data(**{"outcome-headline_outcomes": ["education", "made_up"]}),
    )
    assert "Choose headline outcomes from the list shown" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PlanOutcome.id))) == 0


def outcome_form(outcome: PlanOutcome, **changes: object) -> dict[str, object]:
    return outcome_data(
        **{"outcome-version": outcome.version, "outcome-status": outcome.status.value, **changes}
    )


def test_changing_an_outcome_and_marking_it_achieved(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    client = sign_in(app, plan.lead)
    page = client.get(f"{plan.url}/outcomes/{outcome.id}").get_data(as_text=True)
    assert "Change an outcome" in page and f'value="{outcome.version}"' in page
    response = client.post(
        f"{plan.url}/outcomes/{outcome.id}",
        data=outcome_form(outcome, **{"outcome-status": "achieved"}),
    )
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(PlanOutcome, outcome.id)
    assert saved.status is OutcomeStatus.ACHIEVED
    assert saved.description == "Maisie goes to school every day"
    (event,) = events_of(EventKind.OUTCOME_UPDATED)
    assert event.summary.endswith("(now achieved)")


def test_a_stale_outcome_save_shows_what_it_says_now(app: Flask, plan: Plan) -> None:
    outcome = add_outcome(plan)
    loaded_version = outcome.version
    manager = make_user("manager", name="Sam Lee", team=make_team())
    first = sign_in(app, manager).post(
        f"{plan.url}/outcomes/{outcome.id}",
        data=outcome_form(outcome, **{"outcome-description": "Sam's wording"}),
    )
    assert first.status_code == 302
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/outcomes/{outcome.id}",
        data=outcome_data(
            **{
                "outcome-version": loaded_version,
                "outcome-status": "open",
                "outcome-description": "Priya's wording",
            }
        ),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert "Sam Lee changed this outcome at " in body
    assert "Sam&#39;s wording" in body  # what it says now
    assert "Priya&#39;s wording</textarea>" in body  # what they typed, kept
    db.session.expire_all()
    saved = db.session.get(PlanOutcome, outcome.id)
    assert saved.description == "Sam's wording"
    assert f'name="outcome-version" type="hidden" value="{saved.version}"' in body


# --- actions -------------------------------------------------------------------------------


def test_adding_an_action_to_an_outcome_without_javascript(app: Flask, plan: Plan) -> None:
    maisie = plan.children[0]
    outcome = add_outcome(plan, maisie)
    client = sign_in(app, plan.lead)
    prefix = f"action-{outcome.id}"
    response = client.post(f"{plan.url}/actions", data=action_data(prefix, outcome.id))
    assert response.status_code == 302
    (action,) = db.session.scalars(select(PlanAction)).all()
    assert response.location.endswith(f"#action-{action.id}")
    assert (action.outcome_id, action.owner_name, action.status) == (
        outcome.id,
        "Pat Turner",
        ActionStatus.NOT_STARTED,
    )
    (event,) = events_of(EventKind.ACTION_ADDED)
    assert event.summary.startswith("Walk Maisie to school each morning – Pat Turner (Parent), by ")
    # About the outcome's child, so the chronology's child filter finds it.
    assert event.member_id == maisie.id
    assert "Action added: Walk Maisie to school each morning" in client.get(plan.url).get_data(
        as_text=True
    )


def test_adding_an_action_for_the_whole_plan_with_htmx(app: Flask, plan: Plan) -> None:
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/actions", data=action_data("action-plan", None), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert body.lstrip().startswith('<div id="plan"')
    (action,) = db.session.scalars(select(PlanAction)).all()
    assert action.outcome_id is None
    assert f'id="action-{action.id}"' in body


def test_an_action_for_an_outcome_of_another_family_is_not_found(app: Flask, plan: Plan) -> None:
    other_lead = make_user("lead_worker")
    family, episode = allocated_family(plan.coordinator, other_lead, family_name="Other")
    theirs = add_outcome(Plan(family.id, episode.id, other_lead, plan.coordinator, []))
    client = sign_in(app, plan.lead)
    prefix = f"action-{theirs.id}"
    for data in (action_data(prefix, theirs.id), action_data(prefix, theirs.id, owner_name="")):
        assert client.post(f"{plan.url}/actions", data=data).status_code == 404
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0


@pytest.mark.parametrize("htmx", [False, True])
def test_an_action_due_before_the_plan_started_needs_to_be_marked_historic(
    app: Flask, plan: Plan, htmx: bool
) -> None:
    outcome = add_outcome(plan)
    client = sign_in(app, plan.lead)
    prefix = f"action-{outcome.id}"
    long_ago = uk_today() - timedelta(days=60)
    due = [str(long_ago.day), str(long_ago.month), str(long_ago.year)]
    response = client.post(
        f"{plan.url}/actions",
        data=action_data(prefix, outcome.id, due_on=due),
        headers=HTMX if htmx else {},
    )
    body = response.get_data(as_text=True)
    assert "when the plan started, unless the action was agreed before" in body
    # The failing form is open, with what was typed, under its own outcome.
    assert '<details class="govuk-details app-plan-add" open>' in body
    assert "Walk Maisie to school each morning</textarea>" in body
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0
    response = client.post(
        f"{plan.url}/actions", data=action_data(prefix, outcome.id, due_on=due, historic="y")
    )
    assert response.status_code == 302
    assert db.session.scalar(select(PlanAction.due_on)) == long_ago


def test_an_incomplete_action_names_every_missing_part(app: Flask, plan: Plan) -> None:
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/actions",
        data=action_data("action-plan", None, description="", owner_name="", due_on=["", "", ""]),
    )
    text = text_of(response.get_data(as_text=True))
    assert "Enter what will be done" in text
    assert "Enter who will do it" in text
    assert "Enter the date it will be done by" in text
    assert db.session.scalar(select(func.count(PlanAction.id))) == 0


def test_changing_an_action_in_place_with_htmx(app: Flask, plan: Plan) -> None:
    action = add_action(plan, add_outcome(plan))
    client = sign_in(app, plan.lead)
    url = f"{plan.url}/actions/{action.id}"
    form = client.get(url, headers=HTMX)
    form_body = form.get_data(as_text=True)
    assert form_body.lstrip().startswith(
        f'<li class="app-plan-action app-plan-action--editing" id="action-{action.id}"'
    )
    assert "<html" not in form_body
    response = client.post(
        url, data=edit_data(action, owner_name="Gemma Clarke", status="in_progress"), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li class="app-plan-action" id="action-{action.id}"')
    assert "Action updated" in body and "Gemma Clarke, Parent" in body and "In progress" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    (event,) = events_of(EventKind.ACTION_UPDATED)
    assert "Gemma Clarke" in event.summary and event.summary.endswith("(in progress)")
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).version == 2
    # The row carries the new version, so "Mark as done" works straight away.
    assert 'name="version" value="2"' in body


def test_changing_an_action_without_javascript(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    url = f"{plan.url}/actions/{action.id}"
    page = client.get(url).get_data(as_text=True)
    assert "<html" in page and "Change an action" in page
    response = client.post(url, data=edit_data(action, status="done", completed_on=["", "", ""]))
    assert response.status_code == 302
    assert response.location.endswith(f"{plan.url}#action-{action.id}")
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    assert (saved.status, saved.completed_on) == (ActionStatus.DONE, uk_today())
    assert len(events_of(EventKind.ACTION_COMPLETED)) == 1


def test_a_done_action_cannot_be_cancelled(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    action.status = ActionStatus.DONE
    db.session.commit()
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/actions/{action.id}", data=edit_data(action, status="cancelled")
    )
    assert "cannot be changed to ‘Cancelled’" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status is ActionStatus.DONE


def test_completing_an_action_swaps_its_row(app: Flask, plan: Plan) -> None:
    action = add_action(plan, add_outcome(plan), due_on=uk_today() - timedelta(days=3))
    client = sign_in(app, plan.lead)
    response = client.post(
        f"{plan.url}/actions/{action.id}/complete", data={"version": action.version}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<li class="app-plan-action app-plan-action--closed"')
    assert "Marked as done" in body and "Done" in body
    # Done, so no longer overdue, and there is nothing left to mark done.
    assert "Overdue" not in body and "Mark as done" not in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    db.session.expire_all()
    saved = db.session.get(PlanAction, action.id)
    assert (saved.status, saved.completed_on) == (ActionStatus.DONE, uk_today())
    (event,) = events_of(EventKind.ACTION_COMPLETED)
    assert event.summary == "Walk to school together – Pat Turner (Parent)"
    audit = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.object_type == "plan_action", AuditEvent.object_id == action.id
        )
    ).all()
    assert sorted(audit) == ["complete", "create"]


def test_a_done_action_cannot_be_marked_done_again(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    url = f"{plan.url}/actions/{action.id}/complete"
    assert client.post(url, data={"version": 1}, headers=HTMX).status_code == 200
    again = client.post(url, data={"version": 2}, headers=HTMX)
    body = again.get_data(as_text=True)
    assert "This action is done, so it cannot be marked done." in body
    assert "HX-Trigger" not in again.headers
    assert len(events_of(EventKind.ACTION_COMPLETED)) == 1


def test_completing_without_javascript_redirects_to_the_row(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    response = client.post(f"{plan.url}/actions/{action.id}/complete", data={"version": 1})
    assert response.status_code == 302
    assert response.location.endswith(f"#action-{action.id}")
    assert "Marked as done: Walk to school together" in client.get(plan.url).get_data(as_text=True)


def test_completing_a_changed_action_saves_nothing_and_says_who(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    manager = make_user("manager", name="Sam Lee", team=make_team())
    sign_in(app, manager).post(
        f"{plan.url}/actions/{action.id}", data=edit_data(action, status="cancelled")
    )
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/actions/{action.id}/complete", data={"version": 1}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sam Lee changed this action at " in body and "Nothing was saved" in body
    assert 'role="alert"' in body and "Cancelled" in body
    assert "HX-Trigger" not in response.headers
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status is ActionStatus.CANCELLED
    assert events_of(EventKind.ACTION_COMPLETED) == []


def test_a_stale_action_save_keeps_what_was_typed_and_shows_what_it_says_now(
    app: Flask, plan: Plan
) -> None:
    action = add_action(plan, None)
    loaded = edit_data(action, owner_name="Priya's choice")
    manager = make_user("manager", name="Sam Lee", team=make_team())
    sign_in(app, manager).post(
        f"{plan.url}/actions/{action.id}", data=edit_data(action, owner_name="Sam's choice")
    )
    response = sign_in(app, plan.lead).post(
        f"{plan.url}/actions/{action.id}", data=loaded, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert "Nothing was saved" in body and "Sam Lee changed this action" in body
    assert "Sam&#39;s choice" in body and 'value="Priya&#39;s choice"' in body
    assert f'name="edit-{action.id}-version" type="hidden" value="2"' in body
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).owner_name == "Sam's choice"
    # Saving again on purpose, at the version now shown, replaces it.
    again = sign_in(app, plan.lead).post(
        f"{plan.url}/actions/{action.id}", data={**loaded, f"edit-{action.id}-version": 2}
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).owner_name == "Priya's choice"


def test_a_missing_version_is_a_bad_request(app: Flask, plan: Plan) -> None:
    action = add_action(plan, None)
    client = sign_in(app, plan.lead)
    data = edit_data(action)
    del data[f"edit-{action.id}-version"]
    assert client.post(f"{plan.url}/actions/{action.id}", data=data).status_code == 400
    assert client.post(f"{plan.url}/actions/{action.id}/complete").status_code == 400


def test_stage_action_still_adds_a_meetings_actions(app: Flask, plan: Plan) -> None:
    """The TAF meeting service adds agreed actions through stage_action in its own
    transaction, naming the meeting."""
    meeting = TafMeeting(
        family_id=plan.family_id,
        episode_id=plan.episode_id,
        kind=MeetingKind.INITIAL,
        at=utcnow(),
        scheduled_by_id=plan.lead.id,
    )
    db.session.add(meeting)
    db.session.flush()
    episode = db.session.get(Episode, plan.episode_id)
    details = ActionDetails("Refer to the school nurse", "Jo Bell", "School", date(2027, 1, 8))
    action = stage_action(Actor(plan.lead), episode, details, meeting_id=meeting.id)
    db.session.commit()
    assert (action.meeting_id, action.status) == (meeting.id, ActionStatus.NOT_STARTED)
    (event,) = events_of(EventKind.ACTION_ADDED)
    assert event.summary == "Refer to the school nurse – Jo Bell (School), by 8 January 2027"
    assert event.detail == {"action_id": action.id, "meeting_id": meeting.id}


# --- cost ----------------------------------------------------------------------------------


def build_plan(plan: Plan, outcomes: int) -> None:
    for number in range(outcomes):
        member = plan.children[number % len(plan.children)] if number % 3 else None
        outcome = add_outcome(plan, member, f"Outcome {number}")
        for action_number in range(3):
            add_action(
                plan,
                outcome,
                due_on=uk_today() + timedelta(days=action_number - 1),
                description=f"Action {number}.{action_number}",
            )
    add_action(plan, None, description="Plan-wide")


def test_the_plan_costs_the_same_queries_however_big_it_is(app: Flask) -> None:
    counts = []
    for size in (1, 12):
        coordinator = make_user("hub_coordinator")
        lead = make_user("lead_worker", team=make_team())
        family, episode = allocated_family(
            coordinator, lead, children=(("Ava", date(2016, 1, 1)), ("Ben", date(2019, 1, 1)))
        )
        plan = Plan(family.id, episode.id, lead, coordinator, children_of(family.id))
        build_plan(plan, size)
        meeting = TafMeeting(
            family_id=family.id,
            episode_id=episode.id,
            kind=MeetingKind.REVIEW,
            status=MeetingStatus.HELD,
            at=utcnow(),
            scheduled_by_id=lead.id,
        )
        db.session.add(meeting)
        db.session.flush()
        for outcome in db.session.scalars(
            select(PlanOutcome).where(PlanOutcome.episode_id == episode.id)
        ):
            db.session.add(OutcomeScore(meeting_id=meeting.id, outcome_id=outcome.id, score=4))
        db.session.commit()
        client = sign_in(app, lead)
        with counting_statements() as statements:
            response = client.get(plan.url)
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("4 out of 10") == size
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15, counts


def test_every_change_in_place_costs_the_same_bounded_number_of_queries(app: Flask) -> None:
    """Adding an outcome or an action, changing and completing an action, with htmx: the
    same number of statements for a small plan and a big one, and at most 15."""
    counts: list[list[int]] = []
    for size in (1, 8):
        plan = make_plan()
        build_plan(plan, size)
        outcome = db.session.scalars(
            select(PlanOutcome)
            .where(PlanOutcome.family_id == plan.family_id)
            .order_by(PlanOutcome.id)
        ).first()
        first, second = db.session.scalars(
            select(PlanAction).where(PlanAction.outcome_id == outcome.id).order_by(PlanAction.id)
        ).all()[:2]
        client = sign_in(app, plan.lead)
        requests = [
            (f"{plan.url}/outcomes", outcome_data()),
            (f"{plan.url}/actions", action_data(f"action-{outcome.id}", outcome.id)),
            (f"{plan.url}/actions/{first.id}", edit_data(first, owner_name="Gemma Clarke")),
            (f"{plan.url}/actions/{second.id}/complete", {"version": second.version}),
        ]
        sizes = []
        for url, data in requests:
            with counting_statements() as statements:
                response = client.post(url, data=data, headers=HTMX)
            assert response.status_code == 200
            assert response.headers["HX-Trigger"] == "timeline-changed"
            sizes.append(len(statements))
        counts.append(sizes)
    assert counts[0] == counts[1]
    assert max(counts[0]) <= 15, counts
