"""A lead worker's caseload: their open families, most overdue first, what is due on each
from the EHA, TAF and plan records, and which families are new to them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import aliased

from caseapp.domain.casework import ActionStatus, AssessmentStatus, MeetingKind, MeetingStatus
from caseapp.domain.deadlines import EpisodeFacts
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.working_days import is_working_day
from caseapp.extensions import db
from caseapp.models import (
    Assessment,
    AuditEvent,
    Episode,
    PlanAction,
    TafMeeting,
    User,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.caseload import deadline_facts, with_deadline_facts
from caseapp.services.context import Actor
from caseapp.services.episodes import stage_assignment
from tests.factories import make_episode, make_family, make_user
from tests.statements import counting_statements


def _lead_families(lead: User, count: int, prefix: str = "Fam") -> list[Episode]:
    episodes = []
    for number in range(count):
        family = make_family(("Child", date(2017, 1, 1 + number)), family_name=f"{prefix}{number}")
        episode = make_episode(family, EpisodeStatus.ALLOCATED, lead_worker=lead)
        episodes.append(episode)
    return episodes


def _complete_eha(episode: Episode, by: User, at: datetime) -> None:
    db.session.add(
        Assessment(
            family_id=episode.family_id,
            episode_id=episode.id,
            number=1,
            status=AssessmentStatus.COMPLETED,
            started_by_id=by.id,
            started_at=at - timedelta(days=7),
            completed_by_id=by.id,
            completed_at=at,
        )
    )


def _meeting(
    episode: Episode,
    by: User,
    at: datetime,
    status: MeetingStatus = MeetingStatus.HELD,
    next_on: date | None = None,
) -> None:
    db.session.add(
        TafMeeting(
            family_id=episode.family_id,
            episode_id=episode.id,
            kind=MeetingKind.REVIEW,
            status=status,
            at=at,
            next_meeting_on=next_on,
            scheduled_by_id=by.id,
        )
    )


def _action(
    episode: Episode, by: User, due_on: date, status: ActionStatus = ActionStatus.NOT_STARTED
) -> None:
    db.session.add(
        PlanAction(
            family_id=episode.family_id,
            episode_id=episode.id,
            description="Attend the parenting course",
            owner_name="Pat",
            due_on=due_on,
            status=status,
            created_by_id=by.id,
        )
    )


def _rows(body: str) -> list[str]:
    """The caseload table's rows, in order, as text without tags."""
    table = body[body.index('class="govuk-table app-caseload"') :]
    rows = re.findall(r'<tr class="govuk-table__row[^"]*">(.*?)</tr>', table, re.S)[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def _figure(body: str, label: str) -> int:
    match = re.search(
        r'app-figures__number">(\d+)</span>\s*<span class="app-figures__label">' + label, body
    )
    assert match, label
    return int(match.group(1))


def test_caseload_lists_only_my_open_families_most_urgent_first(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    lead = signed_in_as("lead_worker")
    other = make_user("lead_worker")
    overdue, later = _lead_families(lead, 2)
    overdue.allocated_at = utcnow() - timedelta(days=60)
    later.allocated_at = utcnow() - timedelta(days=1)
    closed_family = make_family(family_name="Closedfam")
    make_episode(closed_family, EpisodeStatus.CLOSED, lead_worker=lead)
    make_episode(make_family(family_name="Otherfam"), EpisodeStatus.ALLOCATED, lead_worker=other)
    db.session.commit()

    body = client.get("/caseload").get_data(as_text=True)
    assert "Fam0 family" in body and "Fam1 family" in body
    assert "Closedfam" not in body and "Otherfam" not in body
    assert body.index("Fam0 family") < body.index("Fam1 family")
    assert "Overdue" in body
    assert '<span class="app-figures__number">2</span>' in body


def test_an_empty_caseload_says_what_will_appear(client: FlaskClient, signed_in_as) -> None:
    signed_in_as("lead_worker")
    assert "No families are allocated to you" in client.get("/caseload").get_data(as_text=True)


def test_order_is_most_overdue_first_then_soonest_due_then_nothing_due(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    lead = signed_in_as("lead_worker")
    now = utcnow()
    (
        on_time,
        very_late,
        nothing_due,
        little_late,
        due_soon,
    ) = _lead_families(lead, 5)
    # Allocated yesterday: the EHA is 14 working days away.
    on_time.allocated_at = now - timedelta(days=1)
    very_late.allocated_at = now - timedelta(days=90)
    little_late.allocated_at = now - timedelta(days=30)
    # With children's social care: nothing is owed to early help.
    nothing_due.status = EpisodeStatus.STEPPED_UP
    _complete_eha(due_soon, lead, now - timedelta(days=3))
    _meeting(due_soon, lead, now - timedelta(days=40), next_on=uk_today(now) + timedelta(days=1))
    db.session.commit()

    rows = _rows(client.get("/caseload").get_data(as_text=True))
    assert [row.split(" family")[0] for row in rows] == ["Fam1", "Fam3", "Fam4", "Fam0", "Fam2"]
    assert "Early Help Assessment (EHA)" in rows[0] and "Overdue by" in rows[0]
    assert "TAF review meeting" in rows[2]
    assert "Nothing due" in rows[4]


def test_records_decide_what_is_due_not_the_status(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    """The done-when point: a TAF past its review date, overdue actions and a missing EHA
    show on the caseload and on the family page, whatever the episode's status says."""
    lead = signed_in_as("lead_worker")
    now = utcnow()
    today = uk_today(now)
    (episode,) = _lead_families(lead, 1)
    # Marked as a plan in review, but the records say the EHA was never completed.
    episode.status = EpisodeStatus.REVIEW
    episode.allocated_at = now - timedelta(days=120)
    _meeting(episode, lead, now - timedelta(days=100), next_on=today - timedelta(days=50))
    # The latest meeting held agreed its next date three weeks ago: that review is overdue.
    # A working day, as a date agreed for a weekend is due on the next working day.
    agreed = today - timedelta(days=21)
    while not is_working_day(agreed):
        agreed -= timedelta(days=1)
    _meeting(episode, lead, now - timedelta(days=70), next_on=agreed)
    # Scheduled or cancelled meetings do not count as held.
    _meeting(episode, lead, now - timedelta(days=2), status=MeetingStatus.CANCELLED)
    _meeting(episode, lead, now + timedelta(days=2), status=MeetingStatus.SCHEDULED)
    for days_ago in (10, 4, 4):
        _action(episode, lead, today - timedelta(days=days_ago))
    _action(episode, lead, today - timedelta(days=30), ActionStatus.DONE)
    _action(episode, lead, today - timedelta(days=30), ActionStatus.CANCELLED)
    _action(episode, lead, today + timedelta(days=20))
    db.session.commit()

    caseload = client.get("/caseload").get_data(as_text=True)
    (row,) = _rows(caseload)
    assert "Early Help Assessment (EHA)" in row
    assert "TAF review meeting" in row
    assert "3 plan actions" in row and "First due" in row
    assert "First Team Around the Family" not in row
    assert _figure(caseload, "with something overdue") == 1

    family_page = client.get(f"/families/{episode.family_id}").get_data(as_text=True)
    card = family_page[family_page.index('id="deadlines-heading"') :]
    assert "app-card--overdue" in family_page
    assert card.count('class="app-overdue">Overdue by') == 3
    review = card[card.index("TAF review meeting") :]
    assert f"{agreed.day} {agreed:%b %Y}" in review.split("</dd>")[0]

    # Completing the EHA and holding the review clears them; the actions stay overdue.
    _complete_eha(episode, lead, now)
    _meeting(episode, lead, now - timedelta(hours=1), next_on=today + timedelta(days=42))
    db.session.commit()
    (row,) = _rows(client.get("/caseload").get_data(as_text=True))
    assert "Early Help Assessment" not in row and "TAF review" not in row
    assert "3 plan actions" in row


def test_families_given_to_me_since_my_last_visit_are_new(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    lead = signed_in_as("lead_worker")
    colleague = make_user("lead_worker")
    _lead_families(lead, 2, prefix="Known")
    # The first visit: nothing has been seen yet, so everything is new.
    first = client.get("/caseload").get_data(as_text=True)
    assert _figure(first, "new to you") == 2
    # Showing the page was the visit: a reload shows nothing new.
    again = client.get("/caseload").get_data(as_text=True)
    assert _figure(again, "new to you") == 0
    assert "app-caseload__row--new" not in again and "New to you" not in again

    _lead_families(lead, 1, prefix="Fresh")
    # A family handed over from a colleague is new to me too, though allocated long ago.
    (handed_over,) = _lead_families(colleague, 1, prefix="Handed")
    handed_over.allocated_at = utcnow() - timedelta(days=200)
    stage_assignment(Actor(make_user("hub_coordinator")), handed_over, lead, "Colleague left")
    db.session.commit()

    body = client.get("/caseload").get_data(as_text=True)
    assert _figure(body, "new to you") == 2
    new_rows = [row for row in _rows(body) if "New to you since your last visit" in row]
    assert sorted(row.split(" family")[0] for row in new_rows) == ["Fresh0", "Handed0"]
    banner = " ".join(body[body.index('id="new-families-title"') :].split("</div>")[1].split())
    assert "2 families have been given to you since your last visit on" in banner
    assert "Handed0 family and Fresh0 family." in banner and "Known" not in banner
    # The page that recorded this visit still showed them; the next one does not.
    assert _figure(client.get("/caseload").get_data(as_text=True), "new to you") == 0


def test_the_visit_is_recorded_and_audited(app: Flask, client: FlaskClient, signed_in_as) -> None:
    lead = signed_in_as("lead_worker")
    before = utcnow()
    client.get("/caseload")
    seen_at = db.session.scalar(select(User.caseload_seen_at).where(User.id == lead.id))
    assert seen_at is not None and seen_at >= before
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "caseload")).all()
    assert [(event.action, event.user_id) for event in audit] == [("view", lead.id)]


def test_counts_at_the_top(app: Flask, client: FlaskClient, signed_in_as) -> None:
    lead = signed_in_as("lead_worker")
    now = utcnow()
    late, soon, fine = _lead_families(lead, 3)
    late.allocated_at = now - timedelta(days=60)
    _complete_eha(soon, lead, now)
    # The review agreed for tomorrow: due soon whatever the time of day the test runs.
    _meeting(soon, lead, now - timedelta(days=30), next_on=uk_today(now) + timedelta(days=1))
    fine.allocated_at = now - timedelta(days=1)
    db.session.commit()
    body = client.get("/caseload").get_data(as_text=True)
    assert _figure(body, "open families") == 3
    assert _figure(body, "with something overdue") == 1
    assert _figure(body, "with something due in the next 2 working days") == 1


def test_deadline_facts_come_from_each_episodes_own_records(app: Flask) -> None:
    lead, other = make_user("lead_worker"), make_user("lead_worker")
    mine, theirs = _lead_families(lead, 1)[0], _lead_families(other, 1)[0]
    held = datetime(2026, 10, 6, 10, tzinfo=UTC)
    _complete_eha(mine, lead, datetime(2026, 9, 1, 12, tzinfo=UTC))
    _complete_eha(theirs, other, datetime(2026, 8, 1, 12, tzinfo=UTC))
    # A draft reassessment does not undo the completed EHA.
    db.session.add(
        Assessment(
            family_id=mine.family_id,
            episode_id=mine.id,
            number=2,
            status=AssessmentStatus.DRAFT,
            started_by_id=lead.id,
        )
    )
    _meeting(mine, lead, held - timedelta(days=42), next_on=date(2026, 10, 6))
    _meeting(mine, lead, held, next_on=date(2026, 11, 17))
    _meeting(theirs, other, held + timedelta(days=1), next_on=date(2026, 12, 1))
    _action(mine, lead, date(2026, 11, 2))
    _action(mine, lead, date(2026, 11, 20), ActionStatus.IN_PROGRESS)
    _action(mine, lead, date(2026, 10, 1), ActionStatus.DONE)
    _action(theirs, other, date(2026, 9, 1))
    db.session.commit()

    leads = aliased(Episode)
    my_ids = select(leads.id).where(leads.lead_worker_id == lead.id)

    def facts_of(episode: Episode) -> EpisodeFacts:
        query = select(Episode).where(Episode.id == episode.id)
        (row,) = db.session.execute(with_deadline_facts(query, my_ids, date(2026, 11, 10))).all()
        return deadline_facts(row.Episode, row)

    assert facts_of(mine) == EpisodeFacts(
        status=EpisodeStatus.ALLOCATED,
        allocated_at=mine.allocated_at,
        eha_completed_at=datetime(2026, 9, 1, 12, tzinfo=UTC),
        last_taf_held_at=held,
        next_taf_agreed_on=date(2026, 11, 17),
        next_action_due_on=date(2026, 11, 2),
        overdue_actions=1,
    )
    # An episode with no records yet has none of these facts; nor has one outside the
    # episodes asked about, whatever its records say.
    (bare,) = _lead_families(lead, 1, prefix="Bare")
    assert facts_of(bare) == EpisodeFacts(EpisodeStatus.ALLOCATED, allocated_at=bare.allocated_at)
    assert facts_of(theirs) == EpisodeFacts(
        EpisodeStatus.ALLOCATED, allocated_at=theirs.allocated_at
    )


def test_caseload_costs_the_same_queries_however_many_families(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    lead = signed_in_as("lead_worker")
    now = utcnow()

    def families_with_records(count: int, prefix: str) -> None:
        for episode in _lead_families(lead, count, prefix):
            _complete_eha(episode, lead, now - timedelta(days=5))
            _meeting(episode, lead, now - timedelta(days=50), next_on=uk_today(now))
            _action(episode, lead, uk_today(now) - timedelta(days=3))
        db.session.commit()

    families_with_records(2, "Few")
    with counting_statements() as few:
        assert client.get("/caseload").status_code == 200
    families_with_records(12, "Many")
    with counting_statements() as many:
        body = client.get("/caseload").get_data(as_text=True)
    assert _figure(body, "open families") == 14
    assert len(few) == len(many)
    # Who is signed in, the person's own requests for support and the decisions on their
    # requests, the families with their deadline facts, their children, then recording
    # the visit.
    assert len(many) <= 15
    # The visit's audit commit does not make the page load the signed-in person again.
    assert sum("FROM users" in statement for statement in many) == 1
