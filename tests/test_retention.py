"""The retention sweep: lists, then deletes, families closed longer ago than the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.extensions import db
from caseapp.models import (
    AuditEvent,
    Episode,
    Family,
    FamilyMember,
    LevelDecision,
    SupportRequest,
    SupportRequestChild,
    TimelineEvent,
)
from caseapp.models.types import utcnow
from caseapp.services.data_protection import (
    RETENTION_NOTE,
    _family_scope,
    case_record_tables,
    retention_cutoff,
)
from tests.factories import make_episode
from tests.test_subject_access import CaseRecord, build_case_record


def _close(record: CaseRecord, years_ago: float) -> None:
    episode = db.session.get_one(Episode, record.episode_id)
    episode.status = EpisodeStatus.CLOSED
    episode.closed_at = utcnow() - timedelta(days=365.25 * years_ago)
    db.session.commit()


def _counts(family_id: int) -> dict[str, int]:
    member_ids = select(FamilyMember.id).where(FamilyMember.family_id == family_id)
    queries = {
        "families": select(func.count()).where(Family.id == family_id),
        "members": select(func.count()).where(FamilyMember.family_id == family_id),
        "episodes": select(func.count()).where(Episode.family_id == family_id),
        "requests": select(func.count()).where(SupportRequest.family_id == family_id),
        "request_children": select(func.count()).where(
            SupportRequestChild.member_id.in_(member_ids)
        ),
        "levels": select(func.count()).where(LevelDecision.member_id.in_(member_ids)),
        "timeline": select(func.count()).where(TimelineEvent.family_id == family_id),
        "audit": select(func.count()).where(AuditEvent.family_id == family_id),
    }
    return {name: db.session.scalar(query) or 0 for name, query in queries.items()}


@pytest.mark.parametrize(
    ("now", "years", "expected"),
    [
        (datetime(2026, 11, 27, 9, tzinfo=UTC), 6, datetime(2020, 11, 27, 9, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), 1, datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), 4, datetime(2024, 2, 29, tzinfo=UTC)),
    ],
)
def test_retention_cutoff(now: datetime, years: int, expected: datetime) -> None:
    assert retention_cutoff(now, years) == expected


def test_dry_run_lists_and_changes_nothing(app: Flask) -> None:
    old = build_case_record(family_name="Old")
    _close(old, 7)
    recent = build_case_record(family_name="Recent")
    _close(recent, 5)
    build_case_record(family_name="Open")
    before = _counts(old.family_id)

    result = app.test_cli_runner().invoke(args=["retention", "--dry-run"])

    assert result.exit_code == 0, result.output
    reference = f"F{old.family_id:06d}"
    assert reference in result.output
    assert f"F{recent.family_id:06d}" not in result.output
    line = next(line for line in result.output.splitlines() if reference in line)
    assert "3 member(s)" in line and f"{before['timeline']} timeline event(s)" in line
    assert "Dry run: nothing was changed." in result.output
    db.session.expire_all()
    assert _counts(old.family_id) == before


def test_years_option_and_setting(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    record = build_case_record()
    _close(record, 3)
    reference = f"F{record.family_id:06d}"
    runner = app.test_cli_runner()

    assert reference not in runner.invoke(args=["retention", "--dry-run"]).output
    assert reference in runner.invoke(args=["retention", "--dry-run", "--years", "2"]).output
    # CASEAPP_RETENTION_YEARS in the environment becomes this setting at start-up.
    monkeypatch.setitem(app.config, "CASEAPP_RETENTION_YEARS", 2)
    assert reference in runner.invoke(args=["retention", "--dry-run"]).output


def test_a_family_with_an_open_episode_is_kept(app: Flask) -> None:
    record = build_case_record()
    _close(record, 10)
    make_episode(db.session.get_one(Family, record.family_id))

    result = app.test_cli_runner().invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    assert "No family records are past the retention period" in result.output
    assert _counts(record.family_id)["families"] == 1


def test_deletion_removes_the_record_and_anonymises_the_audit_trail(app: Flask) -> None:
    old = build_case_record(family_name="Old")
    _close(old, 7)
    kept = build_case_record(family_name="Kept")
    kept_before = _counts(kept.family_id)
    audit_before = db.session.execute(
        select(AuditEvent.id, AuditEvent.user_id, AuditEvent.at, AuditEvent.action)
        .where(AuditEvent.family_id == old.family_id)
        .order_by(AuditEvent.id)
    ).all()
    assert audit_before

    result = app.test_cli_runner().invoke(args=["retention"])

    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert set(_counts(old.family_id).values()) == {0}
    assert _counts(kept.family_id) == kept_before
    # Who did what and when is kept; the link to the family and any detail are not.
    ids = [row.id for row in audit_before]
    after = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id.in_(ids)).order_by(AuditEvent.id)
    ).all()
    assert [(row.id, row.user_id, row.at, row.action) for row in after] == audit_before
    assert all(row.family_id is None for row in after)
    assert all(row.detail == {"note": RETENTION_NOTE} for row in after)
    deletion = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "retention_delete")
    ).all()
    assert [(row.object_type, row.object_id, row.user_id) for row in deletion] == [
        ("family", old.family_id, None)
    ]
    deleted = deletion[0].detail["deleted"]
    assert {table.name for table in case_record_tables()} <= set(deleted)
    assert deleted["families"] == 1 and deleted["family_members"] == 3
    assert deleted["support_request_children"] == 2 and deleted["level_decisions"] == 2
    assert deleted["audit_events_anonymised"] == len(audit_before)


def test_a_failed_deletion_changes_nothing(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    record = build_case_record()
    _close(record, 7)
    before = _counts(record.family_id)

    def refuse(**fields: object) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("caseapp.services.data_protection.add_audit_event", refuse)
    result = app.test_cli_runner().invoke(args=["retention"])

    assert result.exit_code != 0
    db.session.expire_all()
    assert _counts(record.family_id) == before


def test_every_table_holding_a_case_record_is_swept(app: Flask) -> None:
    """Every table with a foreign key into the record is swept, and each can be reached
    from its family, so a new table cannot be forgotten."""
    swept = {table.name for table in case_record_tables()}
    for table in db.metadata.sorted_tables:
        if table.name in swept or table.name == "audit_events":
            continue
        assert not any(key.column.table.name in swept for key in table.foreign_keys), table.name
    for name in (
        "consents",
        "assessment_sections",
        "taf_attendees",
        "outcome_scores",
        "case_notes",
        "level_change_request_children",
        "disagreement_escalations",
        "oversight_notes",
        "drafts",
        "timeline_events",
    ):
        assert name in swept
    for table in case_record_tables():
        # Building the statement proves the table has a way to its family.
        str(delete(table).where(_family_scope(table, 1)))
