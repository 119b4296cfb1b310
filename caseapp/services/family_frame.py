"""What every section of a family's record shows around its own content: the newest
events of the chronology and whether the family has withdrawn consent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol, TypeVar

from caseapp.models import Family
from caseapp.services.audit import record_view
from caseapp.services.casework import Casework, load_casework, may_keep_episode
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


Page = TypeVar("Page", bound=SectionPage)


def view_section(
    actor: Actor,
    family_id: int,
    object_type: str,
    read: Callable[[Casework], Page],
    *,
    with_frame: bool,
) -> Page:
    """A section page of the family's record, as `read` makes it from the casework, with
    its frame unless only the section's content is shown; then the view is recorded, its
    commit ending the page's one transaction. Raises FamilyNotFound."""
    casework = load_casework(actor, family_id)
    page = read(casework)
    if with_frame:
        page = replace(page, frame=family_frame(casework))
    record_view(actor, object_type, family_id, family_id)
    return page


def overview_frame(actor: Actor, page: FamilyPage) -> FamilyFrame:
    """The frame of the family overview, which already holds the newest events and the
    consent: no query."""
    episode = page.open_episode.episode if page.open_episode else None
    casework = Casework(page.family, episode, may_keep_episode(actor.user, episode))
    return FamilyFrame(casework, page.timeline, page.consent_withdrawn_on)
