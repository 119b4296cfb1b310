"""Recording consent and its withdrawal: the page, the forms, the chronology and the audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.casework import ConsentGiver, ConsentMethod
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import AuditEvent, Consent, FamilyMember, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.consent import ConsentDetails, record_consent
from caseapp.services.context import Actor
from tests.factories import make_team, make_user
from tests.statements import counting_statements
from tests.test_family_page import allocated_family, sign_in

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Case:
    family_id: int
    episode_id: int
    lead: User
    coordinator: User
    parent_id: int
    child_ids: tuple[int, ...]

    @property
    def url(self) -> str:
        return f"/families/{self.family_id}/consent"


def make_case(family_name: str = "Turner", lead: User | None = None) -> Case:
    """A family of two children and a mother, allocated to a lead worker."""
    coordinator = make_user("hub_coordinator", name="Tom Okafor")
    lead = lead or make_user("lead_worker", name="Priya Shah", team=make_team())
    family, episode = allocated_family(
        coordinator,
        lead,
        children=(("Maisie", date(2018, 5, 3)), ("Leo", date(2021, 2, 10))),
        family_name=family_name,
    )
    members = db.session.scalars(
        select(FamilyMember).where(FamilyMember.family_id == family.id).order_by(FamilyMember.id)
    ).all()
    return Case(
        family_id=family.id,
        episode_id=episode.id,
        lead=lead,
        coordinator=coordinator,
        parent_id=next(m.id for m in members if not m.is_child),
        child_ids=tuple(m.id for m in members if m.is_child),
    )


def consent_data(case: Case, **changes: object) -> dict[str, object]:
    today = uk_today()
    data: dict[str, object] = {
        "given_by": str(case.parent_id),
        "given_by_role": "parent",
        "method": "signed_form",
        "given_on": [str(today.day), str(today.month), str(today.year)],
        "share_with": ["School or nursery", "GP"],
        "share_with_other": "Oakfield Food Bank\n",
        "not_to_share": "Nothing about Pat's health to the school.",
    }
    data.update(changes)
    return data


def give_consent(case: Case, given_on: date | None = None) -> Consent:
    record_consent(
        Actor(case.lead),
        case.family_id,
        ConsentDetails(
            given_by_name="",
            given_by_member_id=case.parent_id,
            given_by_role=ConsentGiver.PARENT,
            method=ConsentMethod.SIGNED_FORM,
            given_on=given_on or uk_today(),
            share_with=("School or nursery",),
        ),
    )
    return db.session.scalars(
        select(Consent).where(Consent.family_id == case.family_id).order_by(Consent.id.desc())
    ).first()


def events(family_id: int, kind: EventKind) -> list[TimelineEvent]:
    return list(
        db.session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.family_id == family_id, TimelineEvent.kind == kind)
            .order_by(TimelineEvent.id)
        )
    )


@pytest.fixture
def case(app: Flask) -> Case:
    return make_case()


@pytest.fixture
def lead_client(app: Flask, case: Case) -> FlaskClient:
    return sign_in(app, case.lead)


# --- the page ----------------------------------------------------------------------------


def test_the_page_says_no_consent_and_offers_the_form(case: Case, lead_client: FlaskClient) -> None:
    body = lead_client.get(case.url).get_data(as_text=True)
    assert "No consent has been recorded for this episode" in body
    assert "Record consent" in body
    assert 'aria-current="page">Consent<' in body
    viewed = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "view", AuditEvent.object_type == "consent"
        )
    )
    assert viewed == 1


def test_recording_consent_without_javascript(case: Case, lead_client: FlaskClient) -> None:
    response = lead_client.post(f"{case.url}/record", data=consent_data(case))
    assert response.status_code == 302
    assert response.location.endswith(case.url)
    consent = db.session.scalar(select(Consent))
    assert consent.episode_id == case.episode_id
    assert consent.given_by_member_id == case.parent_id
    assert consent.given_by_name == "Pat Turner"
    assert consent.given_by_role is ConsentGiver.PARENT
    assert consent.share_with == ["School or nursery", "GP", "Oakfield Food Bank"]
    assert consent.not_to_share == "Nothing about Pat's health to the school."
    assert consent.given_on == uk_today()
    assert consent.recorded_by_id == case.lead.id
    (event,) = events(case.family_id, EventKind.CONSENT_RECORDED)
    assert event.summary.startswith("Consent given by Pat Turner (parent), signed consent form")
    assert "may share with School or nursery, GP, Oakfield Food Bank" in event.summary
    # What the family asked to keep back stays on the consent page, not in the chronology.
    assert "health" not in event.summary
    assert db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "create", AuditEvent.object_type == "consent"
        )
    )
    body = lead_client.get(case.url).get_data(as_text=True)
    assert "Consent recorded" in body
    assert "Consent in place" in body
    assert "Oakfield Food Bank" in body


def test_recording_consent_with_htmx_answers_with_the_section(
    case: Case, lead_client: FlaskClient
) -> None:
    response = lead_client.post(f"{case.url}/record", data=consent_data(case), headers=HTMX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="consent-content"')
    assert 'role="status"' in body and "Consent recorded" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"


def test_someone_not_on_the_record_can_give_consent(case: Case, lead_client: FlaskClient) -> None:
    data = consent_data(case, given_by="other", given_by_name="Sam Carter", given_by_role="carer")
    assert lead_client.post(f"{case.url}/record", data=data).status_code == 302
    consent = db.session.scalar(select(Consent))
    assert (consent.given_by_member_id, consent.given_by_name) == (None, "Sam Carter")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_by": ""}, "Select who gave consent"),
        ({"given_by": "other", "given_by_name": " "}, "Select who gave consent, or enter their"),
        ({"given_by_role": ""}, "Select whether they are a parent, a carer or the young person"),
        ({"given_by_role": "neighbour"}, "Select whether they are a parent, a carer or the young"),
        ({"method": "carrier pigeon"}, "Select how consent was given"),
        ({"given_on": ["", "", ""]}, "Enter the date consent was given"),
        ({"given_on": ["31", "2", "2026"]}, "The date consent was given must be a real date"),
        ({"given_on": ["1", "1", "2999"]}, "The date consent was given must be today or earlier"),
        ({"not_to_share": "x" * 5001}, "This must be 5,000 characters or fewer"),
    ],
)
def test_a_consent_with_problems_is_not_saved(
    case: Case, lead_client: FlaskClient, changes: dict[str, object], message: str
) -> None:
    response = lead_client.post(f"{case.url}/record", data=consent_data(case, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in body
    assert message in body
    assert "<title>Error: Consent" in body
    assert db.session.scalar(select(func.count(Consent.id))) == 0


def test_an_empty_consent_form_shows_every_problem_at_once(
    case: Case, lead_client: FlaskClient
) -> None:
    body = lead_client.post(f"{case.url}/record", data={}).get_data(as_text=True)
    for message in (
        "Select who gave consent, or enter their name",
        "Select whether they are a parent, a carer or the young person",
        "Select how consent was given",
        "Enter the date consent was given",
    ):
        assert body.count(message) == 2  # in the summary and beside its question
    assert 'href="#given_on-day"' in body


def test_a_member_of_another_family_cannot_be_named(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    other = make_case("Other")
    response = lead_client.post(
        f"{case.url}/record", data=consent_data(case, given_by=str(other.parent_id))
    )
    assert "Select who gave consent from the list" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Consent.id))) == 0


# --- withdrawal --------------------------------------------------------------------------


def withdraw_data(consent: Consent, withdrawn_on: date, note: str = "") -> dict[str, object]:
    return {
        "withdraw-consent_id": consent.id,
        "withdraw-version": consent.version,
        "withdraw-withdrawn_on": [
            str(withdrawn_on.day),
            str(withdrawn_on.month),
            str(withdrawn_on.year),
        ],
        "withdraw-withdrawal_note": note,
    }


def test_withdrawal_is_recorded_on_the_consent_and_shown_prominently(
    case: Case, lead_client: FlaskClient
) -> None:
    consent = give_consent(case, uk_today() - timedelta(days=10))
    data = withdraw_data(consent, uk_today(), "They no longer want support.")
    response = lead_client.post(f"{case.url}/withdraw", data=data, headers=HTMX)
    body = response.get_data(as_text=True)
    assert "Withdrawal of consent recorded" in body
    assert response.headers["HX-Trigger"] == "timeline-changed"
    db.session.expire_all()
    consent = db.session.get(Consent, consent.id)
    assert consent.withdrawn_on == uk_today()
    assert consent.withdrawal_note == "They no longer want support."
    assert consent.withdrawal_recorded_by_id == case.lead.id
    (event,) = events(case.family_id, EventKind.CONSENT_WITHDRAWN)
    assert event.summary.startswith("Consent withdrawn on ")
    page = lead_client.get(case.url).get_data(as_text=True)
    # The frame's warning on every section, and the consent page's own.
    assert 'aria-label="Consent withdrawn"' in page
    assert "Consent was withdrawn on" in page
    assert "Record fresh consent" in page
    assert "They no longer want support." in page


@pytest.mark.parametrize("consent_id", ["9" * 40, "¹", "0"])
def test_a_withdrawal_naming_no_possible_consent_is_refused(
    case: Case, lead_client: FlaskClient, consent_id: str
) -> None:
    consent = give_consent(case)
    data = {**withdraw_data(consent, uk_today()), "withdraw-consent_id": consent_id}
    assert lead_client.post(f"{case.url}/withdraw", data=data).status_code == 400
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_a_second_withdrawal_from_the_same_page_is_a_conflict(
    app: Flask, case: Case, lead_client: FlaskClient
) -> None:
    consent = give_consent(case)
    manager = make_user("manager", name="Ruth Mensah", team=make_team())
    stale = withdraw_data(consent, uk_today())
    assert sign_in(app, manager).post(f"{case.url}/withdraw", data=stale).status_code == 302
    response = lead_client.post(
        f"{case.url}/withdraw", data={**stale, "withdraw-withdrawal_note": "mine"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Nothing was saved" in body
    assert "Ruth Mensah recorded the withdrawal of this consent at " in body
    db.session.expire_all()
    saved = db.session.get(Consent, consent.id)
    assert saved.withdrawal_recorded_by_id == manager.id
    assert saved.withdrawal_note == ""
    assert len(events(case.family_id, EventKind.CONSENT_WITHDRAWN)) == 1


@pytest.mark.parametrize(
    ("days_after_given", "message"),
    [
        (-1, "must be on or after the date it was given"),
        (30, "must be today or earlier"),
    ],
)
def test_withdrawal_dates_are_checked(
    case: Case, lead_client: FlaskClient, days_after_given: int, message: str
) -> None:
    consent = give_consent(case, uk_today() - timedelta(days=5))
    data = withdraw_data(consent, consent.given_on + timedelta(days=days_after_given))
    body = lead_client.post(f"{case.url}/withdraw", data=data).get_data(as_text=True)
    assert message in body
    db.session.expire_all()
    assert db.session.get(Consent, consent.id).withdrawn_on is None


def test_a_withdrawal_without_its_version_is_refused(case: Case, lead_client: FlaskClient) -> None:
    consent = give_consent(case)
    data = withdraw_data(consent, uk_today())
    del data["withdraw-version"]
    assert lead_client.post(f"{case.url}/withdraw", data=data).status_code == 400


# --- who may do what ---------------------------------------------------------------------


def test_the_coordinator_who_allocated_reads_but_cannot_record(app: Flask, case: Case) -> None:
    give_consent(case)
    client = sign_in(app, case.coordinator)
    body = client.get(case.url).get_data(as_text=True)
    assert "Consent in place" in body
    assert "You can read this record" in body
    assert "Record new consent" not in body
    assert client.post(f"{case.url}/record", data=consent_data(case)).status_code == 403
    assert db.session.scalar(select(func.count(Consent.id))) == 1


def test_another_lead_worker_gets_not_found(app: Flask, case: Case) -> None:
    stranger = sign_in(app, make_user("lead_worker"))
    assert stranger.get(case.url).status_code == 404
    assert stranger.post(f"{case.url}/record", data=consent_data(case)).status_code == 404


def test_the_page_costs_the_same_statements_however_many_consents(app: Flask) -> None:
    case = make_case()
    client = sign_in(app, case.lead)
    counts = []
    for extra in (1, 6):
        for _ in range(extra):
            give_consent(case)
        with counting_statements() as statements:
            assert client.get(case.url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15
