"""Control characters never reach the forms or the database."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from caseapp.web.requests_cleaning import without_controls
from tests.factories import make_user


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain", "plain"),
        ("nul\x00byte", "nulbyte"),
        ("bell\x07 and escape\x1b[31m", "bell and escape[31m"),
        ("line one\r\nline two\tindented", "line one\r\nline two\tindented"),
        ("del\x7f", "del"),
        ("ünïcödé ☃", "ünïcödé ☃"),
        (["a\x00", "b"], ["a", "b"]),
    ],
)
def test_without_controls(typed: object, kept: object) -> None:
    assert without_controls(typed) == kept


def test_a_nul_byte_in_sign_in_is_just_a_wrong_password(client: FlaskClient) -> None:
    user = make_user("lead_worker")
    response = client.post("/sign-in", data={"email": user.email + "\x00", "password": "x\x00"})
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.get_data(as_text=True)


def test_control_characters_are_removed_from_query_parameters(
    client: FlaskClient, signed_in_as
) -> None:
    signed_in_as("admin")
    response = client.get("/admin/users", query_string={"q": "ad\x00min"})
    assert response.status_code == 200
