"""Two people saving the same EHA section, or saving while someone completes it.

Each person works in a thread with its own application context, so each has its own
SQLAlchemy session and database connection, as two requests to two app servers would.
Runs on SQLite and PostgreSQL; on PostgreSQL the second writer waits on the first one's
lock on the assessment's row, then finds the section moved on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import func, select

from caseapp.domain.casework import AssessmentStatus
from caseapp.domain.timeline import EventKind
from caseapp.extensions import db
from caseapp.models import Assessment, AssessmentSection, TimelineEvent, User
from caseapp.services.assessments import (
    AssessmentLocked,
    SectionConflict,
    complete_assessment,
    save_section,
)
from caseapp.services.context import Actor
from tests.factories import make_team, make_user
from tests.test_allocation_concurrency import TIMEOUT, run_in_thread
from tests.test_assessments import answer_everything, framework, started
from tests.test_consent import Case, make_case


@dataclass
class Attempt:
    """What one person's save or completion came to."""

    done: bool = False
    conflict: SectionConflict | None = None
    locked: bool = False
    error: BaseException | None = None


def in_own_session(app: Flask, user_id: int, attempt: Attempt, act: Callable[[Actor], object]):
    with app.app_context():
        try:
            act(Actor(db.session.get(User, user_id)))
            attempt.done = True
        except SectionConflict as conflict:
            # Read what the loser is told while its session is still open.
            conflict.current.updated_by.name  # noqa: B018
            attempt.conflict = conflict
        except AssessmentLocked:
            attempt.locked = True
        except BaseException as error:  # reported by the test, never swallowed
            attempt.error = error


def run_together(app: Flask, *people: tuple[int, Attempt, Callable[[Actor], object]]) -> None:
    """Start everyone at the same moment and wait for them all."""
    barrier = threading.Barrier(len(people), timeout=TIMEOUT)

    def person(user_id: int, attempt: Attempt, act: Callable[[Actor], object]) -> None:
        barrier.wait()
        in_own_session(app, user_id, attempt, act)

    threads = [run_in_thread(person, *p) for p in people]
    for thread in threads:
        thread.join(TIMEOUT)
        assert not thread.is_alive()
    for _, attempt, _ in people:
        assert attempt.error is None, repr(attempt.error)


@pytest.fixture
def case(app: Flask) -> Case:
    return make_case()


def saving(
    app: Flask, case: Case, assessment_id: int, section: str, version: int, text: str
) -> Callable[[Actor], object]:
    member_id = case.child_ids[0]
    return lambda actor: save_section(
        actor,
        case.family_id,
        assessment_id,
        member_id,
        section,
        version,
        {"analysis": text} if section == "analysis" else {"reason": text},
        framework(app),
    )


def test_two_people_saving_the_same_section_at_once_save_exactly_one(app: Flask, case: Case):
    assessment = started(app, case)
    manager = make_user("manager", name="Ruth Mensah", team=make_team())
    lead_text, manager_text = "The lead worker's analysis", "The manager's analysis"
    lead, boss = Attempt(), Attempt()
    run_together(
        app,
        (case.lead.id, lead, saving(app, case, assessment.id, "analysis", 0, lead_text)),
        (manager.id, boss, saving(app, case, assessment.id, "analysis", 0, manager_text)),
    )
    assert sorted([lead.done, boss.done]) == [False, True]
    winner, loser = (lead, boss) if lead.done else (boss, lead)
    db.session.expire_all()
    (row,) = db.session.scalars(select(AssessmentSection)).all()
    assert row.version == 1
    winning_text = lead_text if winner is lead else manager_text
    assert row.answers == {"analysis": winning_text}
    # The loser is told who saved what, as it is now; nothing of theirs was written.
    assert loser.conflict is not None
    assert loser.conflict.current.answers == {"analysis": winning_text}
    assert loser.conflict.current.version == 1
    assert loser.conflict.current.updated_by_id == row.updated_by_id
    saved_events = db.session.scalar(
        select(func.count(TimelineEvent.id)).where(
            TimelineEvent.kind == EventKind.ASSESSMENT_SECTION_SAVED
        )
    )
    assert saved_events == 1


def test_a_save_from_a_page_loaded_before_someone_elses_save_is_a_conflict(
    app: Flask, case: Case
) -> None:
    """Both opened the page at version 1; Ruth saves first, then Priya."""
    assessment = started(app, case)
    first = Attempt()
    in_own_session(
        app, case.lead.id, first, saving(app, case, assessment.id, "reason", 0, "First words")
    )
    manager = make_user("manager", name="Ruth Mensah", team=make_team())
    ruth, priya = Attempt(), Attempt()
    in_own_session(app, manager.id, ruth, saving(app, case, assessment.id, "reason", 1, "Ruth's"))
    in_own_session(
        app, case.lead.id, priya, saving(app, case, assessment.id, "reason", 1, "Priya's")
    )
    assert ruth.done and priya.conflict is not None
    assert priya.conflict.current.answers == {"reason": "Ruth's"}
    assert priya.conflict.current.updated_by.name == "Ruth Mensah"
    db.session.expire_all()
    assert db.session.scalar(select(AssessmentSection.answers)) == {"reason": "Ruth's"}


def test_two_people_saving_different_sections_at_once_both_save(app: Flask, case: Case):
    assessment = started(app, case)
    manager = make_user("manager", team=make_team())
    lead, boss = Attempt(), Attempt()
    run_together(
        app,
        (case.lead.id, lead, saving(app, case, assessment.id, "analysis", 0, "Analysis")),
        (manager.id, boss, saving(app, case, assessment.id, "reason", 0, "Reason")),
    )
    assert lead.done and boss.done
    db.session.expire_all()
    assert db.session.scalar(select(func.count(AssessmentSection.id))) == 2


def test_a_section_is_never_saved_into_an_assessment_just_completed(app: Flask, case: Case):
    """Completion and a save race: either the save lands first and is part of the completed
    assessment, or the completion does and the save is refused. Never a change afterwards."""
    for _ in range(3):
        assessment = started(app, case)
        answer_everything(app, case, assessment.id, case.child_ids)
        manager = make_user("manager", team=make_team())
        completing, late = Attempt(), Attempt()
        run_together(
            app,
            (
                case.lead.id,
                completing,
                lambda actor, a=assessment.id: complete_assessment(
                    actor, case.family_id, a, framework(app)
                ),
            ),
            (manager.id, late, saving(app, case, assessment.id, "reason", 1, "A late change")),
        )
        assert completing.done
        db.session.expire_all()
        done = db.session.get(Assessment, assessment.id)
        assert done.status is AssessmentStatus.COMPLETED
        row = db.session.scalar(
            select(AssessmentSection).where(
                AssessmentSection.assessment_id == assessment.id,
                AssessmentSection.member_id == case.child_ids[0],
                AssessmentSection.section == "reason",
            )
        )
        if late.done:
            assert row.answers == {"reason": "A late change"}
            assert row.updated_at <= done.completed_at
        else:
            assert late.locked
            assert row.answers != {"reason": "A late change"}
        # The next round is a reassessment of the same family.
