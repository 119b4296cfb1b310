"""Does a child entered on a request look like one already on record?

Pure rules, so the duplicate check can be tested as a table. A possible match needs the
same date of birth (or the same one with day and month typed the wrong way round) and a
name that is the same or a likely mistyping of it. Case, spacing, punctuation and accents
never matter. The Hub coordinator decides; these rules only decide what to show them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import IntEnum
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def normalise_name(name: str) -> str:
    """Letters only, case-folded, accents removed: "  O'Brien-Smith " -> "obriensmith".

    Letters of any script are kept, so names not written in Latin letters still compare.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if char.isalpha()).casefold()


def edit_distance(a: str, b: str) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbouring letters needed
    to turn `a` into `b` (optimal string alignment distance)."""
    if a == b:
        return 0
    previous_row: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before_previous, previous_row = previous_row, row
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], before_previous[j - 2] + 1)
    return row[len(b)]


def day_month_swapped(born: date) -> date | None:
    """The date read the other way round (3 April for 4 March), when that is a different
    real date."""
    if born.day == born.month or born.day > 12:
        return None
    return date(born.year, born.day, born.month)


def birth_dates_to_search(born: date) -> tuple[date, ...]:
    swapped = day_month_swapped(born)
    return (born,) if swapped is None else (born, swapped)


class NameMatch(IntEnum):
    # Lower is stronger, so matches sort best first.
    SAME = 0
    SIMILAR = 1


class BirthMatch(IntEnum):
    SAME = 0
    DAY_MONTH_SWAPPED = 1


@dataclass(frozen=True)
class Identity:
    """What a child is matched on: their name and date of birth."""

    given_name: str
    family_name: str
    date_of_birth: date

    @property
    def given_key(self) -> str:
        return normalise_name(self.given_name)

    @property
    def family_key(self) -> str:
        return normalise_name(self.family_name)


@dataclass(frozen=True)
class Resemblance:
    name: NameMatch
    birth: BirthMatch

    @property
    def rank(self) -> int:
        return self.name + 2 * self.birth

    @property
    def label(self) -> str:
        name = "Same name" if self.name is NameMatch.SAME else "Similar name"
        if self.birth is BirthMatch.SAME:
            return f"{name}, same date of birth"
        return f"{name}, date of birth with day and month swapped"


def _given_names_close(a: str, b: str) -> bool:
    shorter = min(len(a), len(b))
    if edit_distance(a, b) <= (2 if shorter >= 6 else 1):
        return True
    # A short form written for the full name: Jon and Jonathan, Alex and Alexandra.
    return shorter >= 3 and (a.startswith(b) or b.startswith(a))


def _family_names_close(a: str, b: str) -> bool:
    shorter = min(len(a), len(b))
    if edit_distance(a, b) <= (2 if shorter >= 8 else 1):
        return True
    # One half of a double-barrelled name: Smith for Smith-Jones.
    return shorter >= 3 and (a.startswith(b) or b.startswith(a) or a.endswith(b) or b.endswith(a))


def name_match(given_a: str, family_a: str, given_b: str, family_b: str) -> NameMatch | None:
    """How alike two people's names are, or None. Takes the raw names as typed."""
    ga, fa, gb, fb = (normalise_name(part) for part in (given_a, family_a, given_b, family_b))
    if not (ga and fa and gb and fb):
        return None  # a missing name part cannot vouch for anything
    if (ga, fa) == (gb, fb) or ga + fa == gb + fb:
        return NameMatch.SAME
    if edit_distance(ga + fa, gb + fb) <= 1:
        return NameMatch.SIMILAR
    if _given_names_close(ga, gb) and _family_names_close(fa, fb):
        return NameMatch.SIMILAR
    # Given and family names typed into each other's boxes.
    if (ga, fa) == (fb, gb):
        return NameMatch.SIMILAR
    return None


def birth_match(entered: date, recorded: date) -> BirthMatch | None:
    if entered == recorded:
        return BirthMatch.SAME
    if day_month_swapped(entered) == recorded:
        return BirthMatch.DAY_MONTH_SWAPPED
    return None


def resemblance(entered: Identity, recorded: Identity) -> Resemblance | None:
    """Whether the recorded child may be the entered one, and how strongly; None if not."""
    birth = birth_match(entered.date_of_birth, recorded.date_of_birth)
    if birth is None:
        return None
    name = name_match(
        entered.given_name, entered.family_name, recorded.given_name, recorded.family_name
    )
    if name is None:
        return None
    return Resemblance(name=name, birth=birth)


def pair_up(
    entered: Sequence[A], recorded: Sequence[B], rank: Callable[[A, B], int | None]
) -> dict[int, int]:
    """Pair entered people with recorded ones, each used at most once, best pairs first.

    `rank` gives lower numbers to better pairs and None to people who are not alike.
    Returns {index in entered: index in recorded}.
    """
    candidates = sorted(
        (score, i, j)
        for i, person in enumerate(entered)
        for j, other in enumerate(recorded)
        if (score := rank(person, other)) is not None
    )
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in candidates:
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs
