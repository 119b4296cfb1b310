"""hub: requests for support, triage and allocation

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 15:30:48.879890

"""

import sqlalchemy as sa
from alembic import op

import caseapp.models.types

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "support_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("received_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "received_via",
            sa.Enum("online", "phone", "email", name="receivedvia", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("referrer_user_id", sa.Integer(), nullable=True),
        sa.Column("referrer_name", sa.String(length=200), nullable=False),
        sa.Column("referrer_agency", sa.String(length=200), nullable=False),
        sa.Column("referrer_contact", sa.String(length=300), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("tried_so_far", sa.Text(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_given_by", sa.String(length=200), nullable=False),
        sa.Column("consent_not_needed_reason", sa.Text(), nullable=False),
        sa.Column("significant_harm", sa.Boolean(), nullable=False),
        sa.Column(
            "decision_due_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("decided_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "advice",
                "early_help",
                "step_up",
                name="triageoutcome",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("decision_rationale", sa.Text(), nullable=False),
        sa.Column("social_care_route", sa.Text(), nullable=False),
        sa.Column("social_care_contacted", sa.String(length=300), nullable=False),
        sa.Column(
            "referrer_informed_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("referrer_informed_how", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_support_requests_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_support_requests_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_support_requests_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_support_requests_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["referrer_user_id"],
            ["users.id"],
            name=op.f("fk_support_requests_referrer_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_requests")),
        sa.UniqueConstraint("episode_id", name=op.f("uq_support_requests_episode_id")),
    )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_support_requests_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(
            "ix_support_requests_referrer_decided", ["referrer_user_id", "decided_at"], unique=False
        )

    op.create_table(
        "support_request_children",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_support_request_children_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["support_requests.id"],
            name=op.f("fk_support_request_children_request_id_support_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "request_id", "member_id", name=op.f("pk_support_request_children")
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignments_assigned_by_id"), ["assigned_by_id"], unique=False
        )

    with op.batch_alter_table("episodes", schema=None) as batch_op:
        # Existing episodes are not urgent; the default fills them in.
        batch_op.add_column(
            sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("hub_due_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("triage_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_episodes_hub_queue", ["status", "urgent", "hub_due_at", "id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_episodes_triage_by_id_users"), "users", ["triage_by_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_episodes_triage_by_id_users"), type_="foreignkey")
        batch_op.drop_index("ix_episodes_hub_queue")
        batch_op.drop_column("triage_by_id")
        batch_op.drop_column("hub_due_at")
        batch_op.drop_column("urgent")

    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_assigned_by_id"))

    op.drop_table("support_request_children")
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_support_requests_referrer_decided")
        batch_op.drop_index(batch_op.f("ix_support_requests_family_id"))

    op.drop_table("support_requests")
