"""The Supporting Families headline outcomes file: the packaged list, and the messages a
broken edit gets (which stop the app starting)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseapp.frameworks import FrameworkError, available_frameworks
from caseapp.frameworks import supporting_families as module
from caseapp.frameworks.supporting_families import load_headline_outcomes
from tests.conftest import build_app

GOOD_ENTRY = """
[[outcomes]]
code = "education"
name = "Getting a good education"
description = "Children go to school and learn."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "supporting_families.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_packaged_list_is_the_ten_national_headline_outcomes() -> None:
    headline = load_headline_outcomes()
    assert headline.source_document.startswith(
        "Supporting Families Programme guidance 2022 to 2025, Department for Levelling Up"
    )
    assert [outcome.name for outcome in headline.outcomes] == [
        "Getting a good education",
        "Good early years development",
        "Improved mental and physical health",
        "Promoting recovery and reducing harm from substance use",
        "Improved family relationships",
        "Children safe from abuse and exploitation",
        "Crime prevention and tackling crime",
        "Safe from domestic abuse",
        "Secure housing",
        "Financial stability",
    ]
    assert all(outcome.description for outcome in headline.outcomes)
    assert headline.choices()[8] == ("housing", "Secure housing")


def test_the_file_names_its_source_document_at_the_top() -> None:
    first_lines = module.HEADLINE_OUTCOMES_FILE.read_text(encoding="utf-8").splitlines()[:5]
    assert any(
        "Source: Supporting Families Programme guidance 2022 to 2025" in line
        for line in first_lines
    )


def test_names_for_stored_codes_keep_an_unknown_code_visible() -> None:
    headline = load_headline_outcomes()
    assert headline.named(["housing", "education", "retired_code"]) == [
        "Getting a good education",
        "Secure housing",
        "retired_code",
    ]


def test_it_is_not_offered_as_a_threshold_framework() -> None:
    assert "supporting_families" not in available_frameworks()


def test_the_app_keeps_the_list_it_loaded(app) -> None:  # type: ignore[no-untyped-def]
    assert len(app.extensions["caseapp.headline_outcomes"].outcomes) == 10


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not = [valid", "not valid TOML"),
        (
            'source_document = "x"\n',
            "supporting_families.toml: outcomes: missing; this field is required",
        ),
        (
            GOOD_ENTRY,
            "supporting_families.toml: source_document: missing; this field is required",
        ),
        (
            'source_document = "x"\n' + GOOD_ENTRY + GOOD_ENTRY,
            "outcomes -> 2 ('education') -> code: duplicate code 'education': already used by "
            "outcomes -> 1; each code must be unique",
        ),
        (
            'source_document = "x"\n' + GOOD_ENTRY.replace('"education"', '"Good Education"'),
            "outcomes -> 1 ('Good Education') -> code: 'Good Education' is not a valid code",
        ),
        (
            'source_document = "x"\n' + GOOD_ENTRY.replace("name =", "title ="),
            "outcomes -> 1 ('education') -> name: missing; this field is required",
        ),
        (
            'source_document = "x"\n' + GOOD_ENTRY + 'colour = "red"\n',
            "outcomes -> 1 ('education') -> colour: unknown key; allowed keys are code, name "
            "and description",
        ),
        (
            'source_document = "x"\noutcomes = []\n',
            "outcomes: no outcomes; add at least one [[outcomes]] entry",
        ),
    ],
)
def test_a_broken_file_is_refused_with_a_message_saying_where(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(FrameworkError) as error:
        load_headline_outcomes(path)
    assert f"{path} is not a valid list of Supporting Families headline outcomes" in str(
        error.value
    )
    assert message in str(error.value)


def test_a_file_that_is_not_utf8_or_missing_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "supporting_families.toml"
    path.write_bytes(b'source_document = "\xff"\n')
    with pytest.raises(FrameworkError, match="not UTF-8 text"):
        load_headline_outcomes(path)
    with pytest.raises(FrameworkError, match="cannot read the file"):
        load_headline_outcomes(tmp_path / "absent.toml")


def test_a_broken_file_stops_the_app_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = write(tmp_path, 'source_document = "x"\n' + GOOD_ENTRY + GOOD_ENTRY)
    monkeypatch.setattr(module, "HEADLINE_OUTCOMES_FILE", broken)
    with pytest.raises(FrameworkError, match="duplicate code 'education'"):
        build_app(f"sqlite:///{tmp_path / 'never-used.sqlite3'}")
