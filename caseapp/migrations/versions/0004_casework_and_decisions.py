"""casework and decisions: consent, EHA, plan, TAF meetings, case notes, drafts;
level change requests, step-downs from social care, disagreements and oversight

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 17:47:48.628044

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import caseapp.models.types

# The JSON columns: JSONB on PostgreSQL, as caseapp.models.types.JsonDocument.
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form_key", sa.String(length=200), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=True),
        sa.Column("fields", JSON_DOCUMENT, nullable=False),
        sa.Column("saved_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_drafts_family_id_families")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("user_id", "form_key", name="uq_drafts_user_form"),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_family_id"), ["family_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "completed", name="assessmentstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("member_ids", JSON_DOCUMENT, nullable=False),
        sa.Column("started_by_id", sa.Integer(), nullable=False),
        sa.Column("started_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_assessments_completed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_assessments_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_assessments_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["users.id"], name=op.f("fk_assessments_started_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("family_id", "number", name="uq_assessments_number"),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessments_family_id"), ["family_id"], unique=False)

    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("contact_on", sa.Date(), nullable=False),
        sa.Column(
            "contact_type",
            sa.Enum(
                "home_visit",
                "phone_call",
                "school_visit",
                "office_visit",
                "video_call",
                "message",
                "other",
                name="contacttype",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("seen_member_ids", JSON_DOCUMENT, nullable=False),
        sa.Column("others_seen", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_case_notes_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_case_notes_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_case_notes_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notes")),
    )
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_notes_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(
            "ix_case_notes_family_contact", ["family_id", "contact_on", "id"], unique=False
        )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("given_by_member_id", sa.Integer(), nullable=True),
        sa.Column("given_by_name", sa.String(length=200), nullable=False),
        sa.Column(
            "given_by_role",
            sa.Enum(
                "parent", "carer", "young_person", name="consentgiver", native_enum=False, length=30
            ),
            nullable=False,
        ),
        sa.Column("share_with", JSON_DOCUMENT, nullable=False),
        sa.Column("not_to_share", sa.Text(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "signed_form",
                "verbal_in_person",
                "phone",
                "email_or_online",
                name="consentmethod",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("withdrawal_note", sa.Text(), nullable=False),
        sa.Column("withdrawal_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "withdrawal_recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_consents_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_consents_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["given_by_member_id"],
            ["family_members.id"],
            name=op.f("fk_consents_given_by_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_consents_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawal_recorded_by_id"],
            ["users.id"],
            name=op.f("fk_consents_withdrawal_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_episode_id"), ["episode_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_consents_family_id"), ["family_id"], unique=False)

    op.create_table(
        "level_change_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "step_up", "step_down", "closure", name="requestkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "target",
            sa.Enum(
                "level",
                "universal",
                "social_care",
                name="requesttarget",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "returned",
                "approved",
                "declined",
                "withdrawn",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
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
        sa.Column("after_closure", sa.Text(), nullable=False),
        sa.Column("evidence", JSON_DOCUMENT, nullable=False),
        sa.Column("further_information", sa.Text(), nullable=False),
        sa.Column(
            "episode_status_before",
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
            nullable=True,
        ),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_level_change_requests_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_level_change_requests_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_level_change_requests_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_level_change_requests_requested_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_change_requests")),
    )
    with op.batch_alter_table("level_change_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_level_change_requests_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_level_change_requests_family_id"), ["family_id"], unique=False
        )
        batch_op.create_index(
            "ix_level_change_requests_queue",
            ["status", "urgent", "submitted_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_level_change_requests_requested_by_id"),
            ["requested_by_id"],
            unique=False,
        )

    op.create_table(
        "oversight_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("oversight_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_oversight_notes_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_oversight_notes_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_oversight_notes_manager_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_notes")),
    )
    with op.batch_alter_table("oversight_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oversight_notes_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            "ix_oversight_notes_family_on", ["family_id", "oversight_on"], unique=False
        )

    op.create_table(
        "plan_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=False),
        sa.Column("headline_outcomes", JSON_DOCUMENT, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "achieved",
                "no_longer_needed",
                name="outcomestatus",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plan_outcomes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_plan_outcomes_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_plan_outcomes_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_plan_outcomes_member_id_family_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_outcomes")),
    )
    with op.batch_alter_table("plan_outcomes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_outcomes_episode_status", ["episode_id", "status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_outcomes_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_outcomes_member_id"), ["member_id"], unique=False)

    op.create_table(
        "social_care_step_downs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("from_team", sa.String(length=200), nullable=False),
        sa.Column("handover_summary", sa.Text(), nullable=False),
        sa.Column("step_down_taf_on", sa.Date(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episodes.id"],
            name=op.f("fk_social_care_step_downs_episode_id_episodes"),
        ),
        sa.ForeignKeyConstraint(
            ["family_id"],
            ["families.id"],
            name=op.f("fk_social_care_step_downs_family_id_families"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_social_care_step_downs_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_social_care_step_downs")),
    )
    with op.batch_alter_table("social_care_step_downs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_social_care_step_downs_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_social_care_step_downs_family_id"), ["family_id"], unique=False
        )

    op.create_table(
        "taf_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "initial", "review", "step_down", name="meetingkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "scheduled", "held", "cancelled", name="meetingstatus", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("family_views", sa.Text(), nullable=False),
        sa.Column("child_views", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("next_meeting_on", sa.Date(), nullable=True),
        sa.Column("scheduled_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_taf_meetings_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_taf_meetings_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_taf_meetings_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by_id"], ["users.id"], name=op.f("fk_taf_meetings_scheduled_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taf_meetings")),
    )
    with op.batch_alter_table("taf_meetings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_taf_meetings_episode_status_at", ["episode_id", "status", "at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_taf_meetings_family_id"), ["family_id"], unique=False)

    op.create_table(
        "assessment_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("answers", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessments.id"],
            name=op.f("fk_assessment_sections_assessment_id_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_assessment_sections_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_assessment_sections_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_sections")),
    )
    with op.batch_alter_table("assessment_sections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_sections_assessment_id"), ["assessment_id"], unique=False
        )
        batch_op.create_index(
            "uq_assessment_sections_child_section",
            ["assessment_id", "member_id", "section"],
            unique=True,
            sqlite_where=sa.text("member_id IS NOT NULL"),
            postgresql_where=sa.text("member_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_assessment_sections_family_section",
            ["assessment_id", "section"],
            unique=True,
            sqlite_where=sa.text("member_id IS NULL"),
            postgresql_where=sa.text("member_id IS NULL"),
        )

    op.create_table(
        "disagreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("disputed", sa.Text(), nullable=False),
        sa.Column("resolve_by", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "resolved", name="disagreementstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_disagreements_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_disagreements_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["users.id"], name=op.f("fk_disagreements_raised_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["level_change_requests.id"],
            name=op.f("fk_disagreements_request_id_level_change_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_disagreements_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreements")),
    )
    with op.batch_alter_table("disagreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disagreements_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_disagreements_family_id"), ["family_id"], unique=False)
        batch_op.create_index(
            "ix_disagreements_status_resolve_by", ["status", "resolve_by"], unique=False
        )

    op.create_table(
        "level_change_request_children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("from_level_code", sa.String(length=60), nullable=True),
        sa.Column("to_level_code", sa.String(length=60), nullable=True),
        sa.Column("indicator_codes", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_level_change_request_children_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["level_change_requests.id"],
            name=op.f("fk_level_change_request_children_request_id_level_change_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_level_change_request_children")),
    )
    with op.batch_alter_table("level_change_request_children", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_level_change_request_children_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_level_change_request_children_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "outcome_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meetings.id"],
            name=op.f("fk_outcome_scores_meeting_id_taf_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["plan_outcomes.id"],
            name=op.f("fk_outcome_scores_outcome_id_plan_outcomes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_scores")),
        sa.UniqueConstraint("meeting_id", "outcome_id", name="uq_outcome_scores"),
    )
    with op.batch_alter_table("outcome_scores", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_scores_outcome_id"), ["outcome_id"], unique=False
        )

    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("outcome_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("owner_agency", sa.String(length=200), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "done",
                "cancelled",
                name="actionstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_plan_actions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episodes.id"], name=op.f("fk_plan_actions_episode_id_episodes")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_plan_actions_family_id_families")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meetings.id"],
            name=op.f("fk_plan_actions_meeting_id_taf_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["plan_outcomes.id"],
            name=op.f("fk_plan_actions_outcome_id_plan_outcomes"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_plan_actions_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_actions_episode_status_due", ["episode_id", "status", "due_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_plan_actions_family_id"), ["family_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_actions_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_actions_outcome_id"), ["outcome_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plan_actions_owner_user_id"), ["owner_user_id"], unique=False
        )

    op.create_table(
        "request_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "submitted",
                "resubmitted",
                "approved",
                "declined",
                "returned",
                "withdrawn",
                name="reviewaction",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["by_id"], ["users.id"], name=op.f("fk_request_reviews_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["level_change_requests.id"],
            name=op.f("fk_request_reviews_request_id_level_change_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_reviews")),
    )
    with op.batch_alter_table("request_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_request_reviews_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "taf_attendees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["taf_meetings.id"],
            name=op.f("fk_taf_attendees_meeting_id_taf_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["family_members.id"],
            name=op.f("fk_taf_attendees_member_id_family_members"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_taf_attendees_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taf_attendees")),
    )
    with op.batch_alter_table("taf_attendees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_taf_attendees_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_taf_attendees_user_id"), ["user_id"], unique=False)

    op.create_table(
        "disagreement_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("disagreement_id", sa.Integer(), nullable=False),
        sa.Column("to_stage", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("escalated_by_id", sa.Integer(), nullable=False),
        sa.Column("escalated_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolve_by", caseapp.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["disagreement_id"],
            ["disagreements.id"],
            name=op.f("fk_disagreement_escalations_disagreement_id_disagreements"),
        ),
        sa.ForeignKeyConstraint(
            ["escalated_by_id"],
            ["users.id"],
            name=op.f("fk_disagreement_escalations_escalated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disagreement_escalations")),
    )
    with op.batch_alter_table("disagreement_escalations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disagreement_escalations_disagreement_id"),
            ["disagreement_id"],
            unique=False,
        )

    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reopened_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "rerequest_within_year", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_episodes_reopened_from_id_episodes"),
            "episodes",
            ["reopened_from_id"],
            ["id"],
        )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "caseload_seen_at", caseapp.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("caseload_seen_at")

    with op.batch_alter_table("episodes", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_episodes_reopened_from_id_episodes"), type_="foreignkey"
        )
        batch_op.drop_column("rerequest_within_year")
        batch_op.drop_column("reopened_from_id")

    with op.batch_alter_table("disagreement_escalations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disagreement_escalations_disagreement_id"))

    op.drop_table("disagreement_escalations")
    with op.batch_alter_table("taf_attendees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taf_attendees_user_id"))
        batch_op.drop_index(batch_op.f("ix_taf_attendees_meeting_id"))

    op.drop_table("taf_attendees")
    with op.batch_alter_table("request_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_reviews_request_id"))

    op.drop_table("request_reviews")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_actions_owner_user_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_outcome_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_family_id"))
        batch_op.drop_index("ix_plan_actions_episode_status_due")

    op.drop_table("plan_actions")
    with op.batch_alter_table("outcome_scores", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_scores_outcome_id"))

    op.drop_table("outcome_scores")
    with op.batch_alter_table("level_change_request_children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_change_request_children_request_id"))
        batch_op.drop_index(batch_op.f("ix_level_change_request_children_member_id"))

    op.drop_table("level_change_request_children")
    with op.batch_alter_table("disagreements", schema=None) as batch_op:
        batch_op.drop_index("ix_disagreements_status_resolve_by")
        batch_op.drop_index(batch_op.f("ix_disagreements_family_id"))
        batch_op.drop_index(batch_op.f("ix_disagreements_episode_id"))

    op.drop_table("disagreements")
    with op.batch_alter_table("assessment_sections", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_assessment_sections_family_section",
            sqlite_where=sa.text("member_id IS NULL"),
            postgresql_where=sa.text("member_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_assessment_sections_child_section",
            sqlite_where=sa.text("member_id IS NOT NULL"),
            postgresql_where=sa.text("member_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_assessment_sections_assessment_id"))

    op.drop_table("assessment_sections")
    with op.batch_alter_table("taf_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_taf_meetings_family_id"))
        batch_op.drop_index("ix_taf_meetings_episode_status_at")

    op.drop_table("taf_meetings")
    with op.batch_alter_table("social_care_step_downs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_social_care_step_downs_family_id"))
        batch_op.drop_index(batch_op.f("ix_social_care_step_downs_episode_id"))

    op.drop_table("social_care_step_downs")
    with op.batch_alter_table("plan_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_outcomes_member_id"))
        batch_op.drop_index(batch_op.f("ix_plan_outcomes_family_id"))
        batch_op.drop_index("ix_plan_outcomes_episode_status")

    op.drop_table("plan_outcomes")
    with op.batch_alter_table("oversight_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_oversight_notes_family_on")
        batch_op.drop_index(batch_op.f("ix_oversight_notes_episode_id"))

    op.drop_table("oversight_notes")
    with op.batch_alter_table("level_change_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_change_requests_requested_by_id"))
        batch_op.drop_index("ix_level_change_requests_queue")
        batch_op.drop_index(batch_op.f("ix_level_change_requests_family_id"))
        batch_op.drop_index(batch_op.f("ix_level_change_requests_episode_id"))

    op.drop_table("level_change_requests")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_family_id"))
        batch_op.drop_index(batch_op.f("ix_consents_episode_id"))

    op.drop_table("consents")
    with op.batch_alter_table("case_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_case_notes_family_contact")
        batch_op.drop_index(batch_op.f("ix_case_notes_episode_id"))

    op.drop_table("case_notes")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_family_id"))
        batch_op.drop_index(batch_op.f("ix_assessments_episode_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_family_id"))

    op.drop_table("drafts")
