"""The packaged threshold frameworks and the loader that validates them."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import ValidationError

from caseapp import create_app
from caseapp.frameworks import (
    DOMAIN_CODES,
    FRAMEWORK_DIR,
    Framework,
    FrameworkError,
    available_frameworks,
    load_all,
    load_framework,
    load_framework_file,
)

# The seeds live beside the repository (../shared/seeds), not inside it, so a checkout on its
# own may not have them.
SEEDS_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

# What each council's document says, checked by hand against the seed; the seed-text test below
# stops the data files drifting from it.
EXPECTED: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "york": (
        "000_b28f41aeacc0ce6d.txt",
        [
            ("Universal", "universal"),
            ("Early help", "early_help"),
            ("Children in need", "social_care"),
            ("Child protection", "social_care"),
        ],
    ),
    "barnsley": (
        "001_c4f364accf8d4f69.txt",
        [
            ("Thriving", "universal"),
            ("Getting advice", "universal"),
            ("Getting help", "early_help"),
            ("Getting more help", "social_care"),
            ("Getting risk support", "social_care"),
        ],
    ),
    "wokingham": (
        "004_5afeca342b63bff4.txt",
        [
            ("Help for Everyone", "universal"),
            ("Additional Help", "early_help"),
            ("Intensive Help", "social_care"),
            ("Specialist Help", "social_care"),
        ],
    ),
    "staffordshire": (
        "003_2f6290b2b4c8b00a.txt",
        [
            ("Universal", "universal"),
            ("Earliest Help", "early_help"),
            ("Targeted Early Help", "early_help"),
            ("Statutory/Specialist", "social_care"),
        ],
    ),
}

SEED_FILE_NAME = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


def _normalise(text: str) -> str:
    # Seeds come from web pages: line breaks, doubled spaces and "Statutory /Specialist".
    text = re.sub(r"\s+", " ", text.casefold())
    return re.sub(r" ?/ ?", "/", text).strip()


def _seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS_DIR}; they live in ../shared/seeds")
    return SEEDS_DIR


# --- the packaged frameworks ----------------------------------------------------------------


def test_absent_seed_directory_skips_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys.modules[__name__], "SEEDS_DIR", tmp_path / "absent")

    with pytest.raises(pytest.skip.Exception, match="seed documents not found"):
        _seeds_dir()


def test_the_four_seed_councils_ship() -> None:
    assert available_frameworks() == sorted(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_packaged_framework_loads(key: str) -> None:
    framework = load_framework(key)

    assert framework.key == key
    assert [level.order for level in framework.levels] == list(range(1, len(framework.levels) + 1))
    assert tuple(domain.code for domain in framework.domains) == DOMAIN_CODES
    assert framework.early_help_levels


@pytest.mark.parametrize(("key", "expected"), [(k, v[1]) for k, v in sorted(EXPECTED.items())])
def test_level_names_and_services_in_order(key: str, expected: list[tuple[str, str]]) -> None:
    framework = load_framework(key)

    assert [(level.name, level.service) for level in framework.levels] == expected


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_level_names_occur_in_the_seed_document(key: str) -> None:
    seed_file = _seeds_dir() / EXPECTED[key][0]
    seed_text = _normalise(seed_file.read_text(encoding="utf-8"))

    levels = load_framework(key).levels
    missing = [level.name for level in levels if _normalise(level.name) not in seed_text]

    assert not missing, f"level names not found in {seed_file.name}: {missing}"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_source_document_names_its_seed_file(key: str) -> None:
    named = SEED_FILE_NAME.findall(load_framework(key).source_document)

    assert named == [EXPECTED[key][0]]
    assert (_seeds_dir() / named[0]).is_file()


def test_staffordshire_has_indicators_for_every_level_and_domain() -> None:
    framework = load_framework("staffordshire")

    for level in framework.levels:
        for domain in DOMAIN_CODES:
            assert framework.indicators_for(level.code, domain), (level.code, domain)


@pytest.mark.parametrize("key", ["york", "barnsley"])
def test_frameworks_whose_seed_gives_no_indicators_list_none(key: str) -> None:
    assert load_framework(key).indicators == ()


def test_every_indicator_has_text_and_a_real_level_and_domain() -> None:
    for framework in load_all().values():
        for ind in framework.indicators:
            assert framework.has_level(ind.level)
            assert ind.domain in DOMAIN_CODES
            assert ind.text == ind.text.strip() and ind.text


# --- helper methods -------------------------------------------------------------------------


@pytest.fixture
def staffs() -> Framework:
    return load_framework("staffordshire")


def test_level_lookup(staffs: Framework) -> None:
    assert staffs.level("earliest_help").order == 2
    assert staffs.has_level("targeted_early_help")
    assert not staffs.has_level("tier_5")
    with pytest.raises(KeyError, match="tier_5"):
        staffs.level("tier_5")


def test_levels_by_service(staffs: Framework) -> None:
    assert [lvl.code for lvl in staffs.early_help_levels] == [
        "earliest_help",
        "targeted_early_help",
    ]
    assert [lvl.code for lvl in staffs.levels_by_service("social_care")] == ["statutory_specialist"]
    with pytest.raises(ValueError, match="unknown service"):
        staffs.levels_by_service("police")  # type: ignore[arg-type]


def test_indicator_lookups(staffs: Framework) -> None:
    poverty = staffs.indicator("eh-fe-06")
    assert (poverty.level, poverty.domain, poverty.text) == (
        "earliest_help",
        "family_environment",
        "Poverty",
    )
    family = staffs.indicators_for("earliest_help", "family_environment")
    assert poverty in family
    assert all(i.domain == "family_environment" for i in family)
    whole_level = staffs.indicators_for("earliest_help")
    assert set(family) < set(whole_level)
    with pytest.raises(KeyError):
        staffs.indicator("nope")
    # A typo must not look like "this level has no indicators".
    with pytest.raises(KeyError):
        staffs.indicators_for("earliest-help")
    with pytest.raises(KeyError):
        staffs.indicators_for("earliest_help", "health")


def test_level_choices_and_domain(staffs: Framework) -> None:
    assert staffs.level_choices()[0] == ("universal", "1. Universal")
    assert staffs.domain("parenting_capacity").name == "Parenting capacity"


def test_frameworks_are_immutable(staffs: Framework) -> None:
    with pytest.raises(ValidationError):
        staffs.name = "changed"  # type: ignore[misc]


def test_packaged_frameworks_are_parsed_once() -> None:
    assert load_framework("york") is load_framework("york")


# --- loading from another directory ---------------------------------------------------------

VALID = """\
key = "sample"
name = "Sample framework"
council = "Sample Council"
model = "levels"
source_document = "seeds/000_b28f41aeacc0ce6d.txt — sample"

[[levels]]
code = "universal"
order = 1
name = "Universal"
meaning = "No extra needs."
what_to_do = "Carry on."
route = "Universal services."
service = "universal"

[[levels]]
code = "targeted"
order = 2
name = "Targeted"
meaning = "Emerging needs."
what_to_do = "Start an EHA."
route = "Early help hub."
service = "early_help"

[[levels]]
code = "statutory"
order = 3
name = "Statutory"
meaning = "Significant harm."
what_to_do = "Refer."
route = "Children's social care."
service = "social_care"

[[domains]]
code = "child_development"
name = "Child's development"

[[domains]]
code = "parenting_capacity"
name = "Parenting capacity"

[[domains]]
code = "family_environment"
name = "Family and environment"

[[indicators]]
code = "td-cd-01"
level = "targeted"
domain = "child_development"
text = "Poor school attendance"
"""


def _write(directory: Path, text: str, name: str = "sample.toml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_sample_loads_from_a_tmp_directory(tmp_path: Path) -> None:
    _write(tmp_path, VALID)

    framework = load_framework("sample", tmp_path)

    assert framework.level_codes == ("universal", "targeted", "statutory")
    assert available_frameworks(tmp_path) == ["sample"]
    assert list(load_all(tmp_path)) == ["sample"]


def test_levels_are_sorted_by_order_whatever_the_file_order(tmp_path: Path) -> None:
    swapped = VALID.replace("order = 1", "order = X").replace("order = 3", "order = 1")
    path = _write(tmp_path, swapped.replace("order = X", "order = 3"))

    framework = load_framework_file(path)

    assert framework.level_codes == ("statutory", "targeted", "universal")


def test_surrounding_whitespace_is_stripped(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID.replace('name = "Targeted"', 'name = "  Targeted \\n"'))

    assert load_framework_file(path).level("targeted").name == "Targeted"


def test_files_outside_the_package_are_reread(tmp_path: Path) -> None:
    path = _write(tmp_path, VALID)
    assert load_framework("sample", tmp_path).name == "Sample framework"

    path.write_text(VALID.replace("Sample framework", "Renamed"), encoding="utf-8")

    assert load_framework("sample", tmp_path).name == "Renamed"


def _replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, f"test setup: {old!r} not in the sample"
        return text.replace(old, new, count)

    return mutate


def _drop_domain(code: str) -> Callable[[str], str]:
    return _replace(f'[[domains]]\ncode = "{code}"\nname = "Parenting capacity"\n\n', "")


MALFORMED: list[tuple[str, Callable[[str], str], list[str]]] = [
    (
        "toml syntax",
        _replace("[[levels]]", "[[levels]"),
        ["not valid TOML", "line 7"],
    ),
    (
        "missing field",
        _replace('what_to_do = "Start an EHA."\n', ""),
        ["levels -> 2 ('targeted') -> what_to_do", "required"],
    ),
    (
        "duplicate order",
        _replace("order = 3", "order = 2"),
        ["levels -> 3 ('statutory') -> order", "duplicate order 2", "nothing has order 3"],
    ),
    (
        "gap in order",
        _replace("order = 3", "order = 4"),
        ["levels -> 3 ('statutory') -> order", "too high", "nothing has order 3"],
    ),
    (
        "order as text",
        _replace("order = 2", 'order = "2"'),
        ["levels -> 2 ('targeted') -> order", "whole number"],
    ),
    (
        "unknown level in indicator",
        _replace('level = "targeted"', 'level = "intensive"'),
        ["indicators -> 1 ('td-cd-01') -> level", "'intensive' does not exist", "targeted"],
    ),
    (
        "unknown domain in indicator",
        _replace('domain = "child_development"', 'domain = "health"', count=2),
        ["indicators -> 1 ('td-cd-01') -> domain", "'health' does not exist"],
    ),
    (
        "missing domain",
        _drop_domain("parenting_capacity"),
        ["domains", "missing domain parenting_capacity"],
    ),
    (
        "duplicate level code",
        _replace('code = "statutory"', 'code = "targeted"'),
        ["levels -> 3 ('targeted') -> code", "duplicate code 'targeted'"],
    ),
    (
        "extra key at top level",
        _replace('model = "levels"\n', 'model = "levels"\ncolour = "blue"\n'),
        ["colour", "unknown key", "allowed keys"],
    ),
    (
        "extra key in a level",
        _replace('service = "social_care"', 'service = "social_care"\ntier = 4'),
        ["levels -> 3 ('statutory') -> tier", "unknown key"],
    ),
    (
        "key differs from file name",
        _replace('key = "sample"', 'key = "other"'),
        ["key is 'other'", "sample.toml"],
    ),
    (
        "unknown service",
        _replace('service = "social_care"', 'service = "police"'),
        ["levels -> 3 ('statutory') -> service", "'police'"],
    ),
    (
        "no early help level",
        _replace('service = "early_help"', 'service = "universal"'),
        ["early_help", "at least one level"],
    ),
    (
        "empty text",
        _replace('name = "Targeted"', 'name = "   "'),
        ["levels -> 2 ('targeted') -> name", "must not be empty"],
    ),
    (
        "code not a slug",
        _replace('code = "td-cd-01"', 'code = "TD 01"'),
        ["indicators -> 1 ('TD 01') -> code", "not a valid code"],
    ),
]


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [pytest.param(m, f, id=case) for case, m, f in MALFORMED],
)
def test_malformed_file_is_explained(
    tmp_path: Path, mutate: Callable[[str], str], fragments: list[str]
) -> None:
    path = _write(tmp_path, mutate(VALID))

    with pytest.raises(FrameworkError) as caught:
        load_framework_file(path)

    message = str(caught.value)
    assert "sample.toml" in message
    for fragment in fragments:
        assert fragment in message
    assert "Traceback" not in message
    assert "errors.pydantic.dev" not in message
    assert caught.value.path == path
    assert all(line.startswith("sample.toml: ") for line in caught.value.problems)


def test_missing_file_is_a_framework_error(tmp_path: Path) -> None:
    with pytest.raises(FrameworkError, match=r"absent\.toml.*cannot read"):
        load_framework_file(tmp_path / "absent.toml")


def test_unknown_key_lists_the_available_ones() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework("lancashire")

    message = str(caught.value)
    assert "'lancashire'" in message
    for key in EXPECTED:
        assert key in message


def test_key_that_looks_like_a_path_is_unknown(tmp_path: Path) -> None:
    _write(tmp_path, VALID)

    with pytest.raises(FrameworkError, match="available: sample"):
        load_framework("../sample", tmp_path)


def test_load_all_reports_every_broken_file(tmp_path: Path) -> None:
    _write(tmp_path, VALID)
    _write(tmp_path, VALID.replace('key = "sample"', 'key = "first"'), "first.toml")
    _write(tmp_path, "key = ", "second.toml")
    _write(tmp_path, VALID.replace("order = 3", "order = 9"), "third.toml")

    with pytest.raises(FrameworkError) as caught:
        load_all(tmp_path)

    message = str(caught.value)
    assert "second.toml: not valid TOML" in message
    assert "third.toml: levels -> 3 ('statutory') -> order" in message
    assert "first.toml" not in message


def test_framework_dir_is_the_package_directory() -> None:
    assert (FRAMEWORK_DIR / "__init__.py").is_file()
    assert FRAMEWORK_DIR.name == "frameworks"


def test_a_malformed_framework_file_stops_the_app_starting(tmp_path: Path) -> None:
    (tmp_path / "broken.toml").write_text(
        'key = "broken"\nname = "Broken"\n[[levels]]\norder = 1\n'
    )
    with pytest.raises(FrameworkError) as raised:
        create_app({"CASEAPP_FRAMEWORK": "broken", "CASEAPP_FRAMEWORK_DIR": str(tmp_path)})
    message = str(raised.value)
    assert "broken.toml" in message
    assert "levels -> 1 -> name: missing" in message
    assert "domains: missing" in message
