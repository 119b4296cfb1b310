"""Hostile and random input to the draft routes: never a server error, and whatever a
draft holds comes back into the form escaped."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import strategies as st

from tests.test_form_fuzzing import _hostile_form, _run, _signed_in, text_values
from tests.test_requests import form_data as request_form_data

REQUEST_FIELDS = [
    "referrer_name",
    "address",
    "children-0-given_name",
    "children-0-gender",
    "children-1-date_of_birth",
    "carers-0-parental_responsibility",
    "reason",
    "consent",
    "version",
]
keys = st.one_of(st.just("request-for-support"), text_values)


def test_autosave_then_restore(app: Flask) -> None:
    client = _signed_in(app, "lead_worker")

    def save_and_reopen(data: dict[str, Any]) -> Any:
        saved = client.post("/drafts/save", data=data)
        assert saved.status_code < 500, saved.get_data(as_text=True)
        return client.get("/requests/new")

    _run(
        app,
        save_and_reopen,
        _hostile_form({**request_form_data(), "draft_key": "request-for-support"}, REQUEST_FIELDS),
    )


def test_autosave_with_hostile_keys_and_field_names(app: Flask) -> None:
    client = _signed_in(app, "lead_worker")
    strategy = st.fixed_dictionaries(
        {"draft_key": keys, "name": text_values, "value": text_values}
    ).map(lambda drawn: {"draft_key": drawn["draft_key"], drawn["name"] or "x": drawn["value"]})
    _run(app, lambda data: client.post("/drafts/save", data=data), strategy)


def test_discard(app: Flask) -> None:
    client = _signed_in(app, "lead_worker")
    _run(
        app,
        lambda data: client.post("/drafts/discard", data=data),
        _hostile_form({"form_key": "request-for-support"}, ["form_key", "return_to"]),
    )
