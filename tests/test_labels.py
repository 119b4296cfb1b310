"""Every value of the casework and decision vocabularies has its own words on the page."""

from __future__ import annotations

from caseapp.domain.casework import LabelledEnum, OutcomeStatus
from caseapp.domain.level_requests import DisagreementStatus


def _vocabularies() -> list[type[LabelledEnum]]:
    found: list[type[LabelledEnum]] = []
    pending = list(LabelledEnum.__subclasses__())
    while pending:
        vocabulary = pending.pop()
        found.append(vocabulary)
        pending.extend(vocabulary.__subclasses__())
    return found


def test_every_member_of_every_vocabulary_has_a_label() -> None:
    vocabularies = _vocabularies()
    assert len(vocabularies) >= 10
    for vocabulary in vocabularies:
        for member in vocabulary:
            assert member.label.strip(), member


def test_equal_values_in_different_vocabularies_keep_their_own_labels() -> None:
    assert OutcomeStatus.OPEN == DisagreementStatus.OPEN == "open"
    assert OutcomeStatus.OPEN.label != DisagreementStatus.OPEN.label
