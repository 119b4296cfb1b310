"""audit trail: the database refuses to delete or change audit events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 18:05:00

"""

from alembic import op

from caseapp.models.audit_guard import install_statements, remove_statements

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for statement in install_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in remove_statements(op.get_bind().dialect.name):
        op.execute(statement)
