"""Normal forms of names and postcodes, so matching ignores how people typed them."""

from __future__ import annotations

import re
import unicodedata

_NOT_LETTER = re.compile(r"[^a-z]")


def name_key(*parts: str) -> str:
    """Lower-case ASCII letters only: 'O'Brien-Smith ' and 'obriensmith' are the same."""
    folded = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return _NOT_LETTER.sub("", folded.lower())


def postcode_key(postcode: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", postcode.upper())


def format_postcode(postcode: str) -> str:
    """UK postcodes print with one space before the last three characters."""
    key = postcode_key(postcode)
    return f"{key[:-3]} {key[-3:]}" if len(key) > 3 else key
