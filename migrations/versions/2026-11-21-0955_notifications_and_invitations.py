"""Email templates, delivery log, tracking and unsubscribes, interview invitations and their
rules, in-app notifications, text messages

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 09:55:59.117599
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_suppression",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_email_suppression_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_suppression")),
        sa.UniqueConstraint(
            "organization_id", "address", name=op.f("uq_email_suppression_organization_id_address")
        ),
    )
    op.create_table(
        "email_template",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("updated_by_user_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_email_template_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_user_id"],
            ["user.id"],
            name=op.f("fk_email_template_updated_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_template")),
        sa.UniqueConstraint(
            "organization_id", "kind", name=op.f("uq_email_template_organization_id_kind")
        ),
    )
    op.create_table(
        "notification",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), server_default="", nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_notification_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_notification_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
    )
    op.create_index(
        "ix_notification_user_id_created_at",
        "notification",
        ["user_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_notification_user_id_unread",
        "notification",
        ["user_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_table(
        "outbox_attempt",
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attempt_message_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attempt")),
    )
    op.create_index(
        op.f("ix_outbox_attempt_message_id"), "outbox_attempt", ["message_id"], unique=False
    )
    op.create_table(
        "sms_message",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("to_number", sa.String(length=20), nullable=False),
        sa.Column("body", sa.String(length=1600), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("provider_message_id", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_sms_message_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_message")),
    )
    op.create_index(
        op.f("ix_sms_message_organization_id"), "sms_message", ["organization_id"], unique=False
    )
    op.create_table(
        "invitation_rule",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("kit_id", sa.Uuid(), nullable=False),
        sa.Column("enabled", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("link_valid_days", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
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
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_invitation_rule_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_invitation_rule_job_id_job"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["kit_id"],
            ["interview_kit.id"],
            name=op.f("fk_invitation_rule_kit_id_interview_kit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_invitation_rule_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["job_stage.id"],
            name=op.f("fk_invitation_rule_stage_id_job_stage"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_rule")),
        sa.UniqueConstraint("stage_id", name=op.f("uq_invitation_rule_stage_id")),
    )
    op.create_index(op.f("ix_invitation_rule_job_id"), "invitation_rule", ["job_id"], unique=False)
    op.create_table(
        "interview_invitation",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("batch_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=True),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("rule_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("candidate_name", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=12), server_default="scheduled", nullable=False),
        sa.Column("send_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("link_valid_days", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("sms", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("link_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("outbox_message_id", sa.Uuid(), nullable=True),
        sa.Column("reminder_message_id", sa.Uuid(), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failure_reason", sa.String(length=300), nullable=True),
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
            "state IN ('scheduled', 'prepared', 'cancelled', 'skipped')",
            name=op.f("ck_interview_invitation_state"),
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["application.id"],
            name=op.f("fk_interview_invitation_application_id_application"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_interview_invitation_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
            name=op.f("fk_interview_invitation_job_id_job"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_invitation_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_interview_invitation_outbox_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reminder_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_interview_invitation_reminder_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["invitation_rule.id"],
            name=op.f("fk_interview_invitation_rule_id_invitation_rule"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["interview_session.id"],
            name=op.f("fk_interview_invitation_session_id_interview_session"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_invitation")),
    )
    op.create_index(
        op.f("ix_interview_invitation_application_id"),
        "interview_invitation",
        ["application_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interview_invitation_batch_id"), "interview_invitation", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_interview_invitation_job_id"), "interview_invitation", ["job_id"], unique=False
    )
    op.create_index(
        "ix_interview_invitation_organization_id_created_at",
        "interview_invitation",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_interview_invitation_session_id"),
        "interview_invitation",
        ["session_id"],
        unique=False,
    )
    op.create_index(
        "ix_interview_invitation_state_send_at",
        "interview_invitation",
        ["state", "send_at"],
        unique=False,
    )
    op.add_column(
        "outbox_message", sa.Column("send_after", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "outbox_message",
        sa.Column("transactional", sa.Boolean(), server_default="true", nullable=False),
    )
    op.add_column(
        "outbox_message", sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "outbox_message", sa.Column("clicked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "outbox_message", sa.Column("open_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column(
        "outbox_message", sa.Column("click_count", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("outbox_message", "click_count")
    op.drop_column("outbox_message", "open_count")
    op.drop_column("outbox_message", "clicked_at")
    op.drop_column("outbox_message", "opened_at")
    op.drop_column("outbox_message", "transactional")
    op.drop_column("outbox_message", "send_after")
    op.drop_index("ix_interview_invitation_state_send_at", table_name="interview_invitation")
    op.drop_index(op.f("ix_interview_invitation_session_id"), table_name="interview_invitation")
    op.drop_index(
        "ix_interview_invitation_organization_id_created_at", table_name="interview_invitation"
    )
    op.drop_index(op.f("ix_interview_invitation_job_id"), table_name="interview_invitation")
    op.drop_index(op.f("ix_interview_invitation_batch_id"), table_name="interview_invitation")
    op.drop_index(op.f("ix_interview_invitation_application_id"), table_name="interview_invitation")
    op.drop_table("interview_invitation")
    op.drop_index(op.f("ix_invitation_rule_job_id"), table_name="invitation_rule")
    op.drop_table("invitation_rule")
    op.drop_index(op.f("ix_sms_message_organization_id"), table_name="sms_message")
    op.drop_table("sms_message")
    op.drop_index(op.f("ix_outbox_attempt_message_id"), table_name="outbox_attempt")
    op.drop_table("outbox_attempt")
    op.drop_index(
        "ix_notification_user_id_unread",
        table_name="notification",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("ix_notification_user_id_created_at", table_name="notification")
    op.drop_table("notification")
    op.drop_table("email_template")
    op.drop_table("email_suppression")
