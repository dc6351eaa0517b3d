"""AI interview sessions (events, links, recruiter notes), idempotency records, AI usage

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 08:47:56.222665
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_usage",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("prompt_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("completion_tokens", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("requests", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_ai_usage_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization_id", "month", name=op.f("pk_ai_usage")),
    )
    op.create_table(
        "idempotency_record",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("principal", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=False),
        sa.Column("response_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_idempotency_record_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint(
            "principal",
            "scope",
            "key_hash",
            name=op.f("uq_idempotency_record_principal_scope_key_hash"),
        ),
    )
    op.create_index(
        "ix_idempotency_record_expires_at", "idempotency_record", ["expires_at"], unique=False
    )
    op.create_table(
        "interview_session",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_name", sa.String(length=200), nullable=True),
        sa.Column("candidate_email", sa.String(length=320), nullable=True),
        sa.Column("target_role", sa.String(length=200), nullable=False),
        sa.Column("job_description", sa.Text(), server_default="", nullable=False),
        sa.Column("job_description_filename", sa.String(length=255), nullable=True),
        sa.Column(
            "skills", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("stage", sa.String(length=40), nullable=True),
        sa.Column("confidence_baseline", sa.Integer(), nullable=True),
        sa.Column("session_goal", sa.String(length=500), nullable=True),
        sa.Column("duration_minutes", sa.Integer(), server_default="30", nullable=False),
        sa.Column("question_count", sa.Integer(), server_default="5", nullable=False),
        sa.Column("max_follow_ups", sa.Integer(), server_default="2", nullable=False),
        sa.Column("coding_language", sa.String(length=20), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("last_seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column(
            "state", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'EXPIRED', 'CANCELLED')",
            name=op.f("ck_interview_session_status"),
        ),
        sa.CheckConstraint(
            "confidence_baseline IS NULL OR confidence_baseline BETWEEN 1 AND 5",
            name=op.f("ck_interview_session_confidence_baseline"),
        ),
        sa.CheckConstraint(
            "duration_minutes BETWEEN 5 AND 240", name=op.f("ck_interview_session_duration")
        ),
        sa.CheckConstraint(
            "max_follow_ups BETWEEN 0 AND 10", name=op.f("ck_interview_session_max_follow_ups")
        ),
        sa.CheckConstraint(
            "question_count BETWEEN 1 AND 20", name=op.f("ck_interview_session_question_count")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_interview_session_application_id_application"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
            name=op.f("fk_interview_session_candidate_id_candidate"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_interview_session_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
            name=op.f("fk_interview_session_job_id_job"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_session_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_session")),
    )
    op.create_index(
        op.f("ix_interview_session_application_id"),
        "interview_session",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interview_session_candidate_id"),
        "interview_session",
        ["candidate_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interview_session_job_id"), "interview_session", ["job_id"], unique=False
    )
    op.create_index(
        "ix_interview_session_organization_id_created_at",
        "interview_session",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_interview_session_status_expires_at",
        "interview_session",
        ["status", "expires_at"],
        unique=False,
    )
    op.create_table(
        "interview_event",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column(
            "payload", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_user_id"],
            ["user.id"],
            name=op.f("fk_interview_event_actor_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_event_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["interview_session.id"],
            name=op.f("fk_interview_event_session_id_interview_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_event")),
        sa.UniqueConstraint("session_id", "seq", name=op.f("uq_interview_event_session_id_seq")),
    )
    op.create_table(
        "interview_invite",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_interview_invite_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_invite_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["interview_session.id"],
            name=op.f("fk_interview_invite_session_id_interview_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_interview_invite_token_hash")),
    )
    op.create_index(
        "uq_interview_invite_session_id_live",
        "interview_invite",
        ["session_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_table(
        "interview_session_note",
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_session_note_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["interview_session.id"],
            name=op.f("fk_interview_session_note_session_id_interview_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_interview_session_note")),
    )


def downgrade() -> None:
    op.drop_table("interview_session_note")
    op.drop_index(
        "uq_interview_invite_session_id_live",
        table_name="interview_invite",
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.drop_table("interview_invite")
    op.drop_table("interview_event")
    op.drop_index("ix_interview_session_status_expires_at", table_name="interview_session")
    op.drop_index("ix_interview_session_organization_id_created_at", table_name="interview_session")
    op.drop_index(op.f("ix_interview_session_job_id"), table_name="interview_session")
    op.drop_index(op.f("ix_interview_session_candidate_id"), table_name="interview_session")
    op.drop_index(op.f("ix_interview_session_application_id"), table_name="interview_session")
    op.drop_table("interview_session")
    op.drop_index("ix_idempotency_record_expires_at", table_name="idempotency_record")
    op.drop_table("idempotency_record")
    op.drop_table("ai_usage")
