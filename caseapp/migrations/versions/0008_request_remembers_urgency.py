"""level change requests remember whether the episode was urgent before an urgent request
raised it, so a decline or withdrawal puts the flag back

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:55:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty for requests made before this: nothing is known to put back for them.
    with op.batch_alter_table("level_change_requests") as batch:
        batch.add_column(sa.Column("episode_urgent_before", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("level_change_requests") as batch:
        batch.drop_column("episode_urgent_before")
