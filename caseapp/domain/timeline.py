"""The kinds of event a family chronology holds."""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    FAMILY_CREATED = "family_created"
    MEMBER_ADDED = "member_added"
    REQUEST_RECEIVED = "request_received"
    TRIAGE_STARTED = "triage_started"
    TRIAGE_DECIDED = "triage_decided"
    REFERRER_INFORMED = "referrer_informed"
    LEVEL_DECIDED = "level_decided"
    LEAD_WORKER_ASSIGNED = "lead_worker_assigned"
    EPISODE_STATUS_CHANGED = "episode_status_changed"
    EPISODE_CLOSED = "episode_closed"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


EVENT_LABELS: dict[EventKind, str] = {
    EventKind.FAMILY_CREATED: "Family record created",
    EventKind.MEMBER_ADDED: "Family member added",
    EventKind.REQUEST_RECEIVED: "Request for support received",
    EventKind.TRIAGE_STARTED: "Triage started",
    EventKind.TRIAGE_DECIDED: "Hub decision recorded",
    EventKind.REFERRER_INFORMED: "Referrer told the outcome",
    EventKind.LEVEL_DECIDED: "Level of need decided",
    EventKind.LEAD_WORKER_ASSIGNED: "Lead worker assigned",
    EventKind.EPISODE_STATUS_CHANGED: "Episode status changed",
    EventKind.EPISODE_CLOSED: "Episode closed",
}
