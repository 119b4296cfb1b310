"""foundation: people, families, episodes, levels, timeline, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-27 15:04:10.586021

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import caseapp.models.types

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agencies")),
        sa.UniqueConstraint("name", name=op.f("uq_agencies_name")),
    )
    op.create_table(
        "families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("postcode", sa.String(length=10), nullable=False),
        sa.Column("postcode_key", sa.String(length=10), nullable=False),
        sa.Column("locality", sa.String(length=120), nullable=False),
        sa.Column("created_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_families")),
    )
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_families_locality"), ["locality"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_families_postcode_key"), ["postcode_key"], unique=False
        )

    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("locality", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", name=op.f("uq_teams_name")),
    )
    op.create_table(
        "family_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("family_name_key", sa.String(length=100), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("relationship_to_child", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=40), nullable=False),
        sa.Column("ethnicity", sa.String(length=100), nullable=False),
        sa.Column("first_language", sa.String(length=60), nullable=False),
        sa.Column("needs_interpreter", sa.Boolean(), nullable=False),
        sa.Column("disability", sa.String(length=300), nullable=False),
        sa.Column("lives_in_home", sa.Boolean(), nullable=False),
        sa.Column("parental_responsibility", sa.Boolean(), nullable=False),
        sa.Column("current_level_code", sa.String(length=60), nullable=True),
        sa.Column("created_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "is_child = false OR date_of_birth IS NOT NULL",
            name=op.f("ck_family_members_child_has_dob"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_family_members_family_id_families")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_members")),
    )
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_family_members_current_level_code"), ["current_level_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_family_members_date_of_birth"), ["date_of_birth"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_family_members_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_family_members_family_name_key"), ["family_name_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_family_members_name_key"), ["name_key"], unique=False)

    op.create_table(
        "professionals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("contact", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_professionals_family_id_families")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_professionals")),
    )
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_professionals_family_id"), ["family_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("job_title", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_sign_in_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_users_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_users_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_agency_id"), ["agency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_team_id"), ["team_id"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=True),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_audit_events_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_events_family_at", ["family_id", "at"], unique=False)
        batch_op.create_index("ix_audit_events_user_at", ["user_id", "at"], unique=False)

    op.create_table(
        "episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "triage",
                "awaiting_allocation",
                "allocated",
                "assessment",
                "plan_active",
                "review",
                "closure_requested",
                "step_up_requested",
                "stepped_up",
                "step_down_requested",
                "closed",
                name="episodestatus",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("opened_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("lead_worker_id", sa.Integer(), nullable=True),
        sa.Column("allocated_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "closure_reason",
            sa.Enum(
                "needs_met",
                "stepped_down_to_universal",
                "stepped_up_to_social_care",
                "consent_withdrawn",
                "moved_out_of_area",
                "advice_and_signposting",
                "other",
                name="closurereason",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("closure_detail", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_episodes_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["lead_worker_id"], ["users.id"], name=op.f("fk_episodes_lead_worker_id_users")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_episodes_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episodes")),
    )
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_episodes_family_id"), ["family_id"], unique=False)
        batch_op.create_index(
            "ix_episodes_lead_worker_status", ["lead_worker_id", "status"], unique=False
        )
        batch_op.create_index("ix_episodes_status_opened", ["status", "opened_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_episodes_team_id"), ["team_id"], unique=False)
        batch_op.create_index(
            "uq_episodes_one_open_per_family",
            ["family_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )

    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "lead_worker",
                "hub_coordinator",
                "manager",
                "admin",
                name="role",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_roles_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("lead_worker_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ended_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["users.id"], name=op.f("fk_assignments_assigned_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_assignments_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["lead_worker_id"], ["users.id"], name=op.f("fk_assignments_lead_worker_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assignments_lead_worker_id"), ["lead_worker_id"], unique=False
        )
        batch_op.create_index(
            "uq_assignments_one_current_per_episode",
            ["episode_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "level_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("framework_key", sa.String(length=40), nullable=False),
        sa.Column("level_code", sa.String(length=60), nullable=False),
        sa.Column("previous_level_code", sa.String(length=60), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column(
            "indicator_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_level_decisions_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_level_decisions_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_level_decisions_member_id_family_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_decisions")),
    )
    with op.batch_alter_table("level_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_level_decisions_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            "ix_level_decisions_member_decided", ["member_id", "decided_at"], unique=False
        )

    op.create_table(
        "timeline_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_timeline_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_timeline_events_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_timeline_events_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_timeline_events_member_id_family_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timeline_events_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            "ix_timeline_events_family_occurred", ["family_id", "occurred_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_timeline_events_member_id"), ["member_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_events_member_id"))
        batch_op.drop_index("ix_timeline_events_family_occurred")
        batch_op.drop_index(batch_op.f("ix_timeline_events_episode_id"))

    op.drop_table("timeline_events")
    with op.batch_alter_table("level_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_level_decisions_member_decided")
        batch_op.drop_index(batch_op.f("ix_level_decisions_episode_id"))

    op.drop_table("level_decisions")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assignments_one_current_per_episode",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_assignments_lead_worker_id"))
        batch_op.drop_index(batch_op.f("ix_assignments_episode_id"))

    op.drop_table("assignments")
    op.drop_table("user_roles")
    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_episodes_one_open_per_family",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_episodes_team_id"))
        batch_op.drop_index("ix_episodes_status_opened")
        batch_op.drop_index("ix_episodes_lead_worker_status")
        batch_op.drop_index(batch_op.f("ix_episodes_family_id"))

    op.drop_table("episodes")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_user_at")
        batch_op.drop_index("ix_audit_events_family_at")
        batch_op.drop_index(batch_op.f("ix_audit_events_at"))

    op.drop_table("audit_events")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_team_id"))
        batch_op.drop_index(batch_op.f("ix_users_agency_id"))

    op.drop_table("users")
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_professionals_family_id"))

    op.drop_table("professionals")
    with op.batch_alter_table("family_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_family_members_name_key"))
        batch_op.drop_index(batch_op.f("ix_family_members_family_name_key"))
        batch_op.drop_index(batch_op.f("ix_family_members_family_id"))
        batch_op.drop_index(batch_op.f("ix_family_members_date_of_birth"))
        batch_op.drop_index(batch_op.f("ix_family_members_current_level_code"))

    op.drop_table("family_members")
    op.drop_table("teams")
    with op.batch_alter_table("families", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_families_postcode_key"))
        batch_op.drop_index(batch_op.f("ix_families_locality"))

    op.drop_table("families")
    op.drop_table("agencies")
