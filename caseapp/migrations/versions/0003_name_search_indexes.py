"""name search: pattern-ops indexes on PostgreSQL for prefix matching

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 16:05:00

"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

NAME_INDEXES = {
    "ix_family_members_name_key": "name_key",
    "ix_family_members_family_name_key": "family_name_key",
}


def _recreate(pattern_ops: bool) -> None:
    # SQLite's LIKE prefix optimisation works with the plain index it already has.
    if op.get_bind().dialect.name != "postgresql":
        return
    for index, column in NAME_INDEXES.items():
        op.drop_index(index, table_name="family_members")
        op.create_index(
            index,
            "family_members",
            [column],
            postgresql_ops={column: "varchar_pattern_ops"} if pattern_ops else {},
        )


def upgrade():
    _recreate(pattern_ops=True)


def downgrade():
    _recreate(pattern_ops=False)
