"""A lead worker's caseload: their open families, most urgent first."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models.types import utcnow
from tests.factories import make_episode, make_family, make_user
from tests.statements import counting_statements


def _lead_families(lead, count: int) -> list:
    episodes = []
    for number in range(count):
        family = make_family(("Child", date(2017, 1, 1 + number)), family_name=f"Fam{number}")
        episode = make_episode(family, EpisodeStatus.ALLOCATED, lead_worker=lead)
        episodes.append(episode)
    return episodes


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


def test_caseload_costs_the_same_queries_however_many_families(
    app: Flask, client: FlaskClient, signed_in_as
) -> None:
    lead = signed_in_as("lead_worker")
    _lead_families(lead, 2)
    with counting_statements() as few:
        assert client.get("/caseload").status_code == 200
    _lead_families(lead, 12)
    with counting_statements() as many:
        assert client.get("/caseload").status_code == 200
    assert len(few) == len(many)
