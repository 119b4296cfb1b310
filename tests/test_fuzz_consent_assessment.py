"""Hostile and random input to the consent and EHA forms: never a server error, never
script echoed back unescaped, with and without htmx."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from hypothesis import strategies as st

from caseapp.models import Consent
from tests.test_assessments import started
from tests.test_consent import Case, consent_data, give_consent, make_case
from tests.test_family_page import sign_in
from tests.test_form_fuzzing import _hostile_form, _run, text_values

HTMX = {"HX-Request": "true"}


@pytest.fixture
def case(app: Flask) -> Case:
    return make_case()


@pytest.mark.parametrize("headers", [{}, HTMX])
def test_consent_form(app: Flask, case: Case, headers: dict[str, str]) -> None:
    client = sign_in(app, case.lead)
    fields = [
        "given_by",
        "given_by_name",
        "given_by_role",
        "method",
        "given_on",
        "share_with",
        "share_with_other",
        "not_to_share",
    ]
    _run(
        app,
        lambda data: client.post(f"{case.url}/record", data=data, headers=headers),
        _hostile_form(consent_data(case), fields),
    )


def test_withdrawal_form(app: Flask, case: Case) -> None:
    consent: Consent = give_consent(case)
    client = sign_in(app, case.lead)
    base: dict[str, Any] = {
        "withdraw-consent_id": consent.id,
        "withdraw-version": consent.version,
        "withdraw-withdrawn_on": ["1", "1", "2026"],
    }
    fields = [
        "withdraw-consent_id",
        "withdraw-version",
        "withdraw-withdrawn_on",
        "withdraw-withdrawal_note",
    ]
    _run(
        app,
        lambda data: client.post(f"{case.url}/withdraw", data=data, headers=HTMX),
        _hostile_form(base, fields),
    )


def test_start_form(app: Flask, case: Case) -> None:
    give_consent(case)
    client = sign_in(app, case.lead)
    url = f"/families/{case.family_id}/assessments/start"
    _run(
        app,
        lambda data: client.post(url, data=data),
        _hostile_form({}, ["children"]),
    )


def test_section_form_and_its_address(app: Flask, case: Case) -> None:
    assessment = started(app, case)
    client = sign_in(app, case.lead)
    child = case.child_ids[0]
    prefix = f"c{child}-summary"
    strategy = st.fixed_dictionaries(
        {
            "form": _hostile_form(
                {f"{prefix}-version": "0"},
                [
                    f"{prefix}-version",
                    f"{prefix}-working_well",
                    f"{prefix}-worries",
                    f"{prefix}-next_steps",
                ],
            ),
            "child": st.one_of(st.just(str(child)), text_values),
            "section": st.one_of(st.just("summary"), text_values),
            "htmx": st.booleans(),
        }
    )
    url = f"/families/{case.family_id}/assessments/{assessment.id}/sections"
    _run(
        app,
        lambda data: client.post(
            url,
            query_string={"child": data["child"], "section": data["section"]},
            data=data["form"],
            headers=HTMX if data["htmx"] else {},
        ),
        strategy,
    )


def test_complete_form(app: Flask, case: Case) -> None:
    assessment = started(app, case)
    client = sign_in(app, case.lead)
    url = f"/families/{case.family_id}/assessments/{assessment.id}/complete"
    _run(
        app,
        lambda data: client.post(url, data=data, headers=HTMX),
        _hostile_form({}, ["complete-csrf_token", "anything"]),
    )
