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
from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.domain.roles import Role
from caseapp.domain.triage_rules import ChildChoice, TriageChoices
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import Agency, Episode, Family, FamilyMember, SupportRequestChild, Team, User
from caseapp.services.accounts import stage_user
from caseapp.services.allocation import allocate
from caseapp.services.context import Actor
from caseapp.services.episodes import (
    stage_closure,
    stage_status_change,
)
from caseapp.services.levels import stage_level_decision
from caseapp.services.requests import CarerDetails, ChildDetails, RequestDetails, submit_request
from caseapp.services.triage import decide_triage, start_triage

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

REQUEST_REASONS = (
    "School attendance has dropped to 82% this term and the children often arrive late and hungry.",
    "Mum has asked for help with the children's behaviour at home since dad moved out.",
    "Health visitor concerned about the baby's weight and mum's low mood.",
    "The family was evicted last month and is in temporary accommodation across town.",
    "Teachers have noticed bruising and a child said that home is scary when dad drinks.",
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
        # The services below commit as they go, as they do for real work.
        db.session.commit()
        coordinator = Actor(staff[Role.HUB_COORDINATOR])
        for index, status in enumerate(EPISODE_STORIES):
            lead = lead_workers[0] if index % 2 == 0 else lead_workers[1 + index % 4]
            self.build_family(index, status, coordinator, lead, teams[index % len(teams)])

    def request_details(self, index: int, referrer: User | None, team: Team) -> RequestDetails:
        surname = SURNAMES[index % len(SURNAMES)]
        language = LANGUAGES.get(surname, "English")
        children = tuple(
            ChildDetails(
                given_name=GIVEN_CHILD[(index * 3 + number) % len(GIVEN_CHILD)],
                family_name=surname,
                date_of_birth=self.today - timedelta(days=self.random.randint(300, 16 * 365)),
                gender=self.random.choice(("Female", "Male")),
            )
            for number in range(1 + index % 3)
        )
        carer = CarerDetails(
            given_name=GIVEN_ADULT[index % len(GIVEN_ADULT)],
            family_name=surname,
            relationship=self.random.choice(("Mother", "Father")),
            parental_responsibility=True,
            first_language=language,
            needs_interpreter=language != "English" and index % 2 == 0,
        )
        significant_harm = EPISODE_STORIES[index] is EpisodeStatus.STEPPED_UP
        return RequestDetails(
            received_via=ReceivedVia.ONLINE if referrer else ReceivedVia.PHONE,
            referrer_name=referrer.name if referrer else "Jane Hollis",
            referrer_agency=referrer.agency.name
            if referrer and referrer.agency
            else AGENCIES[1][0],
            referrer_contact=referrer.email if referrer else "01632 960 123",
            children=children,
            carers=(carer,),
            reason=REQUEST_REASONS[index % len(REQUEST_REASONS)],
            tried_so_far="Extra pastoral support in school and a conversation with the family.",
            consent_given=not significant_harm,
            consent_given_by="" if significant_harm else f"{carer.given_name} {surname}, parent",
            significant_harm=significant_harm,
            address=f"{10 + index * 7} {STREETS[index % len(STREETS)]}, Moorford",
            postcode=self.postcode(index),
            locality=team.locality,
        )

    @staticmethod
    def postcode(index: int) -> str:
        return f"MF{1 + index % 9} {index % 10}{'ABDEFGHJ'[index % 8]}{'LNPQRSTU'[index % 8]}"

    def build_family(
        self, index: int, status: EpisodeStatus, coordinator: Actor, lead: User, team: Team
    ) -> None:
        opened_days_ago = 2 + index * 9
        # Half the requests come from lead workers online, half by phone from a school.
        referrer = lead if index % 2 else None
        request = submit_request(
            Actor(referrer) if referrer else coordinator,
            self.request_details(index, referrer, team),
            received_at=self.at(opened_days_ago, 9),
        )
        if status is EpisodeStatus.REQUESTED:
            return
        if status is EpisodeStatus.TRIAGE:
            start_triage(coordinator, request.episode_id)
            return
        episode = db.session.get(Episode, request.episode_id)
        assert episode is not None
        children = db.session.scalars(
            select(FamilyMember)
            .join(SupportRequestChild, SupportRequestChild.member_id == FamilyMember.id)
            .where(SupportRequestChild.request_id == request.id)
            .order_by(FamilyMember.id)
        ).all()
        decided = self.at(opened_days_ago - 1, 14)
        decide_triage(
            coordinator,
            episode.id,
            episode.version,
            self.triage_choices(index, status, list(children), referrer is None, decided),
            at=decided,
        )
        if status in {EpisodeStatus.AWAITING_ALLOCATION, EpisodeStatus.STEPPED_UP}:
            return
        allocate(
            coordinator, episode.id, episode.version, lead.id, "", at=decided + timedelta(hours=20)
        )
        lead_actor = Actor(lead)
        if status is EpisodeStatus.CLOSED:
            for child in children:
                stage_level_decision(
                    lead_actor,
                    self.framework,
                    child,
                    self.framework.levels[0].code,
                    "Needs met: attendance and routines are back on track.",
                    [],
                    episode=episode,
                    at=self.at(4),
                )
            stage_closure(
                lead_actor,
                episode,
                ClosureReason.NEEDS_MET,
                "Family settled; school attendance back above 95%",
                at=self.at(3),
            )
        elif status is EpisodeStatus.STEP_UP_REQUESTED:
            # Concerns grew during the plan: the eldest child's needs now meet the
            # threshold for social care, and the lead worker has asked to step up.
            social_care = self.framework.levels_by_service("social_care")
            stage_level_decision(
                lead_actor,
                self.framework,
                children[0],
                social_care[index % len(social_care)].code,
                "New disclosure at school; needs now meet the threshold for social care.",
                [],
                episode=episode,
                at=self.at(2),
            )
            stage_status_change(lead_actor, episode, status, at=self.at(2))
        elif status is not EpisodeStatus.ALLOCATED:
            stage_status_change(
                lead_actor, episode, status, at=self.at(max(opened_days_ago - 10, 1))
            )
        db.session.commit()

    def triage_choices(
        self,
        index: int,
        status: EpisodeStatus,
        children: list[FamilyMember],
        outside_referrer: bool,
        decided: datetime,
    ) -> TriageChoices:
        levels = self.framework.levels
        early_help = self.framework.early_help_levels
        social_care = self.framework.levels_by_service("social_care")
        # Younger siblings may need less than the eldest: they take any level short of
        # social care, so between them the families cover every level of the framework.
        below_social_care = [level for level in levels if level.service != "social_care"]
        stepping_up = status is EpisodeStatus.STEPPED_UP
        choices = []
        for number, child in enumerate(children):
            if number == 0:
                level = (
                    social_care[index % len(social_care)]
                    if stepping_up
                    else early_help[index % len(early_help)]
                )
            else:
                level = below_social_care[(index + number) % len(below_social_care)]
            relied_on = [indicator.code for indicator in self.framework.indicators_for(level.code)]
            choices.append(
                ChildChoice(child.id, child.given_name, level.code, tuple(relied_on[:3]))
            )
        return TriageChoices(
            outcome=TriageOutcome.STEP_UP if stepping_up else TriageOutcome.EARLY_HELP,
            rationale=LEVEL_RATIONALE[3 if stepping_up else 2],
            children=tuple(choices),
            social_care_route="Children's social care front door" if stepping_up else "",
            social_care_contacted="Duty social worker, by phone" if stepping_up else "",
            referrer_told_how="phone" if outside_referrer else "",
            referrer_told_on=decided.date() if outside_referrer else None,
        )
