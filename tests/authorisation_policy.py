"""The expected answer of every endpoint, for every role, on a record of one's own and on
someone else's: the authorisation matrix that tests/test_authorisation_matrix.py checks.

"Own" follows the need-to-know policy of caseapp/domain/access.py: a lead worker's own
family is one whose open episode they lead; a Hub coordinator's is one waiting for the
Hub; a manager's is one with an episode of their team; an administrator has none. A
request's own is one the person made (or, for the Hub, one waiting for the Hub); a user
account's own is the person's own account. "Other" is always a record of another team
and another person: nobody but its own people may see it.

Adding a route means adding its row here: the matrix test fails for any endpoint that
has none, so nobody can add a page without saying who may open it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    # Reaches the page: 200 or a redirect for a GET; for a POST of empty or invalid data
    # anything that is not a refusal or a server error (a form error, a 400, a redirect).
    ALLOW = "allow"
    # The role may not use this page at all.
    FORBIDDEN = "403"
    # The record is not the person's to see, so it answers as if it did not exist.
    HIDDEN = "404"
    # Signed out: sent to the sign-in page.
    SIGN_IN = "sign in"
    # Signing out also ends on the sign-in page; the response cannot tell it apart from a
    # refusal, so the cell checks only that it lands there and does not fail.
    SIGNS_OUT = "signs out"


class Who(StrEnum):
    LEAD_WORKER = "lead_worker"
    HUB_COORDINATOR = "hub_coordinator"
    MANAGER = "manager"
    ADMIN = "admin"
    SIGNED_OUT = "signed_out"


class Record(StrEnum):
    """Which kind of record an endpoint's URL names, by its argument."""

    FAMILY = "family_id"
    EPISODE = "episode_id"
    REQUEST = "request_id"
    USER = "user_id"
    # A family member is named with their family: /families/<family_id>/members/<member_id>.
    MEMBER = "member_id"

    @property
    def arguments(self) -> frozenset[str]:
        if self is Record.MEMBER:
            return frozenset({Record.FAMILY.value, Record.MEMBER.value})
        return frozenset({self.value})


class Relation(StrEnum):
    OWN = "own"
    OTHER = "other"
    # Endpoints that name no record.
    NONE = "none"


@dataclass(frozen=True)
class OwnOther:
    own: Outcome
    other: Outcome


@dataclass(frozen=True)
class EndpointPolicy:
    record: Record | None
    # One outcome per person for an endpoint without a record; an OwnOther with one.
    answers: dict[Who, Outcome | OwnOther]

    def expected(self, who: Who, relation: Relation) -> Outcome:
        answer = self.answers[who]
        if isinstance(answer, Outcome):
            return answer
        return answer.own if relation is Relation.OWN else answer.other


ALLOW, FORBIDDEN, HIDDEN, SIGN_IN = (
    Outcome.ALLOW,
    Outcome.FORBIDDEN,
    Outcome.HIDDEN,
    Outcome.SIGN_IN,
)
LEAD, HUB, MANAGER, ADMIN, OUT = Who
SEES_OWN = OwnOther(ALLOW, HIDDEN)
REFUSED = OwnOther(FORBIDDEN, FORBIDDEN)
BOTH = OwnOther(ALLOW, ALLOW)
SIGN_IN_BOTH = OwnOther(SIGN_IN, SIGN_IN)


def _everyone(outcome: Outcome) -> dict[Who, Outcome | OwnOther]:
    return {who: outcome for who in Who}


def _signed_in(
    lead: Outcome | OwnOther,
    hub: Outcome | OwnOther,
    manager: Outcome | OwnOther,
    admin: Outcome | OwnOther,
) -> dict[Who, Outcome | OwnOther]:
    signed_out = SIGN_IN_BOTH if isinstance(lead, OwnOther) else SIGN_IN
    return {LEAD: lead, HUB: hub, MANAGER: manager, ADMIN: admin, OUT: signed_out}


POLICY: dict[str, EndpointPolicy] = {
    # Public pages: a stranger may read them.
    "auth.sign_in": EndpointPolicy(None, _everyone(ALLOW)),
    "pages.accessibility": EndpointPolicy(None, _everyone(ALLOW)),
    "pages.favicon": EndpointPolicy(None, _everyone(ALLOW)),
    "pages.health": EndpointPolicy(None, _everyone(ALLOW)),
    # Anyone signed in.
    "auth.sign_out": EndpointPolicy(
        None, _signed_in(Outcome.SIGNS_OUT, Outcome.SIGNS_OUT, Outcome.SIGNS_OUT, Outcome.SIGNS_OUT)
    ),
    "home.index": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    "pages.framework": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    "requests.new": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    "requests.mine": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    # A request is seen by who made it and by the Hub while it is the Hub's to decide.
    "requests.show": EndpointPolicy(
        Record.REQUEST, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, SEES_OWN)
    ),
    # Each role's home.
    "home.caseload": EndpointPolicy(None, _signed_in(ALLOW, FORBIDDEN, FORBIDDEN, FORBIDDEN)),
    "hub.queue": EndpointPolicy(None, _signed_in(FORBIDDEN, ALLOW, FORBIDDEN, FORBIDDEN)),
    "home.manager": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, ALLOW, FORBIDDEN)),
    "home.admin": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW)),
    # Case records: case roles only, and only the families they need to know about.
    "families.search": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, FORBIDDEN)),
    "families.show": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "families.timeline": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "families.latest_events": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    # The sections of a family's record: read by everyone who may see the family.
    "consent.show": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "assessments.index": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "plans.show": EndpointPolicy(Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)),
    "meetings.index": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "notes.index": EndpointPolicy(Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)),
    "chronology.show": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    # Who has read a family's record, and what is held about one person: their managers.
    "audit.family_access": EndpointPolicy(
        Record.FAMILY, _signed_in(REFUSED, REFUSED, SEES_OWN, REFUSED)
    ),
    "subject_access.show": EndpointPolicy(
        Record.MEMBER, _signed_in(REFUSED, REFUSED, SEES_OWN, REFUSED)
    ),
    "subject_access.download": EndpointPolicy(
        Record.MEMBER, _signed_in(REFUSED, REFUSED, SEES_OWN, REFUSED)
    ),
    # Triage is the Hub's; allocation the Hub's and the team manager's.
    "triage.start": EndpointPolicy(Record.EPISODE, _signed_in(REFUSED, SEES_OWN, REFUSED, REFUSED)),
    "triage.decide": EndpointPolicy(
        Record.EPISODE, _signed_in(REFUSED, SEES_OWN, REFUSED, REFUSED)
    ),
    "triage.allocate": EndpointPolicy(
        Record.EPISODE, _signed_in(REFUSED, SEES_OWN, SEES_OWN, REFUSED)
    ),
    # Staff accounts: administrators only, any account.
    "admin.index": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW)),
    "audit.search": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW)),
    "admin.new": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, FORBIDDEN, ALLOW)),
    "admin.edit": EndpointPolicy(Record.USER, _signed_in(REFUSED, REFUSED, REFUSED, BOTH)),
    "admin.set_active": EndpointPolicy(Record.USER, _signed_in(REFUSED, REFUSED, REFUSED, BOTH)),
}


# Answers that break need-to-know today, each a finding reported to the lead. The matrix
# test expects exactly these to differ from the table above: fixing one fails the test
# until its line is removed here, and any new difference fails it at once.
KNOWN_FINDINGS: dict[str, str] = {}
