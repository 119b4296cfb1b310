"""Fictional demonstration data: staff, and families at every level of the framework.

Deterministic: the same framework and the same day give the same records, so a demo and
its screenshots can be repeated. Dates are relative to today so deadlines look live.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.roles import Role
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import Agency, Episode, Family, FamilyMember, Team, User
from caseapp.services.accounts import stage_user
from caseapp.services.context import Actor
from caseapp.services.episodes import (
    stage_assignment,
    stage_closure,
    stage_episode,
    stage_status_change,
)
from caseapp.services.families import FamilyDetails, MemberDetails, stage_family
from caseapp.services.levels import stage_level_decision

DEMO_DOMAIN = "demo.invalid"
DEMO_PASSWORD = "early help demo only"


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.LEAD_WORKER, f"lead@{DEMO_DOMAIN}", "Priya Shah"),
    DemoLogin(Role.HUB_COORDINATOR, f"hub@{DEMO_DOMAIN}", "Tom Okafor"),
    DemoLogin(Role.MANAGER, f"manager@{DEMO_DOMAIN}", "Helen Marsh"),
    DemoLogin(Role.ADMIN, f"admin@{DEMO_DOMAIN}", "Sam Reid"),
)

AGENCIES = (
    ("Family Practitioner Service", "local authority"),
    ("Oakfield Primary School", "school"),
    ("Riverside Academy", "school"),
    ("Health Visiting, North", "health"),
    ("Home-Start Moorlands", "voluntary"),
)

TEAMS = (("North Early Help Team", "North"), ("South Early Help Team", "South"))

OTHER_LEAD_WORKERS = (
    ("Gemma Clarke", "Family practitioner", 0, 0),
    ("Aisha Rahman", "Pastoral lead", 1, 0),
    ("Daniel Price", "Health visitor", 3, 1),
    ("Lucy Bennett", "Family support worker", 4, 1),
)

SURNAMES = (
    "Turner",
    "Kowalski",
    "Begum",
    "Hughes",
    "Adeyemi",
    "Walsh",
    "Murphy",
    "Patel",
    "Fletcher",
    "Nowak",
    "Ali",
    "Robinson",
    "Evans",
    "Campbell",
)
GIVEN_CHILD = (
    "Maisie",
    "Leo",
    "Amelia",
    "Noah",
    "Zara",
    "Oscar",
    "Ruby",
    "Kai",
    "Isla",
    "Jayden",
    "Freya",
    "Alfie",
    "Hana",
    "Tyler",
    "Ava",
    "Reuben",
    "Lily",
    "Mason",
)
GIVEN_ADULT = (
    "Claire",
    "Marek",
    "Shirin",
    "Karen",
    "Tunde",
    "Nicola",
    "Sean",
    "Anita",
    "Dean",
    "Agnieszka",
    "Farah",
    "Lee",
    "Rhian",
    "Jo",
)
STREETS = (
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Oak Avenue",
    "Victoria Terrace",
    "Canal Side",
    "Park View",
    "Brook Close",
)
LANGUAGES = {"Kowalski": "Polish", "Nowak": "Polish", "Begum": "Bengali", "Ali": "Urdu"}

# The story of each demonstration family, oldest to newest; every status is represented.
EPISODE_STORIES: tuple[EpisodeStatus, ...] = (
    EpisodeStatus.REQUESTED,
    EpisodeStatus.TRIAGE,
    EpisodeStatus.AWAITING_ALLOCATION,
    EpisodeStatus.ALLOCATED,
    EpisodeStatus.ASSESSMENT,
    EpisodeStatus.PLAN_ACTIVE,
    EpisodeStatus.PLAN_ACTIVE,
    EpisodeStatus.REVIEW,
    EpisodeStatus.STEP_DOWN_REQUESTED,
    EpisodeStatus.CLOSURE_REQUESTED,
    EpisodeStatus.STEP_UP_REQUESTED,
    EpisodeStatus.STEPPED_UP,
    EpisodeStatus.CLOSED,
    EpisodeStatus.PLAN_ACTIVE,
)

LEVEL_RATIONALE = (
    "Needs are met by the services already around the family.",
    "Emerging needs that the school and health visitor can meet with some extra support.",
    "Several needs across domains call for a coordinated plan with a lead worker.",
    "Needs are acute and the threshold for a statutory assessment is met.",
)


class DemoDataRefused(RuntimeError):
    """The database holds records that are not demonstration data."""


def holds_real_data() -> bool:
    others = select(func.count(User.id)).where(User.email.not_like(f"%@{DEMO_DOMAIN}"))
    return bool(db.session.scalar(others))


def demo_data_loaded() -> bool:
    return db.session.scalar(select(User.id).where(User.email == DEMO_LOGINS[0].email)) is not None


def database_is_empty() -> bool:
    users = db.session.scalar(select(func.count(User.id)))
    families = db.session.scalar(select(func.count(Family.id)))
    return not users and not families


def load_demo_data(framework: Framework, *, force: bool = False, today: date | None = None) -> None:
    if demo_data_loaded():
        return
    if holds_real_data() and not force:
        raise DemoDataRefused(
            "This database already holds records that are not demonstration data; "
            "demo data was not loaded. Use --force to add it anyway."
        )
    _DemoBuilder(framework, today or datetime.now(UTC).date()).build()


class _DemoBuilder:
    def __init__(self, framework: Framework, today: date) -> None:
        self.framework = framework
        self.today = today
        self.random = random.Random(f"caseapp-demo-{framework.key}")

    def at(self, days_ago: int, hour: int = 10) -> datetime:
        day = self.today - timedelta(days=days_ago)
        return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)

    def build(self) -> None:
        agencies = [Agency(name=name, kind=kind) for name, kind in AGENCIES]
        teams = [Team(name=name, locality=locality) for name, locality in TEAMS]
        db.session.add_all([*agencies, *teams])
        db.session.flush()
        staff = {
            login.role: stage_user(
                email=login.email,
                name=login.name,
                password=DEMO_PASSWORD,
                roles={login.role},
                job_title=login.role.label,
                agency=agencies[0],
                team=teams[0],
            )
            for login in DEMO_LOGINS
        }
        lead_workers = [staff[Role.LEAD_WORKER]]
        for name, title, agency_index, team_index in OTHER_LEAD_WORKERS:
            local_part = name.lower().replace(" ", ".")
            lead_workers.append(
                stage_user(
                    email=f"{local_part}@{DEMO_DOMAIN}",
                    name=name,
                    password=DEMO_PASSWORD,
                    roles={Role.LEAD_WORKER},
                    job_title=title,
                    agency=agencies[agency_index],
                    team=teams[team_index],
                )
            )
        coordinator = Actor(staff[Role.HUB_COORDINATOR])
        for index, status in enumerate(EPISODE_STORIES):
            lead = lead_workers[0] if index % 2 == 0 else lead_workers[1 + index % 4]
            self.build_family(index, status, coordinator, lead, teams[index % len(teams)])
        db.session.commit()

    def build_family(
        self, index: int, status: EpisodeStatus, coordinator: Actor, lead: User, team: Team
    ) -> None:
        surname = SURNAMES[index % len(SURNAMES)]
        language = LANGUAGES.get(surname, "English")
        children = [
            MemberDetails(
                given_name=GIVEN_CHILD[(index * 3 + number) % len(GIVEN_CHILD)],
                family_name=surname,
                is_child=True,
                date_of_birth=self.today - timedelta(days=self.random.randint(300, 16 * 365)),
                relationship_to_child="Child" if number == 0 else "Sibling",
                gender=self.random.choice(("Female", "Male")),
                first_language=language,
            )
            for number in range(1 + index % 3)
        ]
        parent = MemberDetails(
            given_name=GIVEN_ADULT[index % len(GIVEN_ADULT)],
            family_name=surname,
            is_child=False,
            relationship_to_child=self.random.choice(("Mother", "Father")),
            first_language=language,
            needs_interpreter=language != "English" and index % 2 == 0,
            parental_responsibility=True,
        )
        opened_days_ago = 2 + index * 9
        family = stage_family(
            coordinator,
            FamilyDetails(
                name=f"{surname} family",
                address=f"{10 + index * 7} {STREETS[index % len(STREETS)]}, Moorford",
                postcode=self.postcode(index),
                locality=team.locality,
                members=(*children, parent),
            ),
            at=self.at(opened_days_ago + 1),
        )
        episode = stage_episode(coordinator, family, team, at=self.at(opened_days_ago))
        self.advance(family, episode, status, coordinator, lead, opened_days_ago, index)

    @staticmethod
    def postcode(index: int) -> str:
        return f"MF{1 + index % 9} {index % 10}{'ABDEFGHJ'[index % 8]}{'LNPQRSTU'[index % 8]}"

    def advance(
        self,
        family: Family,
        episode: Episode,
        status: EpisodeStatus,
        coordinator: Actor,
        lead: User,
        opened_days_ago: int,
        index: int,
    ) -> None:
        if status is EpisodeStatus.REQUESTED:
            return
        if status is EpisodeStatus.TRIAGE:
            stage_status_change(coordinator, episode, status, at=self.at(opened_days_ago - 1))
            return
        decided = self.at(opened_days_ago - 1, 14)
        levels = self.framework.levels
        early_help = self.framework.early_help_levels
        social_care = self.framework.levels_by_service("social_care")
        # Younger siblings may need less than the eldest: they take any level short of
        # social care, so between them the families cover every level of the framework.
        below_social_care = [level for level in levels if level.service != "social_care"]
        children = [member for member in family.members if member.is_child]
        for number, child in enumerate(children):
            stepping_up = status in {EpisodeStatus.STEP_UP_REQUESTED, EpisodeStatus.STEPPED_UP}
            if stepping_up and number == 0:
                level = social_care[index % len(social_care)]
            elif number == 0:
                level = early_help[index % len(early_help)]
            else:
                level = below_social_care[(index + number) % len(below_social_care)]
            self.decide(coordinator, child, level.code, episode, decided)
        if status is EpisodeStatus.AWAITING_ALLOCATION:
            stage_status_change(coordinator, episode, status, at=decided)
            return
        allocated = self.at(opened_days_ago - 2, 11)
        stage_assignment(coordinator, episode, lead, at=allocated)
        stage_status_change(coordinator, episode, EpisodeStatus.ALLOCATED, at=allocated)
        if status is EpisodeStatus.ALLOCATED:
            return
        lead_actor = Actor(lead)
        if status is EpisodeStatus.CLOSED:
            for child in children:
                self.decide(lead_actor, child, levels[0].code, episode, self.at(4))
            stage_closure(
                lead_actor,
                episode,
                ClosureReason.NEEDS_MET,
                "Family settled; school attendance back above 95%",
                at=self.at(3),
            )
            return
        stage_status_change(lead_actor, episode, status, at=self.at(max(opened_days_ago - 10, 1)))
        if index == len(EPISODE_STORIES) - 1:
            # A longer history worth reading: the eldest child's needs eased after the plan.
            self.decide(lead_actor, children[0], early_help[0].code, episode, self.at(20))

    def decide(
        self,
        actor: Actor,
        child: FamilyMember,
        level_code: str,
        episode: Episode,
        at: datetime,
    ) -> None:
        level = self.framework.level(level_code)
        relied_on = [indicator.code for indicator in self.framework.indicators_for(level_code)]
        stage_level_decision(
            actor,
            self.framework,
            child,
            level_code,
            LEVEL_RATIONALE[min(level.order - 1, len(LEVEL_RATIONALE) - 1)],
            relied_on[:3],
            episode=episode,
            at=at,
        )
