"""Threshold frameworks: one validated TOML data file per council.

A framework is data, not code: its levels of need, the three assessment domains and the
indicators that describe each level. Councils revise their threshold documents, so a broken
edit must fail loudly at start-up with a message a non-programmer can act on, rather than
surface later as a missing level on a case.

Indicators guide a practitioner's judgement; nothing here turns indicators into a level.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

__all__ = [
    "DOMAIN_CODES",
    "FRAMEWORK_DIR",
    "SERVICES",
    "Domain",
    "Framework",
    "FrameworkError",
    "Indicator",
    "Level",
    "Service",
    "available_frameworks",
    "clear_cache",
    "load_all",
    "load_framework",
    "load_framework_file",
]

FRAMEWORK_DIR: Path = Path(__file__).resolve().parent

Service = Literal["universal", "early_help", "social_care"]
SERVICES: tuple[Service, ...] = get_args(Service)
SERVICE_LABELS: dict[str, str] = {
    "universal": "Universal services",
    "early_help": "Early help",
    "social_care": "Children's social care",
}

# The three sides of the Assessment Framework triangle, which every council's document and
# every EHA uses; the app stores these codes, so they are fixed rather than per-file.
DOMAIN_CODES: tuple[str, ...] = ("child_development", "parenting_capacity", "family_environment")

# Codes end up in the database and in URLs, so keep them to a boring, stable alphabet.
_SLUG = r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=_SLUG, max_length=64)]
Text = Annotated[str, Field(min_length=1)]


class FrameworkError(Exception):
    """A framework file is missing, unreadable or does not describe a valid framework.

    ``problems`` holds one plain-language line per fault so an admin page can list them.
    """

    def __init__(
        self, message: str, *, path: Path | None = None, problems: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.path = path
        self.problems: tuple[str, ...] = tuple(problems) or (message,)


class _Problems(ValueError):
    """Consistency faults found by our own validators, each with an exact location.

    Pydantic only knows the location of the field whose validator failed (for example
    ``levels``); carrying our own locations lets the message point at the offending entry.
    """

    def __init__(self, problems: Sequence[tuple[tuple[str | int, ...], str]]) -> None:
        super().__init__("; ".join(f"{_format_loc(loc)}: {msg}" for loc, msg in problems))
        self.problems = tuple(problems)


_FROZEN_NO_EXTRAS = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Level(BaseModel):
    model_config = _FROZEN_NO_EXTRAS

    code: Slug
    # StrictInt so that order = "2" or order = true in a hand-edited file is an error, not
    # a silent conversion.
    order: Annotated[StrictInt, Field(ge=1)]
    name: Text
    meaning: Text
    what_to_do: Text
    route: Text
    service: Service

    @property
    def service_label(self) -> str:
        return SERVICE_LABELS[self.service]


class Domain(BaseModel):
    model_config = _FROZEN_NO_EXTRAS

    code: Slug
    name: Text


class Indicator(BaseModel):
    model_config = _FROZEN_NO_EXTRAS

    code: Slug
    level: Slug
    domain: Slug
    text: Text


class Framework(BaseModel):
    """A council's threshold framework; levels are held in ascending order of need."""

    model_config = _FROZEN_NO_EXTRAS

    key: Slug
    name: Text
    council: Text
    model: Text
    source_document: Text
    levels: Annotated[tuple[Level, ...], Field(min_length=1)]
    domains: tuple[Domain, ...]
    indicators: tuple[Indicator, ...] = ()

    @field_validator("key")
    @classmethod
    def _key_matches_file_name(cls, key: str, info: ValidationInfo) -> str:
        # The stem is the framework's identity in settings and URLs; a copied file that keeps
        # the old key would otherwise shadow another council's framework.
        stem = (info.context or {}).get("file_stem")
        if stem is not None and key != stem:
            raise _Problems(
                [
                    (
                        ("key",),
                        f"key is {key!r} but the file is named {stem}.toml; "
                        "the key must equal the file name without .toml",
                    )
                ]
            )
        return key

    @field_validator("levels")
    @classmethod
    def _levels_ordered_and_unique(cls, levels: tuple[Level, ...]) -> tuple[Level, ...]:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        problems += _duplicates("levels", "code", [lvl.code for lvl in levels])
        problems += _duplicates("levels", "order", [lvl.order for lvl in levels])
        present = {lvl.order for lvl in levels}
        missing = [n for n in range(1, len(levels) + 1) if n not in present]
        for index, level in enumerate(levels):
            if level.order > len(levels):
                problems.append(
                    (
                        ("levels", index, "order"),
                        f"order {level.order} is too high: with {len(levels)} levels the "
                        f"orders must be 1 to {len(levels)}",
                    )
                )
        if missing:
            problems.append(
                (
                    ("levels",),
                    f"level orders must run 1, 2, 3 ... with no gaps; nothing has order "
                    f"{_join(missing)}",
                )
            )
        if problems:
            raise _Problems(problems)
        # Checked in file order above so locations match what the editor sees; sorted here
        # so every caller can rely on levels running from least to most need.
        return tuple(sorted(levels, key=lambda lvl: lvl.order))

    @field_validator("domains")
    @classmethod
    def _exactly_the_three_domains(cls, domains: tuple[Domain, ...]) -> tuple[Domain, ...]:
        problems = _duplicates("domains", "code", [d.code for d in domains])
        codes = {d.code for d in domains}
        for index, domain in enumerate(domains):
            if domain.code not in DOMAIN_CODES:
                problems.append(
                    (
                        ("domains", index, "code"),
                        f"unknown domain {domain.code!r}; the domains are {_join(DOMAIN_CODES)}",
                    )
                )
        absent = [code for code in DOMAIN_CODES if code not in codes]
        if absent:
            problems.append(
                (
                    ("domains",),
                    f"missing domain {_join(absent)}; every framework needs exactly "
                    f"{_join(DOMAIN_CODES)}",
                )
            )
        if problems:
            raise _Problems(problems)
        # Canonical order, so screens list the domains the same way whatever the file says.
        return tuple(sorted(domains, key=lambda d: DOMAIN_CODES.index(d.code)))

    @field_validator("indicators")
    @classmethod
    def _indicator_codes_unique(cls, indicators: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
        problems = _duplicates("indicators", "code", [ind.code for ind in indicators])
        if problems:
            raise _Problems(problems)
        return indicators

    @model_validator(mode="after")
    def _cross_references(self) -> Framework:
        problems: list[tuple[tuple[str | int, ...], str]] = []
        level_codes = [lvl.code for lvl in self.levels]
        for index, ind in enumerate(self.indicators):
            if ind.level not in level_codes:
                problems.append(
                    (
                        ("indicators", index, "level"),
                        f"level {ind.level!r} does not exist in this framework; "
                        f"the levels are {_join(level_codes)}",
                    )
                )
            if ind.domain not in DOMAIN_CODES:
                problems.append(
                    (
                        ("indicators", index, "domain"),
                        f"domain {ind.domain!r} does not exist; the domains are "
                        f"{_join(DOMAIN_CODES)}",
                    )
                )
        if not any(lvl.service == "early_help" for lvl in self.levels):
            problems.append(
                (
                    ("levels",),
                    'no level has service = "early_help"; the app needs at least one level '
                    "that early help works at",
                )
            )
        if problems:
            raise _Problems(problems)
        return self

    # --- look-ups ---------------------------------------------------------------------------

    def level(self, code: str) -> Level:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(f"{self.key}: no level {code!r} (levels: {_join(self.level_codes)})")

    def has_level(self, code: str) -> bool:
        return any(level.code == code for level in self.levels)

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def levels_by_service(self, service: Service) -> tuple[Level, ...]:
        if service not in SERVICES:
            raise ValueError(f"unknown service {service!r}; services are {_join(SERVICES)}")
        return tuple(level for level in self.levels if level.service == service)

    @property
    def early_help_levels(self) -> tuple[Level, ...]:
        return self.levels_by_service("early_help")

    def level_choices(self) -> list[tuple[str, str]]:
        """(code, label) pairs in order of need, ready for a form's select or radios."""
        return [(level.code, f"{level.order}. {level.name}") for level in self.levels]

    def domain(self, code: str) -> Domain:
        for domain in self.domains:
            if domain.code == code:
                return domain
        raise KeyError(f"{self.key}: no domain {code!r} (domains: {_join(DOMAIN_CODES)})")

    @property
    def source_title(self) -> str:
        """The source document's title, without the seed file name staff need not see."""
        return self.source_document.split(" — ", 1)[-1]

    def has_indicator(self, code: str) -> bool:
        return any(ind.code == code for ind in self.indicators)

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(f"{self.key}: no indicator {code!r}")

    def indicators_for(
        self, level_code: str, domain_code: str | None = None
    ) -> tuple[Indicator, ...]:
        """Indicators for a level, optionally for one domain, in the order the file gives.

        Unknown codes raise KeyError rather than returning nothing, because an empty list
        would look like "this level has no indicators" and hide a typo.
        """
        self.level(level_code)
        if domain_code is not None:
            self.domain(domain_code)
        return tuple(
            ind
            for ind in self.indicators
            if ind.level == level_code and (domain_code is None or ind.domain == domain_code)
        )


# --- error formatting -------------------------------------------------------------------------

_TABLE_MODELS: Mapping[str, type[BaseModel]] = {
    "levels": Level,
    "domains": Domain,
    "indicators": Indicator,
}


def _join(items: Iterable[object]) -> str:
    return ", ".join(str(item) for item in items)


def _format_loc(loc: Sequence[str | int], data: object = None) -> str:
    # Pydantic counts array entries from 0; people editing the file count [[levels]] blocks
    # from 1, so show "levels -> 2" for the second block. In a file with dozens of
    # [[indicators]] the entry's own code is the quicker way to find it, so add that too.
    parts: list[str] = []
    for position, part in enumerate(loc):
        if not isinstance(part, int):
            parts.append(part)
            continue
        label = str(part + 1)
        code = _entry_code(data, loc[:position], part)
        if code is not None:
            label += f" ({code!r})"
        parts.append(label)
    return " -> ".join(parts) if parts else "(whole file)"


def _entry_code(data: object, table_loc: Sequence[str | int], index: int) -> str | None:
    if not (isinstance(data, Mapping) and len(table_loc) == 1):
        return None
    entries = data.get(table_loc[0])
    if not isinstance(entries, list) or not 0 <= index < len(entries):
        return None
    entry = entries[index]
    code = entry.get("code") if isinstance(entry, Mapping) else None
    return code.strip() if isinstance(code, str) and code.strip() else None


def _duplicates(
    table: str, field: str, values: Sequence[object]
) -> list[tuple[tuple[str | int, ...], str]]:
    counts = Counter(values)
    problems: list[tuple[tuple[str | int, ...], str]] = []
    seen: dict[object, int] = {}
    for index, value in enumerate(values):
        if counts[value] > 1:
            if value in seen:
                problems.append(
                    (
                        (table, index, field),
                        f"duplicate {field} {value!r}: already used by {table} -> "
                        f"{seen[value] + 1}; each {field} must be unique",
                    )
                )
            else:
                seen[value] = index
    return problems


def _allowed_keys(loc: Sequence[str | int]) -> tuple[str, ...]:
    model: type[BaseModel] = Framework
    if len(loc) > 1 and isinstance(loc[0], str) and loc[0] in _TABLE_MODELS:
        model = _TABLE_MODELS[loc[0]]
    return tuple(model.model_fields)


def _describe(error: Mapping[str, Any], data: object) -> list[str]:
    """Turn one pydantic error into one or more plain-language lines."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, _Problems):
        return [f"{_format_loc(p_loc, data)}: {msg}" for p_loc, msg in cause.problems]
    where = _format_loc(loc, data)
    value = error.get("input")
    if kind == "missing":
        return [f"{where}: missing; this field is required"]
    if kind == "extra_forbidden":
        return [
            f"{where}: unknown key {str(loc[-1])!r}; allowed keys here are "
            f"{_join(_allowed_keys(loc))}"
        ]
    if kind == "string_too_short":
        return [f"{where}: must not be empty"]
    if kind == "string_type":
        return [f"{where}: must be text in double quotes (got {value!r})"]
    if kind == "int_type":
        return [f"{where}: must be a whole number without quotes (got {value!r})"]
    if kind == "string_pattern_mismatch":
        return [
            f"{where}: {value!r} is not a valid code; use lowercase letters, digits, "
            "'_' or '-' (for example \"targeted_early_help\")"
        ]
    message = str(error["msg"])
    if kind == "value_error" and message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if isinstance(value, str | int | float | bool) and kind != "value_error":
        message = f"{message} (got {value!r})"
    return [f"{where}: {message}"]


def _format_validation_error(exc: ValidationError, data: object) -> list[str]:
    lines: list[str] = []
    for error in exc.errors(include_url=False):
        lines.extend(_describe(error, data))
    return lines


def _fail(path: Path, problems: Sequence[str]) -> FrameworkError:
    count = f"{len(problems)} problem" + ("s" if len(problems) != 1 else "")
    body = "\n".join(f"  {path.name}: {line}" for line in problems)
    return FrameworkError(
        f"{path} is not a valid threshold framework ({count}):\n{body}",
        path=path,
        problems=[f"{path.name}: {line}" for line in problems],
    )


# --- loading ----------------------------------------------------------------------------------


def load_framework_file(path: str | Path) -> Framework:
    """Read and validate one framework file; every fault becomes a FrameworkError."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise _fail(path, [f"cannot read the file: {reason}"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _fail(path, [f"not UTF-8 text (bad byte at position {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, [f"not valid TOML: {exc}"]) from None
    try:
        return Framework.model_validate(data, context={"file_stem": path.stem})
    except ValidationError as exc:
        raise _fail(path, _format_validation_error(exc, data)) from None


def available_frameworks(directory: str | Path = FRAMEWORK_DIR) -> list[str]:
    """Keys (file stems) of the framework files in ``directory``, sorted."""
    return sorted(
        p.stem
        for p in Path(directory).glob("*.toml")
        # The headline outcomes list lives beside the frameworks but is not one of them.
        if p.is_file() and p.stem != "supporting_families"
    )


@lru_cache(maxsize=32)
def _load_packaged(key: str) -> Framework:
    return load_framework_file(FRAMEWORK_DIR / f"{key}.toml")


def _is_packaged(directory: Path) -> bool:
    return directory.resolve() == FRAMEWORK_DIR


def load_framework(key: str, directory: str | Path = FRAMEWORK_DIR) -> Framework:
    """Load the framework called ``key`` from ``directory``.

    Frameworks shipped with the app are parsed once per process; other directories (tests,
    a council's own copy) are read afresh each time so edits show up.
    """
    directory = Path(directory)
    known = available_frameworks(directory)
    # Checking against the listing also stops a key such as "../x" reaching the filesystem.
    if key not in known:
        listing = _join(known) if known else "none"
        raise FrameworkError(
            f"unknown threshold framework {key!r} in {directory}; available: {listing}",
            path=directory,
        )
    if _is_packaged(directory):
        return _load_packaged(key)
    return load_framework_file(directory / f"{key}.toml")


def load_all(directory: str | Path = FRAMEWORK_DIR) -> dict[str, Framework]:
    """Every framework in ``directory`` by key; all broken files are reported together."""
    directory = Path(directory)
    loaded: dict[str, Framework] = {}
    failures: list[FrameworkError] = []
    for key in available_frameworks(directory):
        try:
            loaded[key] = load_framework(key, directory)
        except FrameworkError as exc:
            failures.append(exc)
    if failures:
        if len(failures) == 1:
            raise failures[0]
        raise FrameworkError(
            "\n".join(str(exc) for exc in failures),
            path=directory,
            problems=[line for exc in failures for line in exc.problems],
        )
    return loaded


def clear_cache() -> None:
    """Forget parsed packaged frameworks (for a development reload after editing a file)."""
    _load_packaged.cache_clear()
