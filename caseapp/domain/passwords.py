"""Password rules after NCSC guidance: long enough, not a known breached password, and no
composition rules (they push people to predictable patterns)."""

from __future__ import annotations

import re
from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 128

# Digits and symbols people tack onto a common word to pass a length rule ("password2024!").
_PADDING = re.compile(r"[\W\d_]+$")


@lru_cache(maxsize=1)
def breached_passwords() -> frozenset[str]:
    """The 30,000 most common passwords from public breach corpora, shipped in zxcvbn."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def _is_known_breached(password: str) -> bool:
    folded = password.strip().lower()
    common = breached_passwords()
    unpadded = _PADDING.sub("", folded)
    return folded in common or (len(unpadded) >= 4 and unpadded in common)


def _is_one_repeated_piece(password: str) -> bool:
    return re.fullmatch(r"(.{1,4})\1+", password.lower()) is not None


def password_problem(password: str, email: str = "") -> str | None:
    """The first reason this password is not acceptable, or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be your email address"
    if _is_known_breached(password) or _is_one_repeated_piece(password):
        return "Password is too easy to guess: it appears in lists of breached passwords"
    return None
