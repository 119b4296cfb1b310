"""Fictional demonstration data: staff, and families at every level of the framework.

Deterministic: the same framework and the same day give the same records, so a demo and
its screenshots can be repeated. Dates are relative to today so deadlines look live.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from caseapp.config import DeadlineSettings
from caseapp.domain.casework import (
    ActionStatus,
    ConsentGiver,
    ConsentMethod,
    ContactType,
    MeetingStatus,
    OutcomeStatus,
)
from caseapp.domain.episodes import ClosureReason, EpisodeStatus
from caseapp.domain.hub import ReceivedVia, TriageOutcome
from caseapp.domain.level_requests import (
    ChildChange,
    LevelRequestChoices,
    RequestKind,
    RequestTarget,
    ReviewDecision,
)
from caseapp.domain.meetings import ActionEntry, AttendeeEntry, MeetingRecord, ScoreEntry
from caseapp.domain.plan import ActionDraft, OutcomeDraft
from caseapp.domain.roles import Role
from caseapp.domain.triage_rules import ChildChoice, TriageChoices
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.frameworks.supporting_families import HeadlineOutcomes, load_headline_outcomes
from caseapp.models import (
    Agency,
    Episode,
    Family,
    FamilyMember,
    LevelChangeRequest,
    SupportRequestChild,
    TafMeeting,
    Team,
    User,
)
from caseapp.models.types import uk_today
from caseapp.services.accounts import stage_user
from caseapp.services.allocation import allocate
from caseapp.services.assessments import (
    complete_assessment,
    framework_sections,
    save_section,
    start_assessment,
)
from caseapp.services.case_notes import NoteDetails, add_case_note
from caseapp.services.casework import load_casework
from caseapp.services.consent import (
    ConsentDetails,
    current_consent,
    record_consent,
    withdraw_consent,
)
from caseapp.services.context import Actor
from caseapp.services.disagreements import raise_disagreement
from caseapp.services.episodes import (
    stage_closure,
    stage_status_change,
)
from caseapp.services.level_requests import submit_level_request
from caseapp.services.levels import stage_level_decision
from caseapp.services.meetings import (
    cancel_meeting,
    record_meeting,
    schedule_meeting,
)
from caseapp.services.oversight import record_oversight
from caseapp.services.plans import add_action, add_outcome, outcome_edit, update_outcome
from caseapp.services.requests import CarerDetails, ChildDetails, RequestDetails, submit_request
from caseapp.services.review_queue import decide_request
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

# A deputy manager of the demo manager's team, who asks for one family to come back from
# social care (the demo manager decides it: nobody decides their own request).
OTHER_MANAGERS = (("Ruth Ellis", "Deputy team manager", 0, 0),)

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
# The later ones are all the demo lead worker's, in the demo manager's team, so that both
# sign-ins show the lead worker's and the manager's work.
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
    EpisodeStatus.PLAN_ACTIVE,
    EpisodeStatus.CLOSURE_REQUESTED,
    EpisodeStatus.PLAN_ACTIVE,
    EpisodeStatus.CLOSED,
)
# Stepped up by the Hub at triage: with children's social care.
WITH_SOCIAL_CARE = frozenset({EpisodeStatus.STEPPED_UP, EpisodeStatus.STEP_DOWN_REQUESTED})
# Families from this one on are the demo lead worker's, in the demo manager's team.
FIRST_DEMO_LEAD_STORY = 14


@dataclass(frozen=True)
class CaseStory:
    """The lead worker's record of one family: consent, EHA, plan, TAF meetings, notes.
    Days are counted back from today; `next_meeting` forward (negative: overdue)."""

    opened_days_ago: int
    consent_days_ago: int
    # "" none started, "draft" half filled, "completed".
    eha: str = "completed"
    meetings_held: tuple[int, ...] = ()
    next_meeting: int = 0
    overdue_action: bool = False
    consent_withdrawn_days_ago: int | None = None
    outcomes_achieved: bool = False
    oversight_days_ago: tuple[int, ...] = ()
    # A request within early help: "step_up_approved" or "step_down_pending".
    level_request: str = ""


CASE_STORIES: dict[int, CaseStory] = {
    3: CaseStory(8, 4, eha=""),
    4: CaseStory(16, 11, eha="draft"),
    5: CaseStory(46, 41, meetings_held=(20,), next_meeting=22),
    6: CaseStory(
        56,
        50,
        meetings_held=(36, 8),
        next_meeting=34,
        overdue_action=True,
        oversight_days_ago=(18,),
    ),
    7: CaseStory(65, 60, meetings_held=(45, 3), next_meeting=39),
    9: CaseStory(84, 79, meetings_held=(62, 20), next_meeting=22, outcomes_achieved=True),
    10: CaseStory(60, 55, meetings_held=(30,), next_meeting=12, oversight_days_ago=(1,)),
    13: CaseStory(119, 112, meetings_held=(80, 40, 5), next_meeting=37),
    # The TAF review agreed for eight days ago has not been held; management oversight
    # lapsed long ago.
    14: CaseStory(
        170,
        160,
        meetings_held=(130, 88, 50),
        next_meeting=-8,
        overdue_action=True,
        oversight_days_ago=(125,),
        level_request="step_up_approved",
    ),
    15: CaseStory(62, 57, meetings_held=(34,), next_meeting=8, consent_withdrawn_days_ago=6),
    # Two siblings: the younger is doing well enough to step down a level.
    16: CaseStory(
        75,
        70,
        meetings_held=(66, 38, 10),
        next_meeting=32,
        oversight_days_ago=(60, 9),
        level_request="step_down_pending",
    ),
    17: CaseStory(100, 95, meetings_held=(75, 40), next_meeting=2, outcomes_achieved=True),
}

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


CONSENT_METHODS = (
    ConsentMethod.SIGNED_FORM,
    ConsentMethod.VERBAL_IN_PERSON,
    ConsentMethod.PHONE,
)
SHARE_WITH = (
    AGENCIES[1][0],
    AGENCIES[3][0],
    "GP surgery",
    AGENCIES[4][0],
)
FACE_TO_FACE = frozenset(
    {ContactType.HOME_VISIT, ContactType.SCHOOL_VISIT, ContactType.OFFICE_VISIT}
)
# Each family's later contacts: (days ago, how, what happened). Those before the family
# gave consent are left out.
NOTES: tuple[tuple[tuple[int, ContactType, str], ...], ...] = (
    (
        (2, ContactType.PHONE_CALL, "Mum rang: the new bedtime routine is working most nights."),
        (9, ContactType.SCHOOL_VISIT, "Met the class teacher: attendance 94% this half term."),
        (23, ContactType.HOME_VISIT, "Home visit. The flat was calm; looked at the money plan."),
    ),
    (
        (1, ContactType.MESSAGE, "Texted to confirm the housing appointment on Thursday."),
        (6, ContactType.HOME_VISIT, "Home visit with the health visitor; weight check done."),
        (30, ContactType.OFFICE_VISIT, "Dad came to the family hub for the parenting course."),
    ),
    (
        (4, ContactType.VIDEO_CALL, "Video call with mum while the children were at school."),
        (13, ContactType.HOME_VISIT, "Home visit. The children showed me their reward chart."),
        (40, ContactType.PHONE_CALL, "Spoke to the school nurse about the referral to CAMHS."),
    ),
)


@dataclass(frozen=True)
class OutcomeTemplate:
    description: str
    measure: str
    headline: tuple[str, ...]
    for_child: bool
    # (what, who (blank: the lead worker), agency)
    actions: tuple[tuple[str, str, str], ...]


OUTCOME_TEMPLATES = (
    OutcomeTemplate(
        "{name} is in school every day, on time",
        "Attendance above 95% for a half term",
        ("education",),
        True,
        (
            ("Morning routine plan agreed with {name} and parents", "", ""),
            ("Weekly attendance check-in with {name}", "Mrs J. Hollis", AGENCIES[1][0]),
        ),
    ),
    OutcomeTemplate(
        "Home is calm at bedtime and mornings for {name}",
        "Parents report five calm evenings a week",
        ("family_relationships",),
        False,
        (
            ("Parenting course place booked", "", ""),
            ("Home visit to review the reward chart", "", ""),
        ),
    ),
    OutcomeTemplate(
        "The family's debts are in hand and the rent is paid",
        "No rent arrears for three months",
        ("financial_stability", "housing"),
        False,
        (
            ("Appointment with Citizens Advice for a debt plan", "", ""),
            ("Apply for the household support fund", "Dean Walsh", "Citizens Advice Moorland"),
        ),
    ),
    OutcomeTemplate(
        "{name} is well and growing as expected",
        "Weight on the expected centile at the next two checks",
        ("health", "early_years"),
        True,
        (
            ("Weight check and feeding plan", "Dawn Fisher", AGENCIES[3][0]),
            ("GP appointment about sleep", "", ""),
        ),
    ),
)
MEETING_PLACES = ("Oakfield Primary School", "Moorford Family Hub", "The family's home")
SCORE_COMMENTS = (
    "Early days: the plan has only just started.",
    "Some progress since the last meeting.",
    "Steady progress, and the family say so too.",
)
FAMILY_VIEWS = (
    "Mum says it helps to have one person to go to, and wants the school to keep in touch.",
    "Both parents feel mornings are easier; money is still the main worry.",
    "The family want to carry on with the plan but meet less often.",
)
CHILD_VIEWS = (
    "{name} drew a picture of home and said that mornings are shouty.",
    "{name} said school is better now that they have a friend at lunchtime.",
    "{name} said home is happier and they like the new reward chart.",
)
MEETING_DECISIONS = (
    "Plan agreed. School to report attendance weekly; lead worker to book the parenting course.",
    "Progress noted. Carry on with the plan; add the debt advice appointment.",
    "Good progress. Next meeting to consider whether the plan can close.",
)
OVERSIGHT = (
    (
        "Reviewed the plan and the TAF record. Outcomes are measurable and scores are "
        "improving; the child's voice is clear.",
        "Chase the overdue school action before the next TAF.",
    ),
    (
        "Discussed in supervision. Risks are understood and the plan is proportionate.",
        "Consider whether the plan can step down after the next review.",
    ),
    (
        "Reviewed the urgent step-up. Agree the disclosure meets the threshold; spoke to the "
        "social care team manager.",
        "Lead worker to stay involved until social care allocate.",
    ),
)


def eha_answer(child: FamilyMember, section: str, question: str) -> str:
    """A short, plausible answer to one EHA question about `child`."""
    name = child.given_name
    return {
        "reason": f"School and mum are worried about {name}'s attendance and mood at home.",
        "strengths": f"{name} is loved, and has a grandparent nearby who helps.",
        "needs": f"{name} needs routines, and parents who are not worried about money.",
        "working_well": "Mum engages well and wants things to change.",
        "worries": "Late nights, missed school and rent arrears.",
        "next_steps": "A plan with school, health and debt advice, reviewed at TAF meetings.",
        "child_voice": f"{name} says mornings are shouty and wants to get to school on time.",
        "parents_views": "Mum feels on her own since dad left and wants help with routines.",
        "analysis": (
            f"Without support {name}'s attendance and wellbeing are likely to fall further; "
            "the family are ready to make changes."
        ),
    }.get(question, f"{section}: discussed with the family.")


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
        self.headline: HeadlineOutcomes = (
            current_app.extensions.get("caseapp.headline_outcomes") or load_headline_outcomes()
        )
        self.settings: DeadlineSettings = current_app.config["CASEAPP_DEADLINES"]
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
        others = [(*each, Role.LEAD_WORKER) for each in OTHER_LEAD_WORKERS]
        others += [(*each, Role.MANAGER) for each in OTHER_MANAGERS]
        deputies = []
        for name, title, agency_index, team_index, role in others:
            local_part = name.lower().replace(" ", ".")
            user = stage_user(
                email=f"{local_part}@{DEMO_DOMAIN}",
                name=name,
                password=DEMO_PASSWORD,
                roles={role},
                job_title=title,
                agency=agencies[agency_index],
                team=teams[team_index],
            )
            (lead_workers if role is Role.LEAD_WORKER else deputies).append(user)
        # The services below commit as they go, as they do for real work.
        db.session.commit()
        self.manager = Actor(staff[Role.MANAGER])
        self.deputy = Actor(deputies[0])
        coordinator = Actor(staff[Role.HUB_COORDINATOR])
        for index, status in enumerate(EPISODE_STORIES):
            if index >= FIRST_DEMO_LEAD_STORY:
                lead, team = lead_workers[0], teams[0]
            else:
                lead = lead_workers[0] if index % 2 == 0 else lead_workers[1 + index % 4]
                team = teams[index % len(teams)]
            self.build_family(index, status, coordinator, lead, team)

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
        significant_harm = EPISODE_STORIES[index] in WITH_SOCIAL_CARE
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
        story = CASE_STORIES.get(index)
        opened_days_ago = story.opened_days_ago if story else 2 + index * 9
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
        family_id = episode.family_id
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
        if status is EpisodeStatus.STEP_DOWN_REQUESTED:
            self.ask_to_come_back_from_social_care(family_id, list(children))
            return
        if status in {EpisodeStatus.AWAITING_ALLOCATION, EpisodeStatus.STEPPED_UP}:
            return
        allocate(
            coordinator, episode.id, episode.version, lead.id, "", at=decided + timedelta(hours=20)
        )
        lead_actor = Actor(lead)
        if story is None:
            # Closed a month or so ago, before the lead worker's records were kept here.
            for child in children:
                stage_level_decision(
                    lead_actor,
                    self.framework,
                    child,
                    self.framework.levels[0].code,
                    "Needs met: attendance and routines are back on track.",
                    [],
                    episode=episode,
                    at=self.at(36),
                )
            stage_closure(
                lead_actor,
                episode,
                ClosureReason.NEEDS_MET,
                "Family settled; school attendance back above 95%",
                at=self.at(35),
            )
            db.session.commit()
            return
        self.keep_record(index, story, lead_actor, family_id, list(children))
        if status is EpisodeStatus.REVIEW:
            episode = db.session.get(Episode, request.episode_id)
            assert episode is not None
            stage_status_change(lead_actor, episode, status, at=self.at(story.meetings_held[-1]))
            db.session.commit()
        elif status is EpisodeStatus.STEP_UP_REQUESTED:
            self.ask_urgent_step_up(lead_actor, family_id, list(children))
        elif status is EpisodeStatus.CLOSURE_REQUESTED:
            withdrew = story.consent_withdrawn_days_ago is not None
            self.ask_for_closure(lead_actor, family_id, list(children), withdrew=withdrew)
        elif status is EpisodeStatus.CLOSED:
            self.close_with_approval(lead_actor, family_id, list(children))
        elif story.level_request == "step_up_approved":
            self.step_up_within_early_help(lead_actor, family_id, list(children))
        elif story.level_request == "step_down_pending":
            self.ask_to_step_down_a_sibling(lead_actor, family_id, list(children))
        self.manage(index, status, story, family_id)

    # --- the lead worker's record -----------------------------------------------------------

    def day(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)

    def carer_of(self, family_id: int) -> FamilyMember:
        carer = db.session.scalar(
            select(FamilyMember)
            .where(FamilyMember.family_id == family_id, FamilyMember.is_child.is_(False))
            .order_by(FamilyMember.id)
            .limit(1)
        )
        assert carer is not None
        return carer

    def keep_record(
        self,
        index: int,
        story: CaseStory,
        lead: Actor,
        family_id: int,
        children: list[FamilyMember],
    ) -> None:
        """Consent, EHA, plan, TAF meetings and case notes, in the order the work happens."""
        carer = self.carer_of(family_id)
        carer_name = f"{carer.given_name} {carer.family_name}"
        record_consent(
            lead,
            family_id,
            ConsentDetails(
                given_by_name=carer_name,
                given_by_role=ConsentGiver.PARENT,
                method=CONSENT_METHODS[index % len(CONSENT_METHODS)],
                given_on=self.day(story.consent_days_ago),
                given_by_member_id=carer.id,
                share_with=SHARE_WITH[: 2 + index % 3],
            ),
        )
        self.add_note(
            lead,
            family_id,
            story.consent_days_ago,
            ContactType.HOME_VISIT,
            children,
            carer,
            f"First home visit. Explained early help and what a plan and TAF meetings are. "
            f"{carer.given_name} gave consent to early help and to sharing with the agencies "
            "named.",
        )
        if story.eha:
            self.assess(lead, family_id, children, complete=story.eha == "completed")
        outcomes = []
        if story.eha == "completed":
            outcomes = self.plan(index, story, lead, family_id, children)
            self.meet(index, story, lead, family_id, children, carer_name, outcomes)
        for number, (days_ago, contact, text) in enumerate(NOTES[index % len(NOTES)]):
            if days_ago < story.consent_days_ago:
                seen = children[: 1 + number % len(children)]
                self.add_note(lead, family_id, days_ago, contact, seen, carer, text)
        if story.consent_withdrawn_days_ago is not None:
            episode = load_casework(lead, family_id, keeping=True).open_episode
            current = current_consent(episode.id)
            assert current is not None
            withdraw_consent(
                lead,
                family_id,
                current.id,
                current.version,
                self.day(story.consent_withdrawn_days_ago),
                f"{carer.given_name} phoned to say the family no longer want early help: "
                "they feel things are settled and do not want more meetings.",
            )

    def add_note(
        self,
        lead: Actor,
        family_id: int,
        days_ago: int,
        contact: ContactType,
        seen: list[FamilyMember],
        carer: FamilyMember,
        text: str,
    ) -> None:
        add_case_note(
            lead,
            family_id,
            NoteDetails(
                contact_on=self.day(days_ago),
                contact_type=contact,
                seen_member_ids=tuple(
                    [carer.id, *(child.id for child in seen)]
                    if contact in FACE_TO_FACE
                    else [carer.id]
                ),
                others_seen="Class teacher" if contact is ContactType.SCHOOL_VISIT else "",
                text=text,
            ),
        )

    def assess(
        self, lead: Actor, family_id: int, children: list[FamilyMember], *, complete: bool
    ) -> None:
        page = start_assessment(lead, family_id, [child.id for child in children], self.framework)
        assert page.shown is not None
        assessment_id = page.shown.assessment.id
        sections = framework_sections(self.framework)
        # A draft has the reason and the first domain for the eldest, and a start on the
        # summary: about half of what is asked.
        wanted = sections if complete else sections[:2]
        for child in children if complete else children[:1]:
            for section in wanted:
                answers = {
                    q.key: eha_answer(child, section.title, q.key) for q in section.questions
                }
                save_section(
                    lead,
                    family_id,
                    assessment_id,
                    child.id,
                    section.key,
                    0,
                    answers,
                    self.framework,
                )
        if complete:
            complete_assessment(lead, family_id, assessment_id, self.framework)
        else:
            summary = next(s for s in sections if s.key == "summary")
            first = summary.questions[0].key
            save_section(
                lead,
                family_id,
                assessment_id,
                children[0].id,
                summary.key,
                0,
                {first: eha_answer(children[0], summary.title, first)},
                self.framework,
            )

    def plan(
        self,
        index: int,
        story: CaseStory,
        lead: Actor,
        family_id: int,
        children: list[FamilyMember],
    ) -> list[int]:
        """Two or three outcomes, each with actions: some done, the rest due ahead (one
        overdue where the story says so)."""
        started = story.opened_days_ago - 2
        outcome_ids = []
        for number in range(2 + index % 2):
            template = OUTCOME_TEMPLATES[(index + number) % len(OUTCOME_TEMPLATES)]
            child = children[number % len(children)] if template.for_child else None
            name = child.given_name if child else "the family"
            casework = load_casework(lead, family_id, keeping=True)
            outcome = add_outcome(
                lead,
                casework,
                OutcomeDraft(
                    description=template.description.format(name=name),
                    measure=template.measure.format(name=name),
                    headline_outcomes=template.headline,
                    member_id=child.id if child else None,
                ),
                self.headline,
            )
            outcome_ids.append(outcome.id)
            for step, (what, who, agency) in enumerate(template.actions):
                done = step == 0 and started > 20
                overdue = story.overdue_action and number == 0 and step == 1
                if done:
                    due, status, completed = started - 14, ActionStatus.DONE, started - 12
                elif overdue:
                    due, status, completed = 5, ActionStatus.IN_PROGRESS, None
                else:
                    due, status, completed = (
                        -(10 + 7 * step + 3 * number),
                        (ActionStatus.IN_PROGRESS if step == 0 else ActionStatus.NOT_STARTED),
                        None,
                    )
                casework = load_casework(lead, family_id, keeping=True)
                add_action(
                    lead,
                    casework,
                    outcome.id,
                    ActionDraft(
                        description=what.format(name=name),
                        owner_name=who or lead.user.name,
                        owner_agency=agency,
                        due_on=self.day(due),
                        status=status,
                        completed_on=self.day(completed) if completed is not None else None,
                    ),
                )
        return outcome_ids

    def meet(
        self,
        index: int,
        story: CaseStory,
        lead: Actor,
        family_id: int,
        children: list[FamilyMember],
        carer_name: str,
        outcomes: list[int],
    ) -> None:
        """The TAF meetings held, scores rising from one to the next, and the next one
        arranged on the date the last agreed."""
        if not story.meetings_held:
            return
        today = max(self.today, uk_today())
        meeting = schedule_meeting(lead, family_id, today, "10am", MEETING_PLACES[index % 3])
        held = story.meetings_held
        for number, days_ago in enumerate(held):
            last = number == len(held) - 1
            next_on = self.day(-story.next_meeting) if last else self.day(held[number + 1])
            attendees = (
                AttendeeEntry(
                    lead.user.name,
                    "Family Practitioner Service",
                    "Lead worker",
                    user_id=lead.user_id,
                ),
                AttendeeEntry(carer_name, "", "Parent"),
                AttendeeEntry("Mrs J. Hollis", AGENCIES[1][0], "Designated safeguarding lead"),
                AttendeeEntry(
                    "Dawn Fisher", AGENCIES[3][0], "Health visitor", present=number % 2 == 0
                ),
            )
            scores = tuple(
                ScoreEntry(
                    outcome_id,
                    min(10, 2 + k + number * (2 if k % 2 == 0 else 1) + (1 if last else 0)),
                    SCORE_COMMENTS[min(number, len(SCORE_COMMENTS) - 1)],
                )
                for k, outcome_id in enumerate(outcomes)
            )
            actions = (
                (
                    ActionEntry(
                        f"Ask {children[0].given_name} what they want from the next meeting",
                        lead.user.name,
                        "Family Practitioner Service",
                        self.day(-max(story.next_meeting - 3, 7)),
                        outcomes[0],
                    ),
                )
                if last
                else ()
            )
            meeting = record_meeting(
                lead,
                family_id,
                meeting.id,
                meeting.version,
                MeetingRecord(
                    held_on=self.day(days_ago),
                    attendees=attendees,
                    scores=scores,
                    actions=actions,
                    family_views=FAMILY_VIEWS[number % len(FAMILY_VIEWS)],
                    child_views=CHILD_VIEWS[number % len(CHILD_VIEWS)].format(
                        name=children[0].given_name
                    ),
                    decisions=MEETING_DECISIONS[number % len(MEETING_DECISIONS)],
                    next_meeting_on=next_on,
                ),
            )
        if story.outcomes_achieved:
            for outcome_id in outcomes:
                edit = outcome_edit(lead, family_id, outcome_id)
                outcome = edit.outcome
                update_outcome(
                    lead,
                    edit,
                    outcome.version,
                    OutcomeDraft(
                        description=outcome.description,
                        measure=outcome.measure,
                        headline_outcomes=tuple(outcome.headline_outcomes),
                        member_id=outcome.member_id,
                        status=OutcomeStatus.ACHIEVED,
                    ),
                    self.headline,
                )

    # --- requests and the manager's work ----------------------------------------------------

    def episode_version(self, family_id: int) -> int:
        db.session.expire_all()
        version = db.session.scalar(
            select(Episode.version).where(
                Episode.family_id == family_id, Episode.closed_at.is_(None)
            )
        )
        assert version is not None
        return version

    def ask(self, actor: Actor, family_id: int, choices: LevelRequestChoices) -> int:
        request = submit_level_request(
            actor, self.framework, family_id, self.episode_version(family_id), choices
        )
        return request.id

    def decide(self, request_id: int, decision: ReviewDecision, rationale: str) -> None:
        db.session.expire_all()
        version = db.session.scalar(
            select(LevelChangeRequest.version).where(LevelChangeRequest.id == request_id)
        )
        assert version is not None
        decide_request(self.manager, self.framework, request_id, version, decision, rationale)

    def change(self, child: FamilyMember, to_level: str) -> ChildChange:
        indicators = self.framework.indicators_for(to_level)
        return ChildChange(
            child.id,
            child.given_name,
            child.current_level_code,
            to_level,
            tuple(indicator.code for indicator in indicators[:2]),
        )

    def ask_to_come_back_from_social_care(
        self, family_id: int, children: list[FamilyMember]
    ) -> None:
        """Social care has finished its assessment: the deputy manager asks for the eldest
        to step down to early help, for the demo manager to decide."""
        eldest = children[0]
        early_help = self.framework.early_help_levels
        self.ask(
            self.deputy,
            family_id,
            LevelRequestChoices(
                kind=RequestKind.STEP_DOWN,
                target=RequestTarget.LEVEL,
                rationale=(
                    "Children's social care closed its assessment: the threshold for a "
                    f"child in need plan is not met, but {eldest.given_name} and the family "
                    "still need a coordinated plan. Step-down TAF offered for next week."
                ),
                children=(self.change(eldest, early_help[-1].code),),
            ),
        )

    def ask_urgent_step_up(self, lead: Actor, family_id: int, children: list[FamilyMember]) -> None:
        eldest = children[0]
        social_care = self.framework.levels_by_service("social_care")
        self.ask(
            lead,
            family_id,
            LevelRequestChoices(
                kind=RequestKind.STEP_UP,
                target=RequestTarget.SOCIAL_CARE,
                rationale=(
                    f"{eldest.given_name} disclosed to the class teacher this morning that "
                    "dad hit mum last night and that they are scared to go home. Mum does not "
                    "want to involve anyone. Significant harm is suspected."
                ),
                children=(self.change(eldest, social_care[0].code),),
                urgent=True,
            ),
        )
        raise_disagreement(
            lead,
            family_id,
            f"{lead.user.name} (lead worker) and the children's social care front door",
            "The front door advised on the phone that the family's needs can be met by "
            "early help with a safety plan. The lead worker and the school's safeguarding "
            f"lead consider that {eldest.given_name} has suffered significant harm and "
            "that the threshold for a strategy discussion is met.",
            None,
            self.settings,
            now=self.at(1, 15),
        )

    def ask_for_closure(
        self, lead: Actor, family_id: int, children: list[FamilyMember], *, withdrew: bool
    ) -> int:
        """Ask for closure; when the family withdrew consent the demo manager returns it
        for more information."""
        request_id = self.ask(
            lead,
            family_id,
            LevelRequestChoices(
                kind=RequestKind.CLOSURE,
                target=RequestTarget.UNIVERSAL,
                rationale=(
                    "The family have withdrawn their consent to early help."
                    if withdrew
                    else "Every outcome of the plan is achieved and the family agree that "
                    "they no longer need a plan."
                ),
                children=tuple(
                    ChildChange(c.id, c.given_name, c.current_level_code) for c in children
                ),
                closure_reason=(
                    ClosureReason.CONSENT_WITHDRAWN if withdrew else ClosureReason.NEEDS_MET
                ),
                after_closure=(
                    "School will keep the children on their pastoral list."
                    if withdrew
                    else "School's pastoral support continues; the family know how to ask "
                    "for help again."
                ),
            ),
        )
        if withdrew:
            self.decide(
                request_id,
                ReviewDecision.RETURN,
                "Before closing: has the school been told consent was withdrawn, and does "
                "anything we know now meet the threshold to share without consent? Please "
                "add what was discussed with the designated safeguarding lead.",
            )
        return request_id

    def close_with_approval(
        self, lead: Actor, family_id: int, children: list[FamilyMember]
    ) -> None:
        """Every outcome achieved: the next TAF is cancelled and the manager approves
        closure."""
        upcoming = db.session.scalar(
            select(TafMeeting).where(
                TafMeeting.family_id == family_id, TafMeeting.status == MeetingStatus.SCHEDULED
            )
        )
        if upcoming is not None:
            cancel_meeting(
                lead,
                family_id,
                upcoming.id,
                upcoming.version,
                "Plan complete: closure requested instead",
            )
        request_id = self.ask_for_closure(lead, family_id, children, withdrew=False)
        self.decide(
            request_id,
            ReviewDecision.APPROVE,
            "Outcomes achieved and sustained over two reviews; the family know how to "
            "come back. Agreed.",
        )

    def step_up_within_early_help(
        self, lead: Actor, family_id: int, children: list[FamilyMember]
    ) -> None:
        """Needs grew while the plan drifted: the eldest child who can go up a level of early
        help is stepped up, approved by the demo manager."""
        early_help = self.framework.early_help_levels
        for child in children:
            db.session.refresh(child)
            if not child.current_level_code or not self.framework.has_level(
                child.current_level_code
            ):
                continue
            now = self.framework.level(child.current_level_code).order
            higher = [level for level in early_help if level.order > now]
            if not higher:
                continue
            request_id = self.ask(
                lead,
                family_id,
                LevelRequestChoices(
                    kind=RequestKind.STEP_UP,
                    target=RequestTarget.LEVEL,
                    rationale=(
                        f"{child.given_name} has been excluded twice this term and the "
                        "family have missed two housing appointments: the needs now call "
                        "for a more intensive plan."
                    ),
                    children=(self.change(child, higher[0].code),),
                ),
            )
            self.decide(
                request_id,
                ReviewDecision.APPROVE,
                "Agreed: the exclusions and the housing position need a more intensive plan. "
                "Hold the overdue TAF review within two weeks.",
            )
            return

    def ask_to_step_down_a_sibling(
        self, lead: Actor, family_id: int, children: list[FamilyMember]
    ) -> None:
        """The younger sibling whose needs have eased steps down a level within early help,
        when the framework has a level of early help below theirs."""
        early_help = self.framework.early_help_levels
        for child in reversed(children):
            db.session.refresh(child)
            if not child.current_level_code or not self.framework.has_level(
                child.current_level_code
            ):
                continue
            now = self.framework.level(child.current_level_code).order
            lower = [level for level in early_help if level.order < now]
            if not lower:
                continue
            self.ask(
                lead,
                family_id,
                LevelRequestChoices(
                    kind=RequestKind.STEP_DOWN,
                    target=RequestTarget.LEVEL,
                    rationale=(
                        f"{child.given_name}'s attendance has been above 95% for six weeks "
                        "and the TAF scores have risen at every review. School can meet "
                        "what remains; the plan carries on for the other children."
                    ),
                    children=(self.change(child, lower[-1].code),),
                ),
            )
            return

    def manage(self, index: int, status: EpisodeStatus, story: CaseStory, family_id: int) -> None:
        """The demo manager's oversight of the family, as the story has it."""
        for number, days_ago in enumerate(story.oversight_days_ago):
            summary, actions = (
                OVERSIGHT[2]
                if status is EpisodeStatus.STEP_UP_REQUESTED
                else OVERSIGHT[(index + number) % 2]
            )
            record_oversight(
                self.manager,
                family_id,
                self.day(days_ago),
                summary,
                actions,
                now=self.at(days_ago, 16),
            )

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
        stepping_up = status in WITH_SOCIAL_CARE
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
