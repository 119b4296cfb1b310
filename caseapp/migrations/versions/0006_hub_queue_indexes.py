"""Hub queue: its index carries the family and team its filters test; a family's children
indexed with their dates of birth and levels of need

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 21:10:00

"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

QUEUE_COLUMNS = ["status", "urgent", "hub_due_at", "id"]


def upgrade() -> None:
    op.drop_index("ix_episodes_hub_queue", table_name="episodes")
    op.create_index("ix_episodes_hub_queue", "episodes", [*QUEUE_COLUMNS, "family_id", "team_id"])
    op.create_index(
        "ix_family_members_children",
        "family_members",
        ["family_id", "is_child", "date_of_birth", "current_level_code"],
    )


def downgrade() -> None:
    op.drop_index("ix_family_members_children", table_name="family_members")
    op.drop_index("ix_episodes_hub_queue", table_name="episodes")
    op.create_index("ix_episodes_hub_queue", "episodes", QUEUE_COLUMNS)
