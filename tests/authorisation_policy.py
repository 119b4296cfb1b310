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
    # A plan's outcome or action is named with its family: /families/<family_id>/plan/...
    PLAN_OUTCOME = "outcome_id"
    PLAN_ACTION = "action_id"
    # A step up, step down or closure request: /level-requests/<level_request_id>.
    LEVEL_REQUEST = "level_request_id"
    # A TAF meeting is named with its family: /families/<family_id>/meetings/<meeting_id>.
    MEETING = "meeting_id"
    # A disagreement is named with its family: /families/<family_id>/disagreements/<id>.
    DISAGREEMENT = "disagreement_id"
    # An Early Help Assessment is named with its family: /families/<family_id>/assessments/<id>.
    ASSESSMENT = "assessment_id"

    @property
    def arguments(self) -> frozenset[str]:
        if self in (Record.PLAN_OUTCOME, Record.PLAN_ACTION):
            return frozenset({Record.FAMILY.value, self.value})
        if self is Record.MEMBER:
            return frozenset({Record.FAMILY.value, Record.MEMBER.value})
        if self is Record.MEETING:
            return frozenset({Record.FAMILY.value, Record.MEETING.value})
        if self is Record.DISAGREEMENT:
            return frozenset({Record.FAMILY.value, Record.DISAGREEMENT.value})
        if self is Record.ASSESSMENT:
            return frozenset({Record.FAMILY.value, Record.ASSESSMENT.value})
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
    # Drafts: anyone signed in, and only ever their own (the key names no one else's).
    "drafts.save": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    "drafts.discard": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
    "drafts.keep_alive": EndpointPolicy(None, _signed_in(ALLOW, ALLOW, ALLOW, ALLOW)),
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
    # The families behind the manager's view's figures, within the manager's own families.
    "manager.families": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, ALLOW, FORBIDDEN)),
    # A step-down from social care is recorded by the Hub or a manager.
    "step_downs.new": EndpointPolicy(None, _signed_in(FORBIDDEN, ALLOW, ALLOW, FORBIDDEN)),
    # Any practitioner who may see a family may raise, escalate and resolve a disagreement
    # about it; management oversight is read by them all and recorded by managers.
    "disagreements.index": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "disagreements.raise_": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "disagreements.escalate": EndpointPolicy(
        Record.DISAGREEMENT, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "disagreements.resolve": EndpointPolicy(
        Record.DISAGREEMENT, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "oversight.show": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "oversight.record": EndpointPolicy(
        Record.FAMILY, _signed_in(REFUSED, REFUSED, SEES_OWN, REFUSED)
    ),
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
    # Consent and the EHA are read by whoever may see the family and kept (recorded,
    # withdrawn, started, saved, completed) by whoever keeps the record. The Hub reads the
    # family waiting for it, but does not keep its record.
    "consent.record": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "consent.withdraw": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "assessments.start": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "assessments.show": EndpointPolicy(
        Record.ASSESSMENT, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "assessments.save": EndpointPolicy(
        Record.ASSESSMENT, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "assessments.complete": EndpointPolicy(
        Record.ASSESSMENT, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "plans.show": EndpointPolicy(Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)),
    # The plan is kept (outcomes and actions added, changed, marked done) by whoever keeps
    # the record. The Hub reads the family waiting for it, but does not keep its plan.
    "plans.new_outcome": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "plans.new_action": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "plans.edit_outcome": EndpointPolicy(
        Record.PLAN_OUTCOME, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "plans.edit_action": EndpointPolicy(
        Record.PLAN_ACTION, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "plans.complete": EndpointPolicy(
        Record.PLAN_ACTION, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "meetings.index": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    # A TAF meeting is read by whoever may see the family; arranged, moved, cancelled and
    # recorded by whoever keeps the record. The Hub reads the family waiting for it only.
    "meetings.schedule": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "meetings.show": EndpointPolicy(
        Record.MEETING, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "meetings.record": EndpointPolicy(
        Record.MEETING, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "meetings.add_row": EndpointPolicy(
        Record.MEETING, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "meetings.change": EndpointPolicy(
        Record.MEETING, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "meetings.cancel": EndpointPolicy(
        Record.MEETING, _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED)
    ),
    "notes.index": EndpointPolicy(Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)),
    "chronology.show": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    # Adding a case note: whoever keeps the record (its lead worker, a manager of its
    # team). The Hub may read the family waiting for it but not add to it.
    "notes.add": EndpointPolicy(
        Record.FAMILY,
        _signed_in(SEES_OWN, OwnOther(FORBIDDEN, HIDDEN), SEES_OWN, REFUSED),
    ),
    # The printable chronology and its CSV export: whoever may see the family.
    "chronology.print_view": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "chronology.export_csv": EndpointPolicy(
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
    # Step up, step down and closure requests: asked by whoever may see the family (the
    # table in caseapp/domain/transitions.py says which role may ask for what), decided by
    # its managers; reopening a closed family is the Hub's and the managers'.
    "level_requests.new": EndpointPolicy(
        Record.FAMILY, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "level_requests.reopen": EndpointPolicy(
        Record.FAMILY, _signed_in(REFUSED, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "level_requests.show": EndpointPolicy(
        Record.LEVEL_REQUEST, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "level_requests.resubmit": EndpointPolicy(
        Record.LEVEL_REQUEST, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "level_requests.withdraw": EndpointPolicy(
        Record.LEVEL_REQUEST, _signed_in(SEES_OWN, SEES_OWN, SEES_OWN, REFUSED)
    ),
    "reviews.queue": EndpointPolicy(None, _signed_in(FORBIDDEN, FORBIDDEN, ALLOW, FORBIDDEN)),
    "reviews.decide": EndpointPolicy(
        Record.LEVEL_REQUEST, _signed_in(REFUSED, REFUSED, SEES_OWN, REFUSED)
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
