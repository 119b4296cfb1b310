"""The Hub queue's filter form: read from the query string, so a link reproduces a view."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, SelectChoice, SelectField, StringField

from caseapp.domain.queue_rules import AgeBand, QueueStage
from caseapp.frameworks import Framework
from caseapp.services.hub_queue import QueueFilters, QueueOptions
from caseapp.web.numbers import whole_number

ANY = ""
Choice = TypeVar("Choice", bound=StrEnum)


def _choices(any_label: str, pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(ANY, any_label), *(SelectChoice(value, label) for value, label in pairs)]


class QueueFilterForm(FlaskForm):
    # A GET form that changes nothing: no CSRF token, which would only clutter the URL.
    class Meta:
        csrf = False

    q = StringField("Search by name or family reference", widget=GovTextInput())
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=_choices("Any status", [(stage.value, stage.label) for stage in QueueStage]),
        default=ANY,
    )
    level = SelectField("Level of need of any child", widget=GovSelect(), default=ANY)
    team = SelectField("Team", widget=GovSelect(), default=ANY)
    locality = SelectField("Locality", widget=GovSelect(), default=ANY)
    age = SelectField(
        "Age of any child",
        widget=GovSelect(),
        choices=_choices("Any age", [(band.value, band.label) for band in AgeBand]),
        default=ANY,
    )
    urgent = BooleanField("Urgent")
    overdue = BooleanField("Overdue")

    def __init__(self, args: MultiDict[str, str], framework: Framework) -> None:
        super().__init__(formdata=args)
        self.level.choices = _choices("Any level", framework.level_choices())

    def set_options(self, options: QueueOptions) -> None:
        """The teams and localities on record, known only once the queue has been read."""
        self.team.choices = _choices("Any team", [(str(t.id), t.name) for t in options.teams])
        self.locality.choices = _choices("Any locality", [(n, n) for n in options.localities])

    def to_filters(self) -> QueueFilters:
        """The filters asked for. A value that is not one of the choices (an old bookmark, a
        level from a framework no longer in force, a hand-edited URL) is left out rather
        than refused; the service does the same for teams and localities not on record."""
        level_codes = {choice.value for choice in self.level.choices if choice.value}
        team = self.team.data or ""
        return QueueFilters(
            stage=_member(QueueStage, self.status.data),
            level_code=self.level.data if self.level.data in level_codes else None,
            team_id=whole_number(team),
            locality=(self.locality.data or "").strip() or None,
            age_band=_member(AgeBand, self.age.data),
            urgent_only=bool(self.urgent.data),
            overdue_only=bool(self.overdue.data),
            search=(self.q.data or "").strip()[:100],
        )

    def show(self, filters: QueueFilters) -> None:
        """Show the filters that were applied, so the form never claims one that was not."""
        args = query_args(filters)
        for field in (self.q, self.status, self.level, self.team, self.locality, self.age):
            field.data = args.get(field.name, ANY)
        self.urgent.data = filters.urgent_only
        self.overdue.data = filters.overdue_only


def _member(enum: type[Choice], value: str | None) -> Choice | None:
    try:
        return enum(value or "")
    except ValueError:
        return None


def query_args(filters: QueueFilters) -> dict[str, str]:
    """The filters as URL parameters, leaving out those not set, for links and bookmarks."""
    args = {
        "q": filters.search,
        "status": filters.stage.value if filters.stage else "",
        "level": filters.level_code or "",
        "team": str(filters.team_id) if filters.team_id is not None else "",
        "locality": filters.locality or "",
        "age": filters.age_band.value if filters.age_band else "",
        "urgent": "y" if filters.urgent_only else "",
        "overdue": "y" if filters.overdue_only else "",
    }
    return {name: value for name, value in args.items() if value}
