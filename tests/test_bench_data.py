"""The benchmark's data generator: the proportions issue #7 asks for, and records the app
can open (it writes straight to the tables, so nothing else checks its rows)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.models import Assignment, Episode, Family, FamilyMember, TimelineEvent, User
from caseapp.services.bench_data import (
    BENCH_PASSWORD,
    LONG_TIMELINE_EVENTS,
    LONG_TIMELINE_FAMILY_ID,
)

FAMILIES = 400


def count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[arg-type]


def test_bench_data_has_the_asked_for_shape(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["bench-data", "--families", str(FAMILIES)])
    assert result.exit_code == 0, result.output
    assert count(select(func.count()).select_from(Family)) == FAMILIES
    open_episodes = count(select(func.count()).where(Episode.closed_at.is_(None)))
    assert 0.18 * FAMILIES <= open_episodes <= 0.22 * FAMILIES
    children = count(select(func.count()).where(FamilyMember.is_child.is_(True)))
    assert 2.2 <= children / FAMILIES <= 2.8
    events = count(select(func.count()).select_from(TimelineEvent))
    assert 0.8 * 20 * FAMILIES <= events <= 1.2 * 20 * FAMILIES
    longest = count(select(func.count()).where(TimelineEvent.family_id == LONG_TIMELINE_FAMILY_ID))
    assert longest == LONG_TIMELINE_EVENTS
    caseloads = (
        db.session.execute(
            select(func.count())
            .select_from(Episode)
            .where(Episode.closed_at.is_(None), Episode.lead_worker_id.is_not(None))
            .group_by(Episode.lead_worker_id)
        )
        .scalars()
        .all()
    )
    assert caseloads and min(caseloads) >= 15 and max(caseloads) <= 40
    # Every allocated open episode has exactly its one current assignment.
    current = count(
        select(func.count())
        .select_from(Assignment)
        .join(Episode, Episode.id == Assignment.episode_id)
        .where(Assignment.ended_at.is_(None), Episode.closed_at.is_(None))
    )
    assert current == sum(caseloads)


def test_the_app_opens_bench_records(app: Flask) -> None:
    app.test_cli_runner().invoke(args=["bench-data", "--families", "60"])
    lead = db.session.scalar(
        select(User)
        .join(Episode, Episode.lead_worker_id == User.id)
        .where(Episode.family_id == LONG_TIMELINE_FAMILY_ID)
    )
    assert lead is not None
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    signed = client.post("/sign-in", data={"email": lead.email, "password": BENCH_PASSWORD})
    assert signed.status_code == 302
    for url in ("/caseload", f"/families/{LONG_TIMELINE_FAMILY_ID}"):
        assert client.get(url).status_code == 200


def test_bench_data_refuses_a_database_with_families(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["bench-data", "--families", "20"]).exit_code == 0
    refused = runner.invoke(args=["bench-data", "--families", "20"])
    assert refused.exit_code != 0 and "empty database" in refused.output
