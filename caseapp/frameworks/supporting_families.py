"""The Supporting Families headline outcomes: the national list plan outcomes are tagged with.

Like the threshold frameworks, the list is data (supporting_families.toml), validated when
the app starts, so a broken edit stops start-up with a message naming the file and the
entry, instead of surfacing later as a plan outcome tagged with a code nobody can name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

# Shared with the threshold framework loader so both files report faults the same way.
from caseapp.frameworks import (
    FRAMEWORK_DIR,
    FrameworkError,
    _duplicates,
    _format_loc,
    _Problems,
)

HEADLINE_OUTCOMES_FILE: Path = FRAMEWORK_DIR / "supporting_families.toml"

_SLUG = r"^[a-z0-9]+(?:_[a-z0-9]+)*$"
_FROZEN_NO_EXTRAS = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
Text = Annotated[str, Field(min_length=1, max_length=300)]


class HeadlineOutcome(BaseModel):
    model_config = _FROZEN_NO_EXTRAS

    # Stored on plan outcomes (PlanOutcome.headline_outcomes), so kept short and stable.
    code: Annotated[str, Field(pattern=_SLUG, max_length=40)]
    name: Text
    description: Text


class HeadlineOutcomes(BaseModel):
    """The headline outcomes in the order the file gives them (the order pages show)."""

    model_config = _FROZEN_NO_EXTRAS

    source_document: Text
    outcomes: Annotated[tuple[HeadlineOutcome, ...], Field(min_length=1)]

    @field_validator("outcomes")
    @classmethod
    def _codes_and_names_unique(
        cls, outcomes: tuple[HeadlineOutcome, ...]
    ) -> tuple[HeadlineOutcome, ...]:
        problems = _duplicates("outcomes", "code", [outcome.code for outcome in outcomes])
        problems += _duplicates("outcomes", "name", [outcome.name for outcome in outcomes])
        if problems:
            raise _Problems(problems)
        return outcomes

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(outcome.code for outcome in self.outcomes)

    def has(self, code: str) -> bool:
        return code in self.codes

    def named(self, codes: Iterable[str]) -> list[str]:
        """Names for stored codes in the file's order; a code this list no longer has
        (from an earlier version of it) is shown as itself rather than dropped."""
        wanted = list(codes)
        names = [outcome.name for outcome in self.outcomes if outcome.code in wanted]
        return names + [code for code in wanted if not self.has(code)]

    def choices(self) -> list[tuple[str, str]]:
        """(code, name) pairs, ready for a form's checkboxes."""
        return [(outcome.code, outcome.name) for outcome in self.outcomes]


def _problems(exc: ValidationError, data: object) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, _Problems):
            lines += [f"{_format_loc(loc, data)}: {message}" for loc, message in cause.problems]
            continue
        where = _format_loc(tuple(error["loc"]), data)
        if error["type"] == "missing":
            lines.append(f"{where}: missing; this field is required")
        elif error["type"] == "extra_forbidden":
            lines.append(f"{where}: unknown key; allowed keys are code, name and description")
        elif error["type"] == "too_short" and error["loc"] == ("outcomes",):
            lines.append(f"{where}: no outcomes; add at least one [[outcomes]] entry")
        elif error["type"] == "string_pattern_mismatch":
            lines.append(
                f"{where}: {error['input']!r} is not a valid code; use lowercase letters, "
                "digits and '_' (for example \"secure_housing\")"
            )
        else:
            lines.append(f"{where}: {error['msg']}")
    return lines


def load_headline_outcomes(path: str | Path | None = None) -> HeadlineOutcomes:
    """Read and validate the headline outcomes file (the packaged one unless `path` names
    another); every fault becomes a FrameworkError."""
    path = Path(path or HEADLINE_OUTCOMES_FILE)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return HeadlineOutcomes.model_validate(data)
    except OSError as exc:
        problems = [f"cannot read the file: {exc.strerror or exc.__class__.__name__}"]
    except UnicodeDecodeError as exc:
        problems = [f"not UTF-8 text (bad byte at position {exc.start})"]
    except tomllib.TOMLDecodeError as exc:
        problems = [f"not valid TOML: {exc}"]
    except ValidationError as exc:
        problems = _problems(exc, data)
    body = "\n".join(f"  {path.name}: {line}" for line in problems)
    raise FrameworkError(
        f"{path} is not a valid list of Supporting Families headline outcomes "
        f"({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n{body}",
        path=path,
        problems=[f"{path.name}: {line}" for line in problems],
    )
