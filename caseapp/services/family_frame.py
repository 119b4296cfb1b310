"""What every section of a family's record shows around its own content: the newest
events of the chronology and whether the family has withdrawn consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, select

from caseapp.extensions import db
from caseapp.models import Consent, Episode, Family
from caseapp.services.casework import Casework, may_keep_episode
from caseapp.services.context import Actor
from caseapp.services.family_view import FamilyPage, TimelinePage, latest_events


@dataclass(frozen=True)
class FamilyFrame:
    casework: Casework
    latest: TimelinePage
    # Set when the open episode's most recent consent has been withdrawn.
    consent_withdrawn_on: date | None

    @property
    def family(self) -> Family:
        return self.casework.family


def family_frame(casework: Casework) -> FamilyFrame:
    """Two queries: the latest events and the open episode's latest consent."""
    return FamilyFrame(
        casework, latest_events(casework.family), _consent_withdrawn_on(casework.episode)
    )


def overview_frame(actor: Actor, page: FamilyPage) -> FamilyFrame:
    """The frame of the family overview, which already holds the newest events."""
    episode = page.open_episode.episode if page.open_episode else None
    casework = Casework(page.family, episode, may_keep_episode(actor.user, episode))
    return FamilyFrame(casework, page.timeline, _consent_withdrawn_on(episode))


def _consent_withdrawn_on(episode: Episode | None) -> date | None:
    if episode is None:
        return None
    return db.session.scalar(_LATEST_CONSENT_WITHDRAWN_ON, {"episode_id": episode.id})


# Asked on every page of a family's record: made once.
_LATEST_CONSENT_WITHDRAWN_ON = (
    select(Consent.withdrawn_on)
    .where(Consent.episode_id == bindparam("episode_id"))
    .order_by(Consent.given_on.desc(), Consent.id.desc())
    .limit(1)
)
