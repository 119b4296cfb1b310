"""The Early Help Assessment: starting it (only with consent), saving sections, resuming a
draft, completing it, keeping it read-only, and reassessing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select

from caseapp.domain.assessment import SectionState
from caseapp.domain.casework import AssessmentStatus
from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.frameworks import Framework
from caseapp.models import Assessment, AssessmentSection, Consent, Episode
from caseapp.models.types import uk_today
from caseapp.services.assessments import (
    AssessmentCannotStart,
    AssessmentLocked,
    framework_sections,
    save_section,
    start_assessment,
)
from caseapp.services.consent import withdraw_consent
from caseapp.services.context import Actor
from tests.factories import make_team, make_user
from tests.statements import counting_statements
from tests.test_consent import Case, events, give_consent, make_case
from tests.test_family_page import sign_in

HTMX = {"HX-Request": "true"}


def framework(app: Flask) -> Framework:
    return app.extensions["caseapp.framework"]


def url(case: Case, tail: str = "") -> str:
    return f"/families/{case.family_id}/assessments{tail}"


def started(app: Flask, case: Case, children: tuple[int, ...] | None = None) -> Assessment:
    """Consent given and an EHA started, through the services."""
    if not db.session.scalar(
        select(func.count(Consent.id)).where(Consent.family_id == case.family_id)
    ):
        give_consent(case)
    page = start_assessment(
        Actor(case.lead), case.family_id, list(children or case.child_ids), framework(app)
    )
    return page.shown.assessment


def answer_everything(
    app: Flask, case: Case, assessment_id: int, children: tuple[int, ...]
) -> None:
    for member_id in children:
        for section in framework_sections(framework(app)):
            save_section(
                Actor(case.lead),
                case.family_id,
                assessment_id,
                member_id,
                section.key,
                0,
                {
                    question.key: f"{section.title}: {question.label}"
                    for question in section.questions
                },
                framework(app),
            )


def section_data(version: int, prefix: str, **answers: str) -> dict[str, object]:
    return {
        f"{prefix}-version": version,
        **{f"{prefix}-{key}": text for key, text in answers.items()},
    }


def section_url(case: Case, assessment_id: int, child: int, section: str) -> str:
    return url(case, f"/{assessment_id}/sections?child={child}&section={section}")


def episode_status(case: Case) -> EpisodeStatus:
    db.session.expire_all()
    return db.session.get(Episode, case.episode_id).status


@pytest.fixture
def case(app: Flask) -> Case:
    return make_case()


@pytest.fixture
def lead_client(app: Flask, case: Case) -> FlaskClient:
    return sign_in(app, case.lead)


# --- starting: only with consent ---------------------------------------------------------


def test_an_eha_cannot_start_without_consent(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    body = lead_client.get(url(case)).get_data(as_text=True)
    assert "Record the family&#39;s consent before starting an assessment." in body
    assert "Start the assessment" not in body
    with pytest.raises(AssessmentCannotStart, match="Record the family's consent"):
        start_assessment(Actor(case.lead), case.family_id, list(case.child_ids), framework(app))
    crafted = lead_client.post(
        url(case, "/start"), data={"children": [str(i) for i in case.child_ids]}
    )
    assert crafted.status_code == 409
    assert "Record the family&#39;s consent" in crafted.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    assert episode_status(case) is EpisodeStatus.ALLOCATED


def test_an_eha_cannot_start_while_consent_is_withdrawn(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    consent = give_consent(case, uk_today() - timedelta(days=3))
    withdraw_consent(Actor(case.lead), case.family_id, consent.id, consent.version, uk_today(), "")
    with pytest.raises(AssessmentCannotStart, match="The family withdrew consent on"):
        start_assessment(Actor(case.lead), case.family_id, list(case.child_ids), framework(app))
    response = lead_client.post(
        url(case, "/start"), data={"children": [str(i) for i in case.child_ids]}
    )
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(Assessment.id))) == 0
    # Fresh consent lets it start.
    give_consent(case)
    assert (
        lead_client.post(
            url(case, "/start"), data={"children": [str(i) for i in case.child_ids]}
        ).status_code
        == 302
    )


def test_starting_moves_the_episode_into_assessment(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    give_consent(case)
    response = lead_client.post(
        url(case, "/start"), data={"children": [str(i) for i in case.child_ids]}
    )
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert (assessment.number, assessment.status) == (1, AssessmentStatus.DRAFT)
    assert assessment.member_ids == list(case.child_ids)
    assert assessment.started_by_id == case.lead.id
    assert episode_status(case) is EpisodeStatus.ASSESSMENT
    (event,) = events(case.family_id, EventKind.ASSESSMENT_STARTED)
    assert event.summary == "Early Help Assessment (EHA 1) started for Maisie and Leo"
    (moved,) = events(case.family_id, EventKind.EPISODE_STATUS_CHANGED)
    assert moved.detail == {"from": "allocated", "to": "assessment"}
    body = lead_client.get(url(case)).get_data(as_text=True)
    assert "EHA 1 started" in body
    # Each child gets every section, the domains named as the framework in force names them.
    for domain in framework(app).domains:
        assert body.count(f">{escape(domain.name)}</h4>") == 2
    assert body.count("Reason for the request</h4>") == 2
    assert f'data-draft-key="eha-{assessment.id}-child-{case.child_ids[0]}-reason"' in body


def test_starting_with_htmx_replaces_the_assessment_in_place(
    case: Case, lead_client: FlaskClient
) -> None:
    give_consent(case)
    response = lead_client.post(
        url(case, "/start"), data={"children": [str(case.child_ids[0])]}, headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="assessment-content"')
    assert "<html" not in body
    assert "EHA 1 started" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    assert db.session.scalar(select(Assessment.member_ids)) == [case.child_ids[0]]


# "¹" passes str.isdigit() but not int(); forty nines pass int() but not the database.
@pytest.mark.parametrize("children", [[], ["999999"], ["not a number"], ["¹"], ["9" * 40]])
def test_starting_needs_children_of_the_family(
    case: Case, lead_client: FlaskClient, children: list[str]
) -> None:
    give_consent(case)
    response = lead_client.post(url(case, "/start"), data={"children": children})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Select the children this assessment is about" in body
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_only_one_draft_at_a_time(app: Flask, case: Case, lead_client: FlaskClient) -> None:
    started(app, case)
    with pytest.raises(AssessmentCannotStart, match="EHA 1 is still a draft"):
        start_assessment(Actor(case.lead), case.family_id, list(case.child_ids), framework(app))


# --- sections ----------------------------------------------------------------------------


def test_a_section_saves_on_its_own_and_the_draft_resumes(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    maisie = case.child_ids[0]
    prefix = f"c{maisie}-reason"
    response = lead_client.post(
        section_url(case, assessment.id, maisie, "reason"),
        data=section_data(0, prefix, reason="Attendance has fallen to 80%."),
    )
    assert response.status_code == 302
    assert response.location.endswith(f"/assessments/{assessment.id}#eha-{maisie}-reason")
    row = db.session.scalar(select(AssessmentSection))
    assert (row.member_id, row.section, row.version) == (maisie, "reason", 1)
    assert row.answers == {"reason": "Attendance has fallen to 80%."}
    (event,) = events(case.family_id, EventKind.ASSESSMENT_SECTION_SAVED)
    assert event.summary == "Reason for the request saved for Maisie (EHA 1)"
    assert event.member_id == maisie

    # Signing out and back in: the saved section is still there, with who saved it.
    lead_client.post("/sign-out")
    again = sign_in(app, case.lead)
    body = again.get(url(case)).get_data(as_text=True)
    assert "Attendance has fallen to 80%." in body
    assert "Saved by Priya Shah" in body
    assert "1 of 8 sections answered" in body
    assert f'name="{prefix}-version" type="hidden" value="1"' in body


def test_saving_with_htmx_swaps_only_that_section(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    leo = case.child_ids[1]
    prefix = f"c{leo}-summary"
    response = lead_client.post(
        section_url(case, assessment.id, leo, "summary"),
        data=section_data(0, prefix, working_well="Nursery every day", worries="", next_steps=""),
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<section class="app-eha-section" id="eha-{leo}-summary"')
    assert body.count("<section") == 1
    assert "Working well, worries and next steps saved for Leo" in body
    assert "Partly answered" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"


def test_saving_an_unchanged_section_writes_nothing(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    maisie = case.child_ids[0]
    data = section_data(0, f"c{maisie}-analysis", analysis="Needs are emerging.")
    lead_client.post(section_url(case, assessment.id, maisie, "analysis"), data=data)
    data = section_data(1, f"c{maisie}-analysis", analysis="Needs are emerging.")
    assert (
        lead_client.post(
            section_url(case, assessment.id, maisie, "analysis"), data=data
        ).status_code
        == 302
    )
    assert db.session.scalar(select(AssessmentSection.version)) == 1
    assert len(events(case.family_id, EventKind.ASSESSMENT_SECTION_SAVED)) == 1


def test_a_second_save_from_a_stale_page_is_a_conflict(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    maisie = case.child_ids[0]
    manager = make_user("manager", name="Ruth Mensah", team=make_team())
    prefix = f"c{maisie}-child_voice"
    target = section_url(case, assessment.id, maisie, "child_voice")
    first = sign_in(app, manager).post(
        target, data=section_data(0, prefix, child_voice="Maisie says school is boring.")
    )
    assert first.status_code == 302
    response = lead_client.post(
        target, data=section_data(0, prefix, child_voice="Maisie misses her dad."), headers=HTMX
    )
    body = response.get_data(as_text=True)
    assert "Nothing was saved" in body
    assert "Ruth Mensah saved this section at " in body
    assert "What Ruth Mensah saved" in body
    assert "Maisie says school is boring." in body
    # The person's own text is kept in the box, with the version now saved.
    assert "Maisie misses her dad." in body
    assert f'name="{prefix}-version" type="hidden" value="1"' in body
    row = db.session.scalar(select(AssessmentSection))
    assert row.answers == {"child_voice": "Maisie says school is boring."}
    assert len(events(case.family_id, EventKind.ASSESSMENT_SECTION_SAVED)) == 1


def test_an_overlong_answer_is_refused_on_the_form(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    maisie = case.child_ids[0]
    data = section_data(0, f"c{maisie}-reason", reason="x" * 10_001)
    response = lead_client.post(section_url(case, assessment.id, maisie, "reason"), data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Why does this child need early help now must be 10,000 characters or fewer" in body
    assert "<title>Error: Early Help Assessment" in body
    assert db.session.scalar(select(func.count(AssessmentSection.id))) == 0


@pytest.mark.parametrize(
    ("child", "section", "status"),
    [
        ("included", "nonsense", 400),
        ("abc", "reason", 400),
        # The second child is in the family, but not in this assessment.
        ("left out", "reason", 404),
    ],
)
def test_a_section_that_is_not_in_the_assessment_is_refused(
    app: Flask, case: Case, lead_client: FlaskClient, child: str, section: str, status: int
) -> None:
    assessment = started(app, case, (case.child_ids[0],))
    member = {"included": str(case.child_ids[0]), "left out": str(case.child_ids[1])}
    target = url(
        case, f"/{assessment.id}/sections?child={member.get(child, child)}&section={section}"
    )
    response = lead_client.post(target, data={f"c{member.get(child, child)}-{section}-version": 0})
    assert response.status_code == status
    assert db.session.scalar(select(func.count(AssessmentSection.id))) == 0


# --- completing --------------------------------------------------------------------------


def test_completing_shows_exactly_what_is_missing(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    answer_everything(app, case, assessment.id, (case.child_ids[0],))
    leo = case.child_ids[1]
    save_section(
        Actor(case.lead),
        case.family_id,
        assessment.id,
        leo,
        "summary",
        0,
        {"working_well": "Nursery", "worries": "", "next_steps": ""},
        framework(app),
    )
    response = lead_client.post(url(case, f"/{assessment.id}/complete"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "You cannot complete the assessment yet" in body
    links = re.findall(r'<a href="#(c\d+-[a-z_]+-[a-z_]+)">([^<]+)</a>', body)
    assert len(links) == 8
    assert all(link.startswith(f"c{leo}-") for link, _ in links)
    assert (f"c{leo}-reason-reason", "Leo: answer ‘Reason for the request’") in links
    assert (
        f"c{leo}-summary-worries",
        "Leo: in ‘Working well, worries and next steps’, answer ‘What are we worried about?’ "
        "and ‘What needs to happen?’",
    ) in [(link, text.replace("&#39;", "'")) for link, text in links]
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.DRAFT


def test_completing_records_who_and_when_and_starts_the_plan(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    answer_everything(app, case, assessment.id, case.child_ids)
    response = lead_client.post(url(case, f"/{assessment.id}/complete"), headers=HTMX)
    body = response.get_data(as_text=True)
    assert "EHA 1 completed" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    db.session.expire_all()
    done = db.session.get(Assessment, assessment.id)
    assert done.status is AssessmentStatus.COMPLETED
    assert done.completed_by_id == case.lead.id
    assert done.completed_at is not None
    assert episode_status(case) is EpisodeStatus.PLAN_ACTIVE
    (event,) = events(case.family_id, EventKind.ASSESSMENT_COMPLETED)
    assert event.summary == "EHA 1 completed for Maisie and Leo"
    moves = [e.detail["to"] for e in events(case.family_id, EventKind.EPISODE_STATUS_CHANGED)]
    assert moves == ["assessment", "plan_active"]


def test_completing_needs_consent_in_place(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    assessment = started(app, case)
    answer_everything(app, case, assessment.id, case.child_ids)
    consent = give_consent(case)
    withdraw_consent(Actor(case.lead), case.family_id, consent.id, consent.version, uk_today(), "")
    body = lead_client.post(url(case, f"/{assessment.id}/complete")).get_data(as_text=True)
    assert "The family&#39;s consent is not in place" in body
    db.session.expire_all()
    assert db.session.get(Assessment, assessment.id).status is AssessmentStatus.DRAFT


def test_a_completed_eha_cannot_be_edited(app: Flask, case: Case, lead_client: FlaskClient) -> None:
    assessment = started(app, case)
    answer_everything(app, case, assessment.id, case.child_ids)
    lead_client.post(url(case, f"/{assessment.id}/complete"))
    maisie = case.child_ids[0]

    # The service refuses.
    with pytest.raises(AssessmentLocked):
        save_section(
            Actor(case.lead),
            case.family_id,
            assessment.id,
            maisie,
            "reason",
            1,
            {"reason": "Changed afterwards"},
            framework(app),
        )
    # The page is read-only: no form in any section, the answers as text.
    body = lead_client.get(url(case, f"/{assessment.id}")).get_data(as_text=True)
    assert 'class="app-eha-section"' in body
    assert "/sections?" not in body
    assert "Complete EHA" not in body
    assert "A completed assessment cannot be changed" in body
    # A crafted POST is refused, with and without htmx, and nothing changes.
    data = section_data(1, f"c{maisie}-reason", reason="Changed afterwards")
    target = section_url(case, assessment.id, maisie, "reason")
    crafted = lead_client.post(target, data=data)
    assert crafted.status_code == 409
    assert "Priya Shah completed EHA 1" in crafted.get_data(as_text=True)
    with_htmx = lead_client.post(target, data=data, headers=HTMX)
    assert "Nothing was saved" in with_htmx.get_data(as_text=True)
    assert "HX-Trigger" not in with_htmx.headers
    again = lead_client.post(url(case, f"/{assessment.id}/complete"))
    assert again.status_code == 409
    db.session.expire_all()
    row = db.session.scalar(
        select(AssessmentSection).where(
            AssessmentSection.member_id == maisie, AssessmentSection.section == "reason"
        )
    )
    assert row.answers == {
        "reason": "Reason for the request: Why does this child need early help now?"
    }
    assert len(events(case.family_id, EventKind.ASSESSMENT_COMPLETED)) == 1


def test_a_reassessment_keeps_the_earlier_version(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    first = started(app, case)
    answer_everything(app, case, first.id, case.child_ids)
    lead_client.post(url(case, f"/{first.id}/complete"))
    response = lead_client.post(url(case, "/start"), data={"children": [str(case.child_ids[0])]})
    assert response.status_code == 302
    second = db.session.scalar(select(Assessment).where(Assessment.number == 2))
    assert second.status is AssessmentStatus.DRAFT
    assert second.member_ids == [case.child_ids[0]]
    # A reassessment during the plan leaves the plan running.
    assert episode_status(case) is EpisodeStatus.PLAN_ACTIVE
    (restarted,) = events(case.family_id, EventKind.ASSESSMENT_STARTED)[1:]
    assert restarted.summary == "Reassessment (EHA 2) started for Maisie"

    newest = lead_client.get(url(case)).get_data(as_text=True)
    assert "Early Help Assessment 2" in newest
    assert "All versions" in newest
    assert f'href="/families/{case.family_id}/assessments/{first.id}">EHA 1</a>' in newest
    earlier = lead_client.get(url(case, f"/{first.id}")).get_data(as_text=True)
    assert "This is an earlier version, kept as it was." in earlier
    assert "Reason for the request: Why does this child need early help now?" in earlier
    assert earlier.count("sections answered") == 2
    db.session.expire_all()
    assert db.session.get(Assessment, first.id).status is AssessmentStatus.COMPLETED
    assert (
        db.session.scalar(
            select(func.count(AssessmentSection.id)).where(
                AssessmentSection.assessment_id == first.id
            )
        )
        == 16
    )


# --- who may see and change it -----------------------------------------------------------


def test_the_coordinator_who_allocated_reads_but_cannot_change(app: Flask, case: Case) -> None:
    assessment = started(app, case)
    client = sign_in(app, case.coordinator)
    body = client.get(url(case)).get_data(as_text=True)
    assert "Early Help Assessment 1" in body
    assert "You can read this assessment" in body
    assert "/sections?" not in body
    maisie = case.child_ids[0]
    data = section_data(0, f"c{maisie}-reason", reason="Mine")
    assert (
        client.post(section_url(case, assessment.id, maisie, "reason"), data=data).status_code
        == 403
    )
    assert client.post(url(case, f"/{assessment.id}/complete")).status_code == 403
    assert (
        client.post(
            url(case, "/start"), data={"children": [str(i) for i in case.child_ids]}
        ).status_code
        == 403
    )


def test_other_families_assessments_are_not_found(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    other = make_case("Other", lead=make_user("lead_worker"))
    give_consent(other)
    theirs = start_assessment(
        Actor(other.lead), other.family_id, list(other.child_ids), framework(app)
    ).shown.assessment
    assert lead_client.get(url(other)).status_code == 404
    # Their assessment under our family's address is no more visible.
    assert lead_client.get(url(case, f"/{theirs.id}")).status_code == 404
    maisie = case.child_ids[0]
    data = section_data(0, f"c{maisie}-reason", reason="x")
    assert (
        lead_client.post(section_url(case, theirs.id, maisie, "reason"), data=data).status_code
        == 404
    )


def test_section_states(app: Flask, case: Case) -> None:
    assessment = started(app, case)
    maisie = case.child_ids[0]
    page = save_section(
        Actor(case.lead),
        case.family_id,
        assessment.id,
        maisie,
        "summary",
        0,
        {"working_well": "Lots", "worries": "", "next_steps": ""},
        framework(app),
    )
    sections = {section.key: section for section in page.shown.sections}
    assert page.shown.state(maisie, sections["summary"]) is SectionState.PARTLY_ANSWERED
    assert page.shown.state(maisie, sections["reason"]) is SectionState.NOT_STARTED


# --- cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "/{id}"])
def test_the_pages_cost_the_same_statements_however_big_the_assessment(
    app: Flask, path: str
) -> None:
    counts = []
    for size, family_name in ((1, "Small"), (2, "Large")):
        case = make_case(family_name, lead=make_user("lead_worker"))
        children = case.child_ids[:size]
        assessment = started(app, case, children)
        if size == 2:
            answer_everything(app, case, assessment.id, children)
            for _ in range(3):
                give_consent(case)
        client = sign_in(app, case.lead)
        with counting_statements() as statements:
            response = client.get(url(case, path.format(id=assessment.id)))
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15


def test_each_change_costs_at_most_fifteen_statements(app: Flask, case: Case) -> None:
    give_consent(case)
    client = sign_in(app, case.lead)
    maisie = case.child_ids[0]
    with counting_statements() as starting:
        client.post(url(case, "/start"), data={"children": [str(maisie)]}, headers=HTMX)
    assessment_id = db.session.scalar(select(Assessment.id))
    answer_everything(app, case, assessment_id, (maisie,))
    save_url = section_url(case, assessment_id, maisie, "reason")
    complete_url = url(case, f"/{assessment_id}/complete")
    with counting_statements() as saving:
        response = client.post(
            save_url,
            data=section_data(1, f"c{maisie}-reason", reason="Changed"),
            headers=HTMX,
        )
    assert "Reason for the request saved for Maisie" in response.get_data(as_text=True)
    with counting_statements() as completing:
        response = client.post(complete_url, headers=HTMX)
    assert "EHA 1 completed" in response.get_data(as_text=True)
    assert max(len(starting), len(saving), len(completing)) <= 15
