"""A family stepping down from children's social care into early help.

A Hub coordinator or a manager records who handed the family over and what they said,
allocates a lead worker and arranges the step-down TAF meeting, all in one transaction.
The family may already be on record (found by the Hub's duplicate matching on the
children entered) or be new. A family still open to early help while with social care
(stepped up) carries on in that episode; otherwise a new episode starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.meetings import parse_time_of_day, scheduling_problems
from caseapp.domain.timeline import EventKind
from caseapp.domain.triage_rules import Problem
from caseapp.domain.working_days import UK_TIME
from caseapp.extensions import db
from caseapp.models import Episode, Family, SocialCareStepDown, User
from caseapp.models.types import uk_today, utcnow
from caseapp.services.access import can_see_family
from caseapp.services.allocation import eligible_lead_worker
from caseapp.services.audit import audit_by
from caseapp.services.context import Actor
from caseapp.services.duplicates import PossibleDuplicate, find_possible_duplicates
from caseapp.services.episodes import stage_assignment, stage_episode, stage_status_change
from caseapp.services.families import FamilyDetails, stage_family
from caseapp.services.meetings import stage_scheduled
from caseapp.services.reopening import stage_rerequest_flag
from caseapp.services.requests import CarerDetails, ChildDetails
from caseapp.services.timeline import add_timeline_event

# A family open to early help while social care leads carries on in that episode.
_WITH_SOCIAL_CARE = frozenset({EpisodeStatus.STEPPED_UP, EpisodeStatus.STEP_DOWN_REQUESTED})
# Chosen instead of a family on record: the children are not any of the matches.
NEW_FAMILY = "new"


@dataclass(frozen=True)
class StepDownDetails:
    children: tuple[ChildDetails, ...]
    carers: tuple[CarerDetails, ...]
    address: str
    postcode: str
    locality: str
    # A family id from the matches shown, NEW_FAMILY, or empty before the matches are seen.
    family_choice: str
    from_team: str
    handover_summary: str
    lead_worker_id: int | None
    taf_on: date | None
    taf_at: str
    taf_location: str


@dataclass(frozen=True)
class StepDownRecorded:
    family_id: int
    family_name: str
    lead_worker_name: str
    taf_at: datetime
    # Whether the person who recorded it may open the family's record now.
    visible: bool


class StepDownInvalid(ValueError):
    def __init__(
        self, problems: list[Problem], matches: list[PossibleDuplicate] | None = None
    ) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems
        # The families on record the person was choosing from, to offer again.
        self.matches = matches or []


class ChooseFamily(Exception):
    """Families on record resemble the children entered: the person must say whether the
    family is one of them before anything is saved."""

    def __init__(self, matches: list[PossibleDuplicate]) -> None:
        super().__init__(f"{len(matches)} possible matches")
        self.matches = matches


def _detail_problems(details: StepDownDetails, today: date) -> list[Problem]:
    problems = []
    if not details.from_team.strip():
        problems.append(Problem("from_team", "Enter the social care team the family comes from"))
    if not details.handover_summary.strip():
        problems.append(Problem("handover_summary", "Enter the handover summary"))
    if details.lead_worker_id is None:
        problems.append(Problem("lead_worker", "Select a lead worker"))
    for problem in scheduling_problems(details.taf_on, details.taf_at, today):
        problems.append(Problem(f"taf_{problem.field}", problem.message))
    return problems


def _family(
    actor: Actor, details: StepDownDetails, at: datetime
) -> tuple[Family, list[PossibleDuplicate]]:
    """The family chosen from the matches, or a new one, and the matches; ChooseFamily if
    not yet chosen."""
    matches = find_possible_duplicates([child.identity for child in details.children])
    if details.family_choice == NEW_FAMILY or (not matches and not details.family_choice):
        surname = details.children[0].family_name.strip() if details.children else ""
        return stage_family(
            actor,
            FamilyDetails(
                name=f"{surname} family",
                address=details.address,
                postcode=details.postcode,
                locality=details.locality,
                members=(
                    *(child.member_details() for child in details.children),
                    *(carer.member_details() for carer in details.carers),
                ),
            ),
            at=at,
        ), matches
    # Only a family shown as a match may be chosen: the id comes from the page.
    chosen = {str(match.family_id): match.family_id for match in matches}.get(details.family_choice)
    if chosen is None:
        raise ChooseFamily(matches)
    family = db.session.get(Family, chosen)
    assert family is not None, "a match names a family on record"
    return family, matches


def _episode(
    actor: Actor,
    family: Family,
    lead_worker: User,
    at: datetime,
    matches: list[PossibleDuplicate],
) -> Episode:
    """The family's episode open while with social care, or a new one for the step-down."""
    episode = db.session.scalar(
        select(Episode).where(Episode.family_id == family.id, Episode.closed_at.is_(None))
    )
    if episode is None:
        # Opened as with social care, so the meeting arranged next is the step-down TAF.
        opened = stage_episode(actor, family, lead_worker.team, EpisodeStatus.STEPPED_UP, at=at)
        # Like a new request, it follows the family's last episode, flagged if that closed
        # within the year: a family back in early help counts the same whichever door.
        stage_rerequest_flag(opened, at)
        return opened
    if episode.status not in _WITH_SOCIAL_CARE:
        raise StepDownInvalid(
            [
                Problem(
                    "family_choice",
                    f"This family already has an open episode of early help "
                    f"({episode.status.label}). Record the step-down with its lead worker "
                    "instead, or choose another family.",
                )
            ],
            matches,
        )
    return episode


def record_step_down(actor: Actor, details: StepDownDetails) -> StepDownRecorded:
    """Record the step-down, allocate the lead worker and arrange the step-down TAF.

    Raises StepDownInvalid naming the fields to fix, or ChooseFamily with the families on
    record the children may belong to. Nothing is saved unless everything is.
    """
    now = utcnow()
    problems = _detail_problems(details, uk_today(now))
    lead_worker = (
        eligible_lead_worker(details.lead_worker_id) if details.lead_worker_id is not None else None
    )
    if details.lead_worker_id is not None and lead_worker is None:
        problems.append(Problem("lead_worker", "Select a lead worker from the list"))
    taf_time = parse_time_of_day(details.taf_at)
    if problems or lead_worker is None or details.taf_on is None or taf_time is None:
        raise StepDownInvalid(problems)
    taf_at = datetime.combine(details.taf_on, taf_time, tzinfo=UK_TIME).astimezone(UTC)
    try:
        family, matches = _family(actor, details, now)
        episode = _episode(actor, family, lead_worker, now, matches)
        episode.team_id = lead_worker.team_id or episode.team_id
        episode.hub_due_at = None
        stage_assignment(actor, episode, lead_worker, "Stepped down from social care", at=now)
        stage_scheduled(actor, episode, 0, taf_at, details.taf_location.strip())
        stage_status_change(actor, episode, EpisodeStatus.PLAN_ACTIVE, at=now)
        step_down = SocialCareStepDown(
            family_id=family.id,
            episode_id=episode.id,
            from_team=details.from_team.strip(),
            handover_summary=details.handover_summary.strip(),
            step_down_taf_on=details.taf_on,
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
        db.session.add(step_down)
        db.session.flush()
        add_timeline_event(
            family_id=family.id,
            episode_id=episode.id,
            kind=EventKind.STEPPED_DOWN_FROM_SOCIAL_CARE,
            summary=f"Stepped down from {step_down.from_team}",
            actor_id=actor.user_id,
            occurred_at=now,
            detail={"step_down_id": step_down.id},
        )
        audit_by(
            actor, "create", "social_care_step_down", object_id=step_down.id, family_id=family.id
        )
        db.session.commit()
    except (StepDownInvalid, ChooseFamily):
        db.session.rollback()
        raise
    except IntegrityError:
        # Someone opened an episode for the family at the same moment.
        db.session.rollback()
        raise StepDownInvalid(
            [Problem("family_choice", "This family's record changed as you saved. Try again.")]
        ) from None
    return StepDownRecorded(
        family_id=family.id,
        family_name=family.name,
        lead_worker_name=lead_worker.name,
        taf_at=taf_at,
        visible=can_see_family(actor.user, family.id),
    )
