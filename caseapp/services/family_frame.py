"""What every section of a family's record shows around its own content: the newest
events of the chronology and whether the family has withdrawn consent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from caseapp.models import Family
from caseapp.services.casework import Casework, may_keep_episode
from caseapp.services.context import Actor
from caseapp.services.family_view import (
    FamilyPage,
    TimelinePage,
    consent_withdrawn_on,
    latest_events,
)


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
        casework, latest_events(casework.family), consent_withdrawn_on(casework.episode)
    )


class SectionPage(Protocol):
    """What a section's service returns to show: the casework, and the frame if the service
    read it with the page."""

    @property
    def casework(self) -> Casework: ...

    @property
    def frame(self) -> FamilyFrame | None: ...


def frame_of(page: SectionPage) -> FamilyFrame:
    """The frame around a section page. A service that records the view of a page reads its
    frame before the record, whose commit then ends both in one transaction; a page loaded
    for a change records no view, and its frame is read here, once the change is done."""
    return page.frame if page.frame is not None else family_frame(page.casework)


def overview_frame(actor: Actor, page: FamilyPage) -> FamilyFrame:
    """The frame of the family overview, which already holds the newest events and the
    consent: no query."""
    episode = page.open_episode.episode if page.open_episode else None
    casework = Casework(page.family, episode, may_keep_episode(actor.user, episode))
    return FamilyFrame(casework, page.timeline, page.consent_withdrawn_on)
