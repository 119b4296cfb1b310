"""Hostile and random input to the case note form and the chronology's filters: never a
server error, never script echoed back; and, for any filter at all, the database returns
exactly the events the domain's rule admits, in order."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from caseapp.domain.chronology import ChronologyFilter, ChronologyOrder
from caseapp.domain.timeline import EventCategory
from caseapp.models.types import uk_today
from caseapp.services.chronology import view_chronology
from caseapp.services.context import Actor
from tests.test_case_notes import led_family, note_form
from tests.test_case_notes import sign_in as sign_in_to_notes
from tests.test_chronology import expected, family_with_events, sign_in
from tests.test_form_fuzzing import _check, _hostile_form, _run, fuzz, text_values


def test_case_note_form(app: Flask) -> None:
    case = led_family()
    client = sign_in_to_notes(app, case.lead)
    address = f"/families/{case.family_id}/notes"
    fields = ["contact_on", "contact_type", "seen", "others_seen", "text"]
    base = note_form(case)

    def send(data: dict[str, Any]) -> Any:
        return client.post(address, data=data, headers={"HX-Request": "true"})

    _run(app, send, _hostile_form(base, fields))


def test_a_date_typed_into_three_boxes(app: Flask) -> None:
    case = led_family()
    client = sign_in_to_notes(app, case.lead)
    address = f"/families/{case.family_id}/notes"
    boxes = st.lists(text_values, min_size=0, max_size=5)
    _run(
        app,
        lambda data: client.post(address, data=note_form(case, contact_on=data)),
        boxes,
    )


def test_chronology_filters(app: Flask) -> None:
    case = family_with_events(12)
    client = sign_in(app, case.lead)
    parameters = ["category", "child", "child_only", "date_from", "date_to", "order", "after"]
    strategy = st.fixed_dictionaries(
        {name: st.lists(text_values, max_size=3) for name in parameters}
    )
    base = f"/families/{case.family_id}/chronology"

    def send(query: dict[str, Any]) -> Any:
        for path in ("", "/print", "/export.csv"):
            response = client.get(base + path, query_string=query, buffered=True)
            _check(response)
        return client.get(base, query_string=query, headers={"HX-Request": "true"})

    _run(app, send, strategy)


def test_the_database_admits_exactly_what_the_rule_admits(app: Flask) -> None:
    case = family_with_events(30)
    lead = Actor(case.lead)
    today = uk_today()
    days = st.one_of(st.none(), st.integers(0, 35).map(lambda back: today - timedelta(days=back)))
    filters = st.builds(
        ChronologyFilter,
        categories=st.frozensets(st.sampled_from(list(EventCategory))),
        member_id=st.sampled_from([None, case.maisie, case.leo]),
        child_only=st.booleans(),
        date_from=days,
        date_to=days,
        order=st.sampled_from(list(ChronologyOrder)),
    ).filter(
        lambda chosen: (
            not (chosen.date_from and chosen.date_to and chosen.date_from > chosen.date_to)
        )
    )

    @fuzz
    @given(chosen=filters)
    def the_same(chosen: ChronologyFilter) -> None:
        view = view_chronology(lead, case.family_id, chosen, None, page_size=1000)
        assert view.page is not None, view.problems
        assert [entry.summary for entry in view.page.entries] == expected(case.family_id, chosen)
        assert view.page.total == len(view.page.entries)

    the_same()
