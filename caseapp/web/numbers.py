"""Whole numbers read from what a browser sends: ids in forms and page numbers in URLs.

str.isdigit() alone is not enough: it accepts "¹" and "٣", which int() refuses or reads
as some other number, and any length, which the database refuses as out of range.
"""

from __future__ import annotations

from flask import request

# An id this service issues fits PostgreSQL's INTEGER; nine digits always do.
MOST_ID_DIGITS = 9
MOST_ID = 10**MOST_ID_DIGITS - 1
# Far more pages than any list here has; a longer number is someone's typing.
MOST_PAGE_DIGITS = 6


def whole_number(text: object, most_digits: int = MOST_ID_DIGITS) -> int | None:
    """`text` as a whole number, if it is one written in ASCII digits, at most
    `most_digits` of them; otherwise None."""
    value = str(text if text is not None else "").strip()
    if not value or len(value) > most_digits or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def page_asked_for() -> int:
    """The page number in the URL's `page`, or 1 when there is none or it is not one."""
    return whole_number(request.args.get("page"), MOST_PAGE_DIGITS) or 1
