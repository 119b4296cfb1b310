"""The benchmark's data generator: the proportions issue #7 asks for, and records the app
can open (it writes straight to the tables, so nothing else checks its rows)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from caseapp.config import DeadlineSettings
from caseapp.domain.drift import oversight_since
from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.level_requests import (
    DisagreementStatus,
    RequestKind,
    RequestStatus,
    RequestTarget,
    ReviewAction,
)
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.models import (
    Assignment,
    Disagreement,
    DisagreementEscalation,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    LevelChangeRequestChild,
    LevelDecision,
    OversightNote,
    RequestReview,
    TimelineEvent,
    User,
    UserRole,
)
from caseapp.models.types import uk_today, utcnow
from caseapp.services.bench_data import (
    BENCH_PASSWORD,
    DISAGREEMENT_EVERY,
    LONG_TIMELINE_EVENTS,
    LONG_TIMELINE_FAMILY_ID,
)
from caseapp.services.context import Actor
from caseapp.services.manager_view import manager_dashboard

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


def _managed_by_team(manager_id: Any) -> ColumnElement[bool]:
    """A condition: `manager_id` is a manager of the episode's team."""
    manager = aliased(User)
    return (
        select(manager.id)
        .join(UserRole, UserRole.user_id == manager.id)
        .where(
            manager.id == manager_id,
            manager.team_id == Episode.team_id,
            UserRole.role == Role.MANAGER,
        )
        .exists()
    )


def test_bench_data_fills_what_the_manager_counts(app: Flask) -> None:
    """Oversight, decided requests and disagreements in proportion, each consistent with
    the episode it is about, and the manager's view counting them."""
    result = app.test_cli_runner().invoke(args=["bench-data", "--families", str(FAMILIES)])
    assert result.exit_code == 0, result.output
    now = utcnow()
    allocated_open = and_(Episode.closed_at.is_(None), Episode.lead_worker_id.is_not(None))
    working = count(select(func.count()).select_from(Episode).where(allocated_open))
    assert working > 50

    # Oversight: about monthly, by the team's own manager, never in the future, and about
    # a quarter of the allocated open families without any within the period.
    notes = count(select(func.count()).select_from(OversightNote))
    assert notes >= 1.5 * working
    since = oversight_since(DeadlineSettings(), now)
    lapsed = count(
        select(func.count())
        .select_from(Episode)
        .where(
            allocated_open,
            ~select(OversightNote.id)
            .where(
                OversightNote.family_id == Episode.family_id, OversightNote.oversight_on >= since
            )
            .exists(),
        )
    )
    assert 0.15 * working <= lapsed <= 0.35 * working
    assert not count(
        select(func.count())
        .select_from(OversightNote)
        .join(Episode, Episode.id == OversightNote.episode_id)
        .where(
            or_(
                ~_managed_by_team(OversightNote.manager_id),
                OversightNote.family_id != Episode.family_id,
                OversightNote.oversight_on > uk_today(now),
            )
        )
    )
    on_closed = count(
        select(func.count())
        .select_from(OversightNote)
        .join(Episode, Episode.id == OversightNote.episode_id)
        .where(Episode.closed_at.is_not(None), OversightNote.recorded_at <= Episode.closed_at)
    )
    assert on_closed > 0

    # Every closed episode was closed by one approved request, decided at its closure by
    # the team's manager: a step down to universal services or a closure for its reason.
    closed = count(select(func.count()).where(Episode.closed_at.is_not(None)))
    approved = LevelChangeRequest.status == RequestStatus.APPROVED
    closing = count(
        select(func.count())
        .select_from(LevelChangeRequest)
        .join(Episode, Episode.id == LevelChangeRequest.episode_id)
        .where(approved, LevelChangeRequest.decided_at == Episode.closed_at)
    )
    assert closing == closed
    step_down = LevelChangeRequest.kind == RequestKind.STEP_DOWN
    wrong_closures = count(
        select(func.count())
        .select_from(LevelChangeRequest)
        .join(Episode, Episode.id == LevelChangeRequest.episode_id)
        .where(
            approved,
            or_(
                and_(
                    step_down,
                    or_(
                        Episode.closure_reason.is_(None),
                        Episode.closure_reason != ClosureReason.STEPPED_DOWN_TO_UNIVERSAL,
                    ),
                ),
                and_(
                    LevelChangeRequest.kind == RequestKind.CLOSURE,
                    or_(
                        Episode.closure_reason.is_(None),
                        Episode.closure_reason != LevelChangeRequest.closure_reason,
                    ),
                ),
            ),
        )
    )
    assert wrong_closures == 0
    stepped_down = count(
        select(func.count()).where(
            Episode.closure_reason == ClosureReason.STEPPED_DOWN_TO_UNIVERSAL
        )
    )
    assert 0.2 * closed <= stepped_down <= 0.45 * closed
    # A step down's approval set each child's level to universal, as its level decision says.
    framework = app.extensions["caseapp.framework"]
    universal = framework.levels_by_service("universal")[-1].code
    not_universal = count(
        select(func.count())
        .select_from(FamilyMember)
        .join(Episode, Episode.family_id == FamilyMember.family_id)
        .where(
            Episode.closure_reason == ClosureReason.STEPPED_DOWN_TO_UNIVERSAL,
            FamilyMember.is_child.is_(True),
            or_(
                FamilyMember.current_level_code.is_(None),
                FamilyMember.current_level_code != universal,
                ~select(LevelDecision.id)
                .where(
                    LevelDecision.member_id == FamilyMember.id,
                    LevelDecision.level_code == universal,
                    LevelDecision.decided_at == Episode.closed_at,
                )
                .exists(),
            ),
        )
    )
    assert not_universal == 0

    # Approved step ups leave the episode open: stepped up to social care, or at work
    # within early help.
    step_ups = db.session.execute(
        select(LevelChangeRequest.target, Episode.status)
        .join(Episode, Episode.id == LevelChangeRequest.episode_id)
        .where(approved, LevelChangeRequest.kind == RequestKind.STEP_UP)
    ).all()
    assert {target for target, _ in step_ups} == {RequestTarget.SOCIAL_CARE, RequestTarget.LEVEL}
    for target, status in step_ups:
        assert status is not EpisodeStatus.CLOSED
        assert (status is EpisodeStatus.STEPPED_UP) == (target is RequestTarget.SOCIAL_CARE)

    # Every decided request: decided by the team's manager, after it was submitted, with
    # its children and the review recording the decision; declined ones on open episodes.
    decided = LevelChangeRequest.status.in_([RequestStatus.APPROVED, RequestStatus.DECLINED])
    decided_count = count(select(func.count()).where(decided))
    assert decided_count > closed
    inconsistent = count(
        select(func.count())
        .select_from(LevelChangeRequest)
        .join(Episode, Episode.id == LevelChangeRequest.episode_id)
        .where(
            decided,
            or_(
                ~_managed_by_team(LevelChangeRequest.decided_by_id),
                LevelChangeRequest.decided_at < LevelChangeRequest.submitted_at,
                LevelChangeRequest.submitted_at < LevelChangeRequest.requested_at,
                LevelChangeRequest.requested_at < Episode.allocated_at,
                ~select(LevelChangeRequestChild.id)
                .where(LevelChangeRequestChild.request_id == LevelChangeRequest.id)
                .exists(),
                ~select(RequestReview.id)
                .where(
                    RequestReview.request_id == LevelChangeRequest.id,
                    RequestReview.action.in_([ReviewAction.APPROVED, ReviewAction.DECLINED]),
                    RequestReview.by_id == LevelChangeRequest.decided_by_id,
                    RequestReview.at == LevelChangeRequest.decided_at,
                )
                .exists(),
                and_(
                    LevelChangeRequest.status == RequestStatus.DECLINED,
                    Episode.closed_at.is_not(None),
                ),
            ),
        )
    )
    assert inconsistent == 0
    declined = count(
        select(func.count()).where(LevelChangeRequest.status == RequestStatus.DECLINED)
    )
    assert declined > 0
    # The manager's monthly charts look back 12 months: plenty of decisions fall there.
    year_ago = now - timedelta(days=365)
    for kind in (RequestKind.STEP_UP, RequestKind.STEP_DOWN):
        recent = count(
            select(func.count()).where(
                approved, LevelChangeRequest.kind == kind, LevelChangeRequest.decided_at >= year_ago
            )
        )
        assert recent >= 3, kind

    # Disagreements: one allocated open family in DISAGREEMENT_EVERY, raised by its lead
    # worker on its open episode, open and resolved alike, each escalation a stage.
    rows = db.session.execute(
        select(Disagreement, Episode).join(Episode, Episode.id == Disagreement.episode_id)
    ).all()
    assert abs(len(rows) - working / DISAGREEMENT_EVERY) <= 1
    statuses = {disagreement.status for disagreement, _ in rows}
    assert statuses == {DisagreementStatus.OPEN, DisagreementStatus.RESOLVED}
    for disagreement, episode in rows:
        assert episode.family_id == disagreement.family_id and episode.closed_at is None
        assert disagreement.raised_by_id == episode.lead_worker_id
        assert disagreement.raised_at < disagreement.resolve_by
        assert disagreement.raised_at <= now
        if disagreement.status is DisagreementStatus.RESOLVED:
            assert disagreement.resolution and disagreement.resolved_by_id
            assert disagreement.raised_at <= disagreement.resolved_at <= now
        else:
            assert abs(disagreement.resolve_by - now) <= timedelta(days=15)
    escalations = db.session.scalars(select(DisagreementEscalation)).all()
    assert len(escalations) == sum(disagreement.stage - 1 for disagreement, _ in rows)
    by_id = {disagreement.id: disagreement for disagreement, _ in rows}
    for escalation in escalations:
        disagreement = by_id[escalation.disagreement_id]
        assert disagreement.raised_at < escalation.escalated_at <= now
        assert escalation.to_stage <= disagreement.stage
        if escalation.to_stage == disagreement.stage:
            assert escalation.resolve_by == disagreement.resolve_by

    # The manager's view of a team counts all this (at this size there is one team).
    manager = db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.MANAGER)
    )
    assert manager is not None
    dashboard = manager_dashboard(Actor(manager), framework, DeadlineSettings(), now)
    monthly = {chart.id: chart.total for chart in dashboard.monthly}
    assert monthly["step_up"] > 0 and monthly["step_down"] > 0
    assert dashboard.oversight.value == lapsed
    open_count = sum(1 for d, _ in rows if d.status is DisagreementStatus.OPEN)
    assert dashboard.disagreements.total == open_count


def test_the_app_opens_bench_records(app: Flask) -> None:
    # Enough families for one disagreement.
    app.test_cli_runner().invoke(args=["bench-data", "--families", "150"])
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
    client.post("/sign-out")
    # The manager's pages, and the records they lead to, as the generator wrote them.
    manager = db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.MANAGER)
    )
    disagreement = db.session.scalar(select(Disagreement).limit(1))
    noted = db.session.scalar(select(OversightNote.family_id).limit(1))
    requests = db.session.scalars(
        select(LevelChangeRequest.id)
        .where(LevelChangeRequest.status.in_([RequestStatus.APPROVED, RequestStatus.DECLINED]))
        .order_by(LevelChangeRequest.status, LevelChangeRequest.id)
    ).all()
    assert manager and disagreement and noted and requests
    signed = client.post("/sign-in", data={"email": manager.email, "password": BENCH_PASSWORD})
    assert signed.status_code == 302
    for url in (
        "/manager",
        "/reviews",
        "/manager/families?figure=oversight:none",
        f"/families/{disagreement.family_id}/disagreements",
        f"/families/{noted}/oversight",
        f"/reviews/{requests[0]}",
        f"/reviews/{requests[-1]}",
    ):
        assert client.get(url).status_code == 200, url


def test_bench_data_refuses_a_database_with_families(app: Flask) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["bench-data", "--families", "20"]).exit_code == 0
    refused = runner.invoke(args=["bench-data", "--families", "20"])
    assert refused.exit_code != 0 and "empty database" in refused.output
