"""The password policy as a table."""

from __future__ import annotations

import pytest

from caseapp.domain.passwords import breached_passwords, password_problem


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 12 characters"),
        ("x" * 129, "128 characters or fewer"),
        ("pat@example.org", "not be your email"),
        ("password1234", "breached passwords"),
        ("Password2024!", "breached passwords"),
        ("qwertyuiop123", "breached passwords"),
        ("abcabcabcabc", "breached passwords"),
        ("111111111111", "breached passwords"),
        ("correct horse battery staple", None),
        ("early help demo only", None),
        ("a long enough password", None),
        # No composition rules: all lower case letters and spaces are fine.
        ("my dog likes the beach", None),
    ],
)
def test_password_problem(password: str, problem: str | None) -> None:
    result = password_problem(password, "pat@example.org")
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


def test_the_breached_list_is_shipped_and_large() -> None:
    common = breached_passwords()
    assert len(common) >= 30_000 - 100
    assert "password" in common and "letmein" in common
