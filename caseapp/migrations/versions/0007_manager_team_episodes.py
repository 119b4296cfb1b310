"""manager's view and review queue: a team's episodes read from one index, and TAF
meetings' index carries their agreed review dates; a person's own requests for support
found without a scan

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 21:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HAS_REFERRER = sa.text("referrer_user_id IS NOT NULL")
TAF_COLUMNS = ["episode_id", "status", "at"]


def upgrade() -> None:
    op.create_index(
        "ix_episodes_team_closed",
        "episodes",
        ["team_id", "closed_at", "status", "allocated_at", "opened_at", "family_id", "id"],
    )
    op.drop_index("ix_taf_meetings_episode_status_at", table_name="taf_meetings")
    op.create_index(
        "ix_taf_meetings_episode_status_at", "taf_meetings", [*TAF_COLUMNS, "next_meeting_on"]
    )
    op.create_index(
        "ix_support_requests_referrer_received",
        "support_requests",
        ["referrer_user_id", "received_at", "id"],
        sqlite_where=HAS_REFERRER,
        postgresql_where=HAS_REFERRER,
    )


def downgrade() -> None:
    op.drop_index("ix_support_requests_referrer_received", table_name="support_requests")
    op.drop_index("ix_taf_meetings_episode_status_at", table_name="taf_meetings")
    op.create_index("ix_taf_meetings_episode_status_at", "taf_meetings", TAF_COLUMNS)
    op.drop_index("ix_episodes_team_closed", table_name="episodes")
