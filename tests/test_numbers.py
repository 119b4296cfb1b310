"""Whole numbers read from requests: only ASCII digits, never past the database's range."""

from __future__ import annotations

import pytest

from caseapp.web.numbers import MOST_ID, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", 0),
        (str(MOST_ID), MOST_ID),
        (str(MOST_ID + 1), None),
        ("9" * 40, None),
        ("¹", None),
        ("٣", None),
        ("-1", None),
        ("1.5", None),
        ("", None),
        (None, None),
        ("1e3", None),
    ],
)
def test_whole_number(text: str | None, number: int | None) -> None:
    assert whole_number(text) == number


def test_page_numbers_take_six_digits_at_most() -> None:
    assert whole_number("999999", 6) == 999999
    assert whole_number("1000000", 6) is None
