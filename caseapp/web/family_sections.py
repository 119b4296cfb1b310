"""The sections of a family's record, in the order its navigation shows them."""

from __future__ import annotations

from caseapp.domain.roles import Role
from caseapp.web.access import roles_required

# (key, link text, endpoint taking family_id)
FAMILY_SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "families.show"),
    ("consent", "Consent", "consent.show"),
    ("assessments", "Assessment", "assessments.index"),
    ("plans", "Plan", "plans.show"),
    ("meetings", "TAF meetings", "meetings.index"),
    ("notes", "Case notes", "notes.index"),
    ("chronology", "Chronology", "chronology.show"),
    ("disagreements", "Disagreements", "disagreements.index"),
    ("oversight", "Oversight", "oversight.show"),
)

# Family records are for the case roles; administrators run the service and see none.
case_work = roles_required(Role.LEAD_WORKER, Role.HUB_COORDINATOR, Role.MANAGER)
