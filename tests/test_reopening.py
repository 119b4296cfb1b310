"""Reopening early help after closure, and the flag on a re-request within 12 months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.level_requests import within_a_year
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Episode, SupportRequest, TimelineEvent
from caseapp.models.types import utcnow
from caseapp.services.context import Actor
from caseapp.services.requests import CarerDetails, ChildDetails, RequestDetails, submit_request
from tests.factories import make_user
from tests.test_level_requests import make_world, sign_in


def close(episode: Episode, days_ago: int) -> None:
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = utcnow() - timedelta(days=days_ago)
    episode.closure_reason = ClosureReason.NEEDS_MET
    db.session.commit()


def newest_episode(family_id: int) -> Episode:
    db.session.expire_all()
    return db.session.scalars(
        select(Episode).where(Episode.family_id == family_id).order_by(Episode.id.desc())
    ).first()


@pytest.mark.parametrize(
    ("closed", "now", "flagged"),
    [
        (datetime(2025, 11, 27, 12, tzinfo=UTC), datetime(2026, 11, 27, 9, tzinfo=UTC), True),
        (datetime(2025, 11, 27, 12, tzinfo=UTC), datetime(2026, 11, 28, 9, tzinfo=UTC), False),
        (datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 2, tzinfo=UTC), True),
        (datetime(2024, 2, 29, tzinfo=UTC), datetime(2025, 3, 1, tzinfo=UTC), True),
        (datetime(2024, 2, 29, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC), False),
    ],
)
def test_within_a_year(closed: datetime, now: datetime, flagged: bool) -> None:
    assert within_a_year(closed, now) is flagged


@pytest.mark.parametrize(("days_ago", "flagged"), [(40, True), (400, False)])
def test_a_manager_reopens_a_closed_family_into_the_hub_queue(
    app: Flask, days_ago: int, flagged: bool
) -> None:
    world = make_world()
    close(world.episode, days_ago)
    manager = sign_in(app, world.manager)
    page = manager.get(f"/families/{world.family.id}/reopen")
    assert page.status_code == 200 and "Reopen early help" in page.get_data(as_text=True)

    missing = manager.post(f"/families/{world.family.id}/reopen", data={"reason": " "})
    assert "Enter why early help is being reopened" in missing.get_data(as_text=True)

    response = manager.post(
        f"/families/{world.family.id}/reopen",
        data={"reason": "School reports the same worries again.", "consent_given_by": "Pat"},
    )
    assert response.status_code == 302
    episode = newest_episode(world.family.id)
    assert episode.id != world.episode.id
    assert episode.status is EpisodeStatus.REQUESTED and episode.closed_at is None
    assert episode.reopened_from_id == world.episode.id
    assert episode.rerequest_within_year is flagged
    assert episode.hub_due_at is not None
    support = db.session.scalars(
        select(SupportRequest).where(SupportRequest.episode_id == episode.id)
    ).one()
    assert support.reason == "School reports the same worries again."
    assert support.consent_given and support.consent_given_by == "Pat"
    assert db.session.scalar(
        select(TimelineEvent.id).where(
            TimelineEvent.episode_id == episode.id,
            TimelineEvent.kind == EventKind.EPISODE_REOPENED.value,
        )
    )
    # Now open: reopening again is refused.
    again = manager.post(f"/families/{world.family.id}/reopen", data={"reason": "Again"})
    assert "already has an open episode" in again.get_data(as_text=True)


def test_a_lead_worker_may_not_reopen(app: Flask) -> None:
    world = make_world()
    close(world.episode, 10)
    lead = sign_in(app, world.lead)
    assert lead.get(f"/families/{world.family.id}/reopen").status_code == 403
    assert lead.post(f"/families/{world.family.id}/reopen", data={"reason": "x"}).status_code == 403
    assert newest_episode(world.family.id).id == world.episode.id


def test_a_new_request_for_a_known_family_closed_within_a_year_is_flagged(app: Flask) -> None:
    world = make_world()
    close(world.episode, 100)
    hub = make_user("hub_coordinator")
    details = RequestDetails(
        received_via=ReceivedVia.PHONE,
        referrer_name="Jane Hollis",
        referrer_agency="Oakfield Primary School",
        referrer_contact="01632 960 123",
        reason="Worries again.",
        consent_given=True,
        consent_given_by="Pat Okafor",
        children=(
            ChildDetails(given_name="Sam", family_name="Okafor", date_of_birth=date(2015, 3, 1)),
        ),
        carers=(CarerDetails(given_name="Pat", family_name="Okafor", relationship="Mother"),),
        postcode="MF1 1AA",
    )
    submit_request(Actor(hub), details, link_family_id=world.family.id)
    episode = newest_episode(world.family.id)
    assert episode.id != world.episode.id
    assert episode.reopened_from_id == world.episode.id
    assert episode.rerequest_within_year is True
