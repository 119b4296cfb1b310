"""The family plan: outcomes (what will be different) and actions (who does what by when)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Episode, PlanAction
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.timeline import add_timeline_event


@dataclass(frozen=True)
class ActionDetails:
    description: str
    owner_name: str
    owner_agency: str
    due_on: date
    outcome_id: int | None = None
    owner_user_id: int | None = None


def stage_action(
    actor: Actor, episode: Episode, details: ActionDetails, meeting_id: int | None = None
) -> PlanAction:
    """Add an action to the episode's plan, with its timeline and audit events, in the
    caller's transaction (a TAF meeting adds its new actions in its own)."""
    action = PlanAction(
        family_id=episode.family_id,
        episode_id=episode.id,
        outcome_id=details.outcome_id,
        description=details.description,
        owner_name=details.owner_name,
        owner_agency=details.owner_agency,
        owner_user_id=details.owner_user_id,
        due_on=details.due_on,
        meeting_id=meeting_id,
        created_by_id=actor.user_id,
    )
    db.session.add(action)
    db.session.flush()
    owner = (
        f"{details.owner_name} ({details.owner_agency})"
        if details.owner_agency
        else details.owner_name
    )
    add_timeline_event(
        family_id=episode.family_id,
        episode_id=episode.id,
        kind=EventKind.ACTION_ADDED,
        summary=f"{details.description} – {owner}, by {details.due_on:%-d %B %Y}",
        actor_id=actor.user_id,
        detail={"action_id": action.id, "meeting_id": meeting_id},
    )
    audit_by(actor, "create", "plan_action", object_id=action.id, family_id=episode.family_id)
    return action
