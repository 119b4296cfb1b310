"""level change requests indexed by family and status, and by episode, kind, status and
decision date, in place of the single-column family and episode indexes they lead with:
the review queue and the manager's monthly approvals read a team's requests from them
without visiting the decided ones

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 06:20:00

"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_level_change_requests_family_status",
        "level_change_requests",
        ["family_id", "status"],
    )
    op.create_index(
        "ix_level_change_requests_episode_decided",
        "level_change_requests",
        ["episode_id", "kind", "status", "decided_at"],
    )
    op.drop_index("ix_level_change_requests_family_id", table_name="level_change_requests")
    op.drop_index("ix_level_change_requests_episode_id", table_name="level_change_requests")


def downgrade() -> None:
    op.create_index("ix_level_change_requests_episode_id", "level_change_requests", ["episode_id"])
    op.create_index("ix_level_change_requests_family_id", "level_change_requests", ["family_id"])
    op.drop_index("ix_level_change_requests_episode_decided", table_name="level_change_requests")
    op.drop_index("ix_level_change_requests_family_status", table_name="level_change_requests")
