"""Dates and times as staff read them: UK local time, in GOV.UK style."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Flask

from caseapp.domain.working_days import UK_TIME


def _as_uk(moment: datetime | date) -> datetime | date:
    return moment.astimezone(UK_TIME) if isinstance(moment, datetime) else moment


def uk_date(moment: datetime | date) -> str:
    """'27 November 2026'."""
    local = _as_uk(moment)
    return f"{local.day} {local:%B %Y}"


def uk_time(moment: datetime) -> str:
    """'9am', '2:15pm', 'midday', 'midnight'."""
    local = moment.astimezone(UK_TIME)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    hour = local.hour % 12 or 12
    minutes = f":{local.minute:02d}" if local.minute else ""
    return f"{hour}{minutes}{'am' if local.hour < 12 else 'pm'}"


def uk_datetime(moment: datetime) -> str:
    """'27 Nov 2026, 2:15pm'."""
    local = moment.astimezone(UK_TIME)
    return f"{local.day} {local:%b %Y}, {uk_time(local)}"


def iso_utc(moment: datetime) -> str:
    """'2026-11-27T14:15:09Z': a <time> element's datetime, to the second. Microseconds
    and '+00:00' add bytes to every row of a long list and tell no reader anything."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"


FORMATTERS = {
    "uk_date": uk_date,
    "uk_time": uk_time,
    "uk_datetime": uk_datetime,
    "iso_utc": iso_utc,
}


def register_formatting(app: Flask) -> None:
    """As filters (`x | uk_date`) and as functions (`uk_date(x)`), in every template."""
    for name, formatter in FORMATTERS.items():
        app.add_template_filter(formatter, name)
        app.add_template_global(formatter, name)
