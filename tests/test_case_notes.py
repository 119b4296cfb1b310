"""Case notes: adding a contact or visit, who may, and the notes page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from caseapp.domain.episodes import EpisodeStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import AuditEvent, CaseNote, FamilyMember, TimelineEvent, User
from caseapp.models.types import uk_today
from caseapp.services.case_notes import NOTES_PAGE_SIZE
from tests.factories import DEMO_TEST_PASSWORD, make_episode, make_family, make_team, make_user
from tests.statements import counting_statements

HTMX = {"HX-Request": "true"}


@dataclass(frozen=True)
class Case:
    family_id: int
    episode_id: int
    lead: User
    children: list[FamilyMember]
    parent: FamilyMember


def sign_in(app: Flask, user: User) -> FlaskClient:
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": DEMO_TEST_PASSWORD})
    assert response.status_code == 302
    return client


def led_family(
    status: EpisodeStatus = EpisodeStatus.PLAN_ACTIVE, family_name: str = "Turner"
) -> Case:
    coordinator = make_user("hub_coordinator")
    lead = make_user("lead_worker", team=make_team())
    family = make_family(
        ("Maisie", date(2018, 5, 3)),
        ("Leo", date(2021, 2, 10)),
        family_name=family_name,
        actor_user=coordinator,
    )
    episode = make_episode(
        family, status, lead_worker=lead, team=make_team(), actor_user=coordinator
    )
    members = list(
        db.session.scalars(
            select(FamilyMember)
            .where(FamilyMember.family_id == family.id)
            .order_by(FamilyMember.id)
        )
    )
    return Case(
        family_id=family.id,
        episode_id=episode.id,
        lead=lead,
        children=[member for member in members if member.is_child],
        parent=next(member for member in members if not member.is_child),
    )


def note_form(case: Case, **changes: object) -> dict[str, object]:
    day = uk_today() - timedelta(days=2)
    form: dict[str, object] = {
        "contact_on": [str(day.day), str(day.month), str(day.year)],
        "contact_type": "home_visit",
        "seen": [str(case.children[0].id), str(case.parent.id)],
        "others_seen": "",
        "text": "Saw Maisie and her mum at home.\nMaisie is going to school every day now.",
    }
    form.update(changes)
    return form


def notes_of(family_id: int) -> list[CaseNote]:
    return list(db.session.scalars(select(CaseNote).where(CaseNote.family_id == family_id)))


def note_events(family_id: int) -> list[TimelineEvent]:
    return list(
        db.session.scalars(
            select(TimelineEvent).where(
                TimelineEvent.family_id == family_id,
                TimelineEvent.kind == EventKind.CASE_NOTE_ADDED.value,
            )
        )
    )


# --- adding a note ----------------------------------------------------------------------------


def test_a_lead_worker_adds_a_note_and_it_is_in_the_chronology_and_the_audit(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    response = client.post(f"/families/{case.family_id}/notes", data=note_form(case))
    assert response.status_code == 302
    assert response.location.endswith(f"/families/{case.family_id}/notes")

    [note] = notes_of(case.family_id)
    assert note.contact_on == uk_today() - timedelta(days=2)
    assert note.seen_member_ids == [case.children[0].id, case.parent.id]
    assert note.episode_id == case.episode_id
    assert note.recorded_by_id == case.lead.id
    [event] = note_events(case.family_id)
    day = note.contact_on
    assert event.summary == (
        f"Home visit on {day.day} {day:%B %Y}. Seen: Maisie Turner, Pat Turner. "
        "Saw Maisie and her mum at home. Maisie is going to school every day now."
    )
    # Only one child was seen, so filtering the chronology by her finds the note.
    assert event.member_id == case.children[0].id
    assert event.actor_id == case.lead.id
    assert event.detail == {"case_note_id": note.id, "contact_type": "home_visit"}
    audit = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "create", AuditEvent.object_type == "case_note"
        )
    )
    assert audit is not None and audit.object_id == note.id and audit.family_id == case.family_id

    page = client.get(response.location).get_data(as_text=True)
    assert "Note saved" in page
    assert "Maisie is going to school every day now." in page


def test_a_note_seeing_several_children_or_none_is_about_the_whole_family(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    both = [str(child.id) for child in case.children]
    client.post(f"/families/{case.family_id}/notes", data=note_form(case, seen=both))
    client.post(
        f"/families/{case.family_id}/notes",
        data=note_form(case, seen=[], contact_type="phone_call", others_seen="Mrs Hollis"),
    )
    events = sorted(note_events(case.family_id), key=lambda event: event.id)
    assert [event.member_id for event in events] == [None, None]
    assert "Seen: Mrs Hollis." in events[1].summary


def test_adding_a_note_with_htmx_answers_the_list_with_the_new_note_first(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    client.post(f"/families/{case.family_id}/notes", data=note_form(case, text="First visit"))
    day = uk_today()
    response = client.post(
        f"/families/{case.family_id}/notes",
        data=note_form(
            case, text="Second visit", contact_on=[str(day.day), str(day.month), str(day.year)]
        ),
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "timeline-changed"
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert 'role="status"' in body and "Note saved" in body
    assert body.index("Second visit") < body.index("First visit")
    # The form comes back empty, ready for the next note.
    assert f'data-draft-key="case-note-{case.family_id}"' in body
    assert "Second visit</textarea>" not in body


def test_a_note_with_problems_saves_nothing_and_says_what_to_fix(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    tomorrow = uk_today() + timedelta(days=1)
    response = client.post(
        f"/families/{case.family_id}/notes",
        data=note_form(
            case,
            contact_on=[str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)],
            contact_type="",
            text="   ",
        ),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<title>Error: Case notes" in body
    assert "The date of the contact must be today or in the past" in body
    assert "Choose the type of contact" in body
    assert "Enter what happened" in body
    assert notes_of(case.family_id) == []
    assert note_events(case.family_id) == []


def test_an_htmx_note_with_problems_comes_back_with_its_errors_and_text(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    response = client.post(
        f"/families/{case.family_id}/notes",
        data=note_form(case, contact_on=["3", "", ""], text="Keep what I typed"),
        headers=HTMX,
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert "HX-Trigger" not in response.headers
    assert "govuk-error-summary" in body
    assert "The date of the contact must include a month and year" in body
    assert "Keep what I typed</textarea>" in body


def test_someone_from_another_family_cannot_be_recorded_as_seen(app: Flask) -> None:
    case = led_family()
    other = led_family(family_name="Other")
    client = sign_in(app, case.lead)
    response = client.post(
        f"/families/{case.family_id}/notes", data=note_form(case, seen=[str(other.children[0].id)])
    )
    assert response.status_code == 200
    assert "Choose the people seen from the list" in response.get_data(as_text=True)
    assert notes_of(case.family_id) == []
    assert note_events(case.family_id) == []


# --- who may add and read notes ---------------------------------------------------------------


def test_the_hub_may_read_notes_but_not_add_one(app: Flask) -> None:
    case = led_family(status=EpisodeStatus.AWAITING_ALLOCATION)
    lead_client = sign_in(app, case.lead)
    lead_client.post(f"/families/{case.family_id}/notes", data=note_form(case, text="A visit"))
    hub = sign_in(app, make_user("hub_coordinator"))
    page = hub.get(f"/families/{case.family_id}/notes")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "A visit" in body
    assert "Only the family's lead worker, or a manager of their team, can add one." in body
    assert "Save note" not in body
    response = hub.post(f"/families/{case.family_id}/notes", data=note_form(case))
    assert response.status_code == 403
    assert len(notes_of(case.family_id)) == 1


def test_a_lead_worker_of_another_family_gets_not_found(app: Flask) -> None:
    case = led_family()
    stranger = sign_in(app, make_user("lead_worker"))
    assert stranger.get(f"/families/{case.family_id}/notes").status_code == 404
    response = stranger.post(f"/families/{case.family_id}/notes", data=note_form(case))
    assert response.status_code == 404
    assert notes_of(case.family_id) == []


def test_a_manager_covers_for_the_lead_worker(app: Flask) -> None:
    case = led_family()
    manager = make_user("manager", team=make_team())
    client = sign_in(app, manager)
    response = client.post(f"/families/{case.family_id}/notes", data=note_form(case))
    assert response.status_code == 302
    [note] = notes_of(case.family_id)
    assert note.recorded_by_id == manager.id


def test_a_closed_episode_takes_no_new_notes(app: Flask) -> None:
    case = led_family(status=EpisodeStatus.CLOSED)
    manager = sign_in(app, make_user("manager", team=make_team()))
    page = manager.get(f"/families/{case.family_id}/notes").get_data(as_text=True)
    assert "The family has no open episode, so notes cannot be added." in page
    response = manager.post(f"/families/{case.family_id}/notes", data=note_form(case))
    assert response.status_code == 200
    assert "a note cannot be added" in response.get_data(as_text=True)
    assert notes_of(case.family_id) == []


# --- the list ---------------------------------------------------------------------------------


def add_notes(case: Case, count: int) -> None:
    start = uk_today() - timedelta(days=count)
    for number in range(count):
        db.session.add(
            CaseNote(
                family_id=case.family_id,
                episode_id=case.episode_id,
                contact_on=start + timedelta(days=number),
                contact_type="phone_call",
                seen_member_ids=[case.children[number % 2].id],
                text=f"Note number {number:03d}",
                recorded_by_id=case.lead.id,
            )
        )
    db.session.commit()


def shown_notes(body: str) -> list[str]:
    return re.findall(r"Note number (\d{3})", body)


def test_notes_are_listed_newest_contact_first_a_page_at_a_time(app: Flask) -> None:
    case = led_family()
    add_notes(case, NOTES_PAGE_SIZE + 3)
    client = sign_in(app, case.lead)
    first = client.get(f"/families/{case.family_id}/notes").get_data(as_text=True)
    newest = [f"{n:03d}" for n in range(NOTES_PAGE_SIZE + 2, -1, -1)]
    assert shown_notes(first) == newest[:NOTES_PAGE_SIZE]
    assert "Older notes" in first
    second = client.get(f"/families/{case.family_id}/notes?page=2").get_data(as_text=True)
    assert shown_notes(second) == newest[NOTES_PAGE_SIZE:]
    # The form is for the newest notes' page only.
    assert "Save note" not in second
    assert client.get(f"/families/{case.family_id}/notes?page=x").status_code == 200


def test_reading_notes_is_audited(app: Flask) -> None:
    case = led_family()
    client = sign_in(app, case.lead)
    client.get(f"/families/{case.family_id}/notes")
    viewed = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "view",
            AuditEvent.object_type == "case_notes",
            AuditEvent.family_id == case.family_id,
        )
    )
    assert viewed == 1


def test_the_notes_page_costs_the_same_queries_however_many_notes(app: Flask) -> None:
    small, large = led_family(family_name="Small"), led_family(family_name="Large")
    add_notes(small, 2)
    add_notes(large, NOTES_PAGE_SIZE * 2)
    pages = [
        (sign_in(app, case.lead), f"/families/{case.family_id}/notes") for case in (small, large)
    ]
    counts = []
    for client, url in pages:
        db.session.close()
        with counting_statements() as statements:
            assert client.get(url).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]
    assert counts[0] <= 15
