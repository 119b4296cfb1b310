"""The duplicate check's rules, as tables: which recorded children may be the one entered."""

from __future__ import annotations

from datetime import date

import pytest

from caseapp.domain.matching import (
    BirthMatch,
    Identity,
    NameMatch,
    Resemblance,
    birth_dates_to_search,
    birth_match,
    day_month_swapped,
    edit_distance,
    name_match,
    normalise_name,
    pair_up,
    resemblance,
)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("  MAISIE   turner", "maisieturner"),
        ("O'Brien-Smith", "obriensmith"),
        ("Zoë", "zoe"),
        ("José María", "josemaria"),
        ("Иван", "иван"),
        (" 42 ", ""),
    ],
)
def test_names_are_compared_as_letters_only(typed: str, normal: str) -> None:
    assert normalise_name(typed) == normal


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("john", "john", 0),
        ("jon", "john", 1),  # one letter missing
        ("smyth", "smith", 1),  # one letter wrong
        ("hannah", "hanah", 1),
        ("maisie", "masiie", 1),  # two neighbouring letters swapped
        ("ab", "ba", 1),
        ("", "abc", 3),
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  # a swap cannot be edited again (optimal string alignment)
    ],
)
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


@pytest.mark.parametrize(
    ("born", "swapped"),
    [
        (date(2017, 3, 4), date(2017, 4, 3)),
        (date(2017, 12, 1), date(2017, 1, 12)),
        (date(2017, 1, 13), None),  # there is no 13th month
        (date(2017, 5, 5), None),  # the same date either way
    ],
)
def test_day_and_month_read_the_other_way_round(born: date, swapped: date | None) -> None:
    assert day_month_swapped(born) == swapped
    assert birth_dates_to_search(born) == ((born,) if swapped is None else (born, swapped))


@pytest.mark.parametrize(
    ("entered", "recorded", "expected"),
    [
        (date(2017, 3, 4), date(2017, 3, 4), BirthMatch.SAME),
        (date(2017, 3, 4), date(2017, 4, 3), BirthMatch.DAY_MONTH_SWAPPED),
        (date(2017, 3, 4), date(2017, 3, 5), None),
        (date(2017, 3, 4), date(2016, 3, 4), None),
    ],
)
def test_birth_match(entered: date, recorded: date, expected: BirthMatch | None) -> None:
    assert birth_match(entered, recorded) is expected


@pytest.mark.parametrize(
    ("entered", "recorded", "expected"),
    [
        (("John", "Smith"), ("John", "Smith"), NameMatch.SAME),
        (("  MAISIE  ", " turner"), ("Maisie", "Turner"), NameMatch.SAME),
        (("Mary Ann", "Lee"), ("Maryann", "Lee"), NameMatch.SAME),
        (("Mary", "Ann Lee"), ("Mary Ann", "Lee"), NameMatch.SAME),
        (("Jon", "Smyth"), ("John", "Smith"), NameMatch.SIMILAR),
        (("Hanah", "Okafor"), ("Hannah", "Okafor"), NameMatch.SIMILAR),
        (("Jon", "Smith"), ("Jonathan", "Smith"), NameMatch.SIMILAR),
        (("Alex", "Smith-Jones"), ("Alex", "Smith"), NameMatch.SIMILAR),
        (("Christopher", "Wainwright"), ("Kristopher", "Wainright"), NameMatch.SIMILAR),
        (("Smith", "John"), ("John", "Smith"), NameMatch.SIMILAR),
        (("Amy", "Smith"), ("Ava", "Smith"), None),  # twins with the same birthday
        (("Jack", "Smith"), ("Jake", "Smith"), None),
        (("John", "Smith"), ("John", "Brown"), None),
        (("Jo", "Li"), ("Al", "Li"), None),
        (("", "Smith"), ("", "Smith"), None),  # a missing given name vouches for nothing
    ],
)
def test_name_match(
    entered: tuple[str, str], recorded: tuple[str, str], expected: NameMatch | None
) -> None:
    assert name_match(*entered, *recorded) is expected


BORN = date(2017, 3, 4)


@pytest.mark.parametrize(
    ("entered", "recorded", "expected"),
    [
        (
            Identity("John", "Smith", BORN),
            Identity("John", "Smith", BORN),
            Resemblance(NameMatch.SAME, BirthMatch.SAME),
        ),
        (
            Identity("Jon", "Smyth", BORN),
            Identity("John", "Smith", BORN),
            Resemblance(NameMatch.SIMILAR, BirthMatch.SAME),
        ),
        (
            Identity("Jon", "Smyth", BORN),
            Identity("John", "Smith", date(2017, 4, 3)),
            Resemblance(NameMatch.SIMILAR, BirthMatch.DAY_MONTH_SWAPPED),
        ),
        (Identity("Jon", "Smyth", BORN), Identity("John", "Smith", date(2017, 3, 5)), None),
        (Identity("John", "Smith", BORN), Identity("Peter", "Smith", BORN), None),
    ],
)
def test_resemblance_needs_both_name_and_birth_date(
    entered: Identity, recorded: Identity, expected: Resemblance | None
) -> None:
    assert resemblance(entered, recorded) == expected


def test_resemblances_rank_and_describe_themselves() -> None:
    ranked = sorted(
        (Resemblance(name, birth) for name in NameMatch for birth in BirthMatch),
        key=lambda alike: alike.rank,
    )
    assert [alike.label for alike in ranked] == [
        "Same name, same date of birth",
        "Similar name, same date of birth",
        "Same name, date of birth with day and month swapped",
        "Similar name, date of birth with day and month swapped",
    ]


def test_pair_up_takes_the_best_pairs_and_uses_each_person_once() -> None:
    entered = ["a", "b", "c"]
    recorded = ["x", "y"]
    ranks = {("a", "x"): 1, ("b", "x"): 0, ("a", "y"): 2, ("c", "y"): 3}
    pairs = pair_up(entered, recorded, lambda one, other: ranks.get((one, other)))
    # b takes x (rank 0); a falls back to y (2) before c could (3); c is left unpaired.
    assert pairs == {1: 0, 0: 1}


def test_pair_up_with_nobody_alike_pairs_nobody() -> None:
    assert pair_up(["a"], ["x"], lambda one, other: None) == {}
    assert pair_up([], ["x"], lambda one, other: 0) == {}
