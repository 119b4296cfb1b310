"""The authorisation matrix: every route x every role x (own record / someone else's).

The routes come from the app's URL map, the expected answers from
tests/authorisation_policy.py. A route with no row in that table fails the test, and
so does any answer that differs from it, and any server error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from caseapp.domain.casework import MeetingKind
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.hub import ReceivedVia
from caseapp.domain.level_requests import RequestKind, RequestTarget
from caseapp.extensions import db
from caseapp.models import (
    Assessment,
    Disagreement,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    PlanAction,
    PlanOutcome,
    SupportRequest,
    TafMeeting,
    User,
)
from caseapp.models.requests import SupportRequestChild
from caseapp.models.types import utcnow
from caseapp.web.access import signed_in
from tests.authorisation_policy import (
    KNOWN_FINDINGS,
    POLICY,
    REFUSED,
    SEES_OWN,
    EndpointPolicy,
    Outcome,
    Record,
    Relation,
    Who,
)
from tests.conftest import build_app
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user

# Flask's own route for the built assets: public, and not a page anyone writes.
NOT_IN_MATRIX = frozenset({"static"})
CHECKED_METHODS = ("GET", "POST")
# Signing out ends the session the rest of a person's cells run in, so it goes last.
LAST_ENDPOINTS = ("auth.sign_out",)

OwnAndOther = tuple[int, int]


@dataclass(frozen=True)
class World:
    """Records built once for the whole matrix, and who each person is."""

    emails: dict[Who, str]
    records: dict[Who, dict[Record, OwnAndOther]]


@dataclass(frozen=True)
class Cell:
    endpoint: str
    method: str
    who: Who
    relation: Relation

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} as {self.who} ({self.relation} record)"


def _support_request(
    family: Family, episode: Episode, recorded_by: User, referrer: User | None = None
) -> SupportRequest:
    children = db.session.scalars(
        select(FamilyMember).where(
            FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True)
        )
    ).all()
    received_at = utcnow() - timedelta(hours=1)
    support = SupportRequest(
        episode_id=episode.id,
        family_id=family.id,
        received_at=received_at,
        received_via=ReceivedVia.ONLINE if referrer else ReceivedVia.PHONE,
        recorded_by_id=recorded_by.id,
        referrer_user_id=referrer.id if referrer else None,
        referrer_name=referrer.name if referrer else "Jane Hollis",
        referrer_agency="Oakfield Primary School",
        referrer_contact="01632 960 123",
        reason="Attendance has fallen since September.",
        consent_given=True,
        consent_given_by="Pat, mother",
        decision_due_at=received_at + timedelta(days=2),
    )
    support.children = [SupportRequestChild(member_id=child.id) for child in children]
    db.session.add(support)
    db.session.commit()
    return support


def build_world() -> World:
    """Two teams. The signed-in people work in the North team or the Hub; everything
    "other" belongs to the South team, was allocated by another coordinator and is led by
    another lead worker, so no signed-in person's role gives them a reason to see it."""
    north = make_team("North Early Help Team", "North")
    south = make_team("South Early Help Team", "South")
    lead = make_user("lead_worker", team=north)
    hub = make_user("hub_coordinator")
    manager = make_user("manager", team=north)
    admin = make_user("admin")
    other_lead = make_user("lead_worker", team=south)
    other_hub = make_user("hub_coordinator")
    # An account of no one signed in, for the admin pages to act on.
    bystander = make_user("lead_worker", team=south)

    def case(
        name: str,
        team_name: str,
        status: EpisodeStatus,
        lead_worker: User | None = None,
        referrer: User | None = None,
    ) -> tuple[int, int, int, int, int, int]:
        family = make_family(family_name=name, actor_user=other_hub)
        team = north if team_name == "north" else south
        episode = make_episode(
            family, status, lead_worker=lead_worker, team=team, actor_user=other_hub
        )
        support = _support_request(family, episode, referrer or other_hub, referrer)
        child = db.session.scalar(
            select(FamilyMember.id).where(
                FamilyMember.family_id == family.id, FamilyMember.is_child.is_(True)
            )
        )
        meeting = TafMeeting(
            family_id=family.id,
            episode_id=episode.id,
            kind=MeetingKind.INITIAL,
            at=utcnow() + timedelta(days=7),
            scheduled_by_id=other_hub.id,
        )
        db.session.add(meeting)
        disagreement = Disagreement(
            family_id=family.id,
            parties="Two practitioners",
            disputed="The level decided",
            resolve_by=utcnow() + timedelta(days=7),
            raised_by_id=other_hub.id,
        )
        db.session.add(disagreement)
        db.session.commit()
        return family.id, episode.id, support.id, child, meeting.id, disagreement.id

    led = case("Ledfamily", "north", EpisodeStatus.ALLOCATED, lead_worker=lead)
    in_hub = case("Hubfamily", "north", EpisodeStatus.REQUESTED)
    other = case("Otherfamily", "south", EpisodeStatus.ALLOCATED, lead_worker=other_lead)
    lead_referral = case("Leadreferral", "south", EpisodeStatus.REQUESTED, referrer=lead)
    manager_referral = case("Mgrreferral", "south", EpisodeStatus.REQUESTED, referrer=manager)
    admin_referral = case("Adminreferral", "south", EpisodeStatus.REQUESTED, referrer=admin)

    def level_request(family_case: tuple[int, ...], by: User) -> int:
        made = LevelChangeRequest(
            family_id=family_case[0],
            episode_id=family_case[1],
            kind=RequestKind.STEP_DOWN,
            target=RequestTarget.LEVEL,
            rationale="Progress made",
            requested_by_id=by.id,
        )
        db.session.add(made)
        db.session.commit()
        return made.id

    # A step up, step down or closure request on each family a person may see, by family.
    level_requests = {
        family_case[0]: level_request(family_case, by)
        for family_case, by in ((led, lead), (in_hub, other_hub), (other, other_lead))
    }

    def plan_records(family_case: tuple[int, ...]) -> tuple[int, int]:
        """An outcome of the family's plan, and an action towards it."""
        outcome = PlanOutcome(
            family_id=family_case[0],
            episode_id=family_case[1],
            description="Goes to school every day",
            headline_outcomes=["education"],
            created_by_id=other_hub.id,
        )
        db.session.add(outcome)
        db.session.flush()
        action = PlanAction(
            family_id=family_case[0],
            episode_id=family_case[1],
            outcome_id=outcome.id,
            description="Walk to school together",
            owner_name="Pat",
            due_on=utcnow().date() + timedelta(days=7),
            created_by_id=other_hub.id,
        )
        db.session.add(action)
        db.session.commit()
        return outcome.id, action.id

    plans = {family_case[0]: plan_records(family_case) for family_case in (led, in_hub, other)}

    def assessment(family_case: tuple[int, ...]) -> int:
        """A draft Early Help Assessment of the family's child."""
        made = Assessment(
            family_id=family_case[0],
            episode_id=family_case[1],
            number=1,
            member_ids=[family_case[3]],
            started_by_id=other_hub.id,
        )
        db.session.add(made)
        db.session.commit()
        return made.id

    assessments = {family_case[0]: assessment(family_case) for family_case in (led, in_hub, other)}

    def records(
        family_case: tuple[int, int, int, int, int, int], request: int, user: User
    ) -> dict[Record, OwnAndOther]:
        return {
            Record.FAMILY: (family_case[0], other[0]),
            Record.EPISODE: (family_case[1], other[1]),
            Record.MEMBER: (family_case[3], other[3]),
            Record.MEETING: (family_case[4], other[4]),
            Record.DISAGREEMENT: (family_case[5], other[5]),
            Record.REQUEST: (request, other[2]),
            Record.LEVEL_REQUEST: (level_requests[family_case[0]], level_requests[other[0]]),
            Record.PLAN_OUTCOME: (plans[family_case[0]][0], plans[other[0]][0]),
            Record.PLAN_ACTION: (plans[family_case[0]][1], plans[other[0]][1]),
            Record.ASSESSMENT: (assessments[family_case[0]], assessments[other[0]]),
            Record.USER: (user.id, bystander.id),
        }

    return World(
        emails={
            Who.LEAD_WORKER: lead.email,
            Who.HUB_COORDINATOR: hub.email,
            Who.MANAGER: manager.email,
            Who.ADMIN: admin.email,
        },
        records={
            Who.LEAD_WORKER: records(led, lead_referral[2], lead),
            Who.HUB_COORDINATOR: records(in_hub, in_hub[2], hub),
            Who.MANAGER: records(in_hub, manager_referral[2], manager),
            # Administrators have no case records; their own request is one they made.
            Who.ADMIN: records(in_hub, admin_referral[2], admin),
            Who.SIGNED_OUT: records(in_hub, in_hub[2], bystander),
        },
    )


# --- the check -----------------------------------------------------------------------------


def policy_gaps(app: Flask, policy: dict[str, EndpointPolicy]) -> list[str]:
    """Why the table cannot judge this app's routes; empty when it covers every one."""
    gaps = []
    routed = set()
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.endpoint):
        if rule.endpoint in NOT_IN_MATRIX:
            continue
        routed.add(rule.endpoint)
        entry = policy.get(rule.endpoint)
        if entry is None:
            gaps.append(f"endpoint {rule.endpoint} has no entry in the authorisation policy table")
            continue
        expected_arguments = entry.record.arguments if entry.record else frozenset()
        if set(rule.arguments) != expected_arguments:
            gaps.append(
                f"endpoint {rule.endpoint} takes {sorted(rule.arguments)} but its policy "
                f"entry names the record {entry.record}"
            )
    gaps.extend(
        f"policy entry {endpoint} matches no route: remove it"
        for endpoint in sorted(set(policy) - routed)
    )
    return gaps


def cells(app: Flask, policy: dict[str, EndpointPolicy], endpoints: set[str]) -> list[Cell]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in endpoints:
            continue
        relations = (
            (Relation.OWN, Relation.OTHER) if policy[rule.endpoint].record else (Relation.NONE,)
        )
        found.extend(
            Cell(rule.endpoint, method, who, relation)
            for method in CHECKED_METHODS
            if method in (rule.methods or set())
            for who in Who
            for relation in relations
        )
    return sorted(found, key=lambda cell: (cell.endpoint in LAST_ENDPOINTS, str(cell)))


def _url(app: Flask, world: World, cell: Cell, record: Record | None) -> str:
    values: dict[str, int] = {}
    if record is not None:
        for argument in record.arguments:
            own, other = world.records[cell.who][Record(argument)]
            values[argument] = own if cell.relation is Relation.OWN else other
    return app.url_map.bind("localhost").build(cell.endpoint, values)


def _form(record: Record | None, record_id: int | None) -> dict[str, str]:
    # The episode's current version, so the posted form reaches the access decision
    # instead of stopping at a missing or stale version.
    if record is Record.EPISODE and record_id is not None:
        version = db.session.scalar(select(Episode.version).where(Episode.id == record_id))
        return {"version": str(version)}
    return {}


def _mismatch(response: TestResponse, method: str, expected: Outcome) -> str | None:
    status = response.status_code
    to_sign_in = status == 302 and urlsplit(response.location).path == "/sign-in"
    if status >= 500:
        return f"server error {status}"
    match expected:
        case Outcome.SIGN_IN | Outcome.SIGNS_OUT:
            ok = to_sign_in
        case Outcome.FORBIDDEN:
            ok = status == 403
        case Outcome.HIDDEN:
            ok = status == 404
        case Outcome.ALLOW:
            refused = status in (403, 404) or to_sign_in
            ok = not refused and (method != "GET" or status == 200 or bool(response.location))
    if ok:
        return None
    where = f" to {response.location}" if response.location else ""
    return f"expected {expected}, got {status}{where}"


def _client_for(app: Flask, world: World, who: Who) -> FlaskClient:
    client = app.test_client()
    if who is not Who.SIGNED_OUT:
        response = client.post(
            "/sign-in", data={"email": world.emails[who], "password": DEMO_TEST_PASSWORD}
        )
        assert response.status_code == 302, f"{who} could not sign in"
    return client


def check_matrix(
    app: Flask,
    policy: dict[str, EndpointPolicy],
    world: World,
    endpoints: set[str] | None = None,
) -> tuple[int, list[str]]:
    """Request every cell; the number of cells checked and every one that answered wrong."""
    chosen = endpoints if endpoints is not None else set(policy)
    problems = []
    checked = 0
    clients: dict[Who, FlaskClient] = {}
    for cell in cells(app, policy, chosen):
        if cell.who not in clients:
            clients[cell.who] = _client_for(app, world, cell.who)
        entry = policy[cell.endpoint]
        url = _url(app, world, cell, entry.record)
        record_id = (
            world.records[cell.who][entry.record][cell.relation is Relation.OTHER]
            if entry.record
            else None
        )
        try:
            response = clients[cell.who].open(
                url, method=cell.method, data=_form(entry.record, record_id)
            )
        except Exception as error:
            problems.append(f"{cell}: {url}: raised {error!r}")
            continue
        finally:
            checked += 1
        problem = _mismatch(response, cell.method, entry.expected(cell.who, cell.relation))
        if problem:
            problems.append(f"{cell}: {url}: {problem}")
    return checked, problems


# --- the tests -----------------------------------------------------------------------------


def test_every_route_has_an_entry_in_the_policy_table(app: Flask) -> None:
    assert policy_gaps(app, POLICY) == []


def test_every_route_answers_every_role_as_the_policy_says(app: Flask) -> None:
    world = build_world()
    checked, problems = check_matrix(app, POLICY, world)
    expected_cells = len(cells(app, POLICY, set(POLICY)))
    assert checked == expected_cells
    unexpected = [problem for problem in problems if problem.split(":")[0] not in KNOWN_FINDINGS]
    assert unexpected == [], "\n".join(unexpected)
    found = {problem.split(":")[0] for problem in problems}
    fixed = sorted(set(KNOWN_FINDINGS) - found)
    assert fixed == [], f"fixed: remove from KNOWN_FINDINGS: {fixed}"


def test_a_new_route_without_a_policy_entry_fails(app: Flask) -> None:
    probe = build_app(app.config["SQLALCHEMY_DATABASE_URI"])

    @probe.route("/matrix-probe")
    @signed_in
    def matrix_probe() -> str:
        return "a page nobody wrote a policy for"

    assert policy_gaps(probe, POLICY) == [
        "endpoint matrix_probe has no entry in the authorisation policy table"
    ]


def test_a_route_that_shows_records_to_everyone_fails_the_matrix(app: Flask) -> None:
    """The cells can fail: a family page guarded only by `signed_in` is caught for every
    role it should refuse and every family it should hide."""
    world = build_world()
    probe = build_app(app.config["SQLALCHEMY_DATABASE_URI"])

    @probe.route("/families/<int:family_id>/leak")
    @signed_in
    def leak(family_id: int) -> str:
        return f"family {family_id}"

    family_show = POLICY["families.show"]
    policy = {**POLICY, "leak": replace(family_show)}
    assert policy["leak"].answers[Who.ADMIN] == REFUSED
    assert policy["leak"].answers[Who.LEAD_WORKER] == SEES_OWN
    checked, problems = check_matrix(probe, policy, world, endpoints={"leak"})

    assert checked == len(Who) * 2
    wrong = sorted(problem.split(":")[0] for problem in problems)
    assert wrong == [
        "GET leak as admin (other record)",
        "GET leak as admin (own record)",
        "GET leak as hub_coordinator (other record)",
        "GET leak as lead_worker (other record)",
        "GET leak as manager (other record)",
    ]
