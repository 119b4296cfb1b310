"""an open episode keeps what the manager's view counts drift from: the family's newest
contact and oversight, a completed EHA, the latest TAF meeting held and the earliest open
plan action's due date

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def facts() -> tuple[sa.Column, ...]:
    return (
        sa.Column("last_contact_on", sa.Date(), nullable=True),
        sa.Column("last_oversight_on", sa.Date(), nullable=True),
        sa.Column("eha_completed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("latest_taf_held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("latest_taf_next_on", sa.Date(), nullable=True),
        sa.Column("first_open_action_due_on", sa.Date(), nullable=True),
    )


# The open episodes' facts from their rows, as services/drift_facts.py works them out
# from here on (written out, as that code may change after this migration).
FILL = """
UPDATE episodes SET
    last_contact_on = (
        SELECT max(case_notes.contact_on) FROM case_notes
        WHERE case_notes.family_id = episodes.family_id),
    last_oversight_on = (
        SELECT max(oversight_notes.oversight_on) FROM oversight_notes
        WHERE oversight_notes.family_id = episodes.family_id),
    eha_completed = EXISTS (
        SELECT 1 FROM assessments
        WHERE assessments.episode_id = episodes.id AND assessments.status = 'completed'),
    latest_taf_held_at = (
        SELECT taf_meetings.at FROM taf_meetings
        WHERE taf_meetings.episode_id = episodes.id AND taf_meetings.status = 'held'
        ORDER BY taf_meetings.at DESC, taf_meetings.id DESC LIMIT 1),
    latest_taf_next_on = (
        SELECT taf_meetings.next_meeting_on FROM taf_meetings
        WHERE taf_meetings.episode_id = episodes.id AND taf_meetings.status = 'held'
        ORDER BY taf_meetings.at DESC, taf_meetings.id DESC LIMIT 1),
    first_open_action_due_on = (
        SELECT min(plan_actions.due_on) FROM plan_actions
        WHERE plan_actions.episode_id = episodes.id
        AND plan_actions.status IN ('in_progress', 'not_started'))
WHERE closed_at IS NULL
"""


def upgrade() -> None:
    # Added in place (SQLite can add these columns without copying the table; a copy would
    # have to drop a table that others' foreign keys point at).
    for column in facts():
        op.add_column("episodes", column)
    op.execute(FILL)


def downgrade() -> None:
    with op.batch_alter_table("episodes") as batch:
        for column in reversed(facts()):
            batch.drop_column(column.name)
