"""Form fields shared by several forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field

from caseapp.models.types import uk_today

DATE_PARTS = ("day", "month", "year")


class GovDateField(Field):
    """A date typed into GOV.UK day, month and year boxes. All three left empty means no
    date (use InputRequired to insist); only some of them filled is an error naming what is
    missing, in the GOV.UK pattern's words."""

    widget = GovDateInput()
    data: date | None

    def __init__(
        self, label: str, *, subject: str | None = None, allow_future: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(label, **kwargs)
        self.subject = subject or label
        self.allow_future = allow_future

    def process_formdata(self, valuelist: list[Any]) -> None:
        # The widget unpacks exactly three boxes, whatever a hand-made request sent.
        parts = [str(value).strip() for value in valuelist[:3]]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [name for name, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{self.subject} must include a {' and '.join(missing)}")
        if not all(part.isascii() and part.isdigit() for part in parts):
            raise ValueError(f"{self.subject} must be a real date")
        if len(parts[2]) != 4:
            raise ValueError("Year must include 4 numbers")
        day, month, year = (int(part) for part in parts)
        try:
            typed = date(year, month, day)
        except ValueError:
            raise ValueError(f"{self.subject} must be a real date") from None
        if not self.allow_future and typed > uk_today():
            raise ValueError(f"{self.subject} must be today or in the past")
        self.data = typed

    def _value(self) -> str:
        return f"{self.data:%d %m %Y}" if self.data else ""
