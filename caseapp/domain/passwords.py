"""Password rules after NCSC guidance: long enough, no composition rules."""

from __future__ import annotations

MIN_LENGTH = 12
MAX_LENGTH = 128


def password_problem(password: str, email: str = "") -> str | None:
    """The first reason this password is not acceptable, or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be your email address"
    return None
