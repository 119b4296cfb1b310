"""Recording a child's level of need against the framework in force."""

from __future__ import annotations

from datetime import datetime

from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import Episode, FamilyMember, LevelDecision
from caseapp.models.types import utcnow
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.timeline import add_timeline_event


class LevelDecisionError(ValueError):
    """A level decision that the framework in force cannot accept."""


def stage_level_decision(
    actor: Actor,
    framework: Framework,
    child: FamilyMember,
    level_code: str,
    rationale: str,
    indicator_codes: list[str],
    episode: Episode | None = None,
    at: datetime | None = None,
) -> LevelDecision:
    """Add a level decision for one child to the open transaction, with its timeline event."""
    if not child.is_child:
        raise LevelDecisionError("Levels of need are recorded for children only")
    if not framework.has_level(level_code):
        raise LevelDecisionError(f"{level_code!r} is not a level of the {framework.name}")
    if not rationale.strip():
        raise LevelDecisionError("Enter the reason for the level decision")
    for code in indicator_codes:
        if not framework.has_indicator(code):
            raise LevelDecisionError(f"{code!r} is not an indicator of the {framework.name}")
    at = at or utcnow()
    decision = LevelDecision(
        member_id=child.id,
        episode_id=episode.id if episode else None,
        framework_key=framework.key,
        level_code=level_code,
        previous_level_code=child.current_level_code,
        decided_by_id=actor.user_id,
        decided_at=at,
        rationale=rationale.strip(),
        indicator_codes=list(indicator_codes),
    )
    db.session.add(decision)
    previous = child.current_level_code
    child.current_level_code = level_code
    level = framework.level(level_code)
    # A level from a framework no longer in force is still history, just not renamed.
    change = (
        f"from {framework.level(previous).name} "
        if previous and framework.has_level(previous)
        else ""
    )
    add_timeline_event(
        family_id=child.family_id,
        episode_id=episode.id if episode else None,
        member_id=child.id,
        kind=EventKind.LEVEL_DECIDED,
        summary=f"{child.given_name}'s level of need set {change}to {level.name}",
        actor_id=actor.user_id,
        occurred_at=at,
        detail={"level": level_code, "previous": previous, "indicators": list(indicator_codes)},
    )
    audit_by(actor, "update", "level_of_need", object_id=child.id, family_id=child.family_id)
    return decision
