"""The question and coding-challenge library, interview kits, code runs

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 09:14:16.264261
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_item",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("search_text", sa.Text(), server_default="", nullable=False),
        sa.Column("skills", sa.ARRAY(sa.String(length=60)), server_default="{}", nullable=False),
        sa.Column("seniority", sa.String(length=20), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("latest_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("approved_version_id", sa.Uuid(), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("kind IN ('question', 'challenge')", name=op.f("ck_library_item_kind")),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_library_item_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_library_item_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_item")),
    )
    op.create_index(
        "ix_library_item_organization_id_updated_at",
        "library_item",
        ["organization_id", "updated_at"],
        unique=False,
    )
    op.create_index(
        "ix_library_item_title_trgm",
        "library_item",
        ["title"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.create_table(
        "interview_kit",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="draft", nullable=False),
        sa.Column("follow_ups", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "sections", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column(
            "approved_versions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="{}",
            nullable=False,
        ),
        sa.Column("approved_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
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
        sa.CheckConstraint("status IN ('draft', 'approved')", name=op.f("ck_interview_kit_status")),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"],
            ["user.id"],
            name=op.f("fk_interview_kit_approved_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_interview_kit_job_id_job"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_interview_kit_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_kit")),
        sa.UniqueConstraint("job_id", name=op.f("uq_interview_kit_job_id")),
    )
    op.create_table(
        "library_item_version",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), server_default="draft", nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "content", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("skills", sa.ARRAY(sa.String(length=60)), server_default="{}", nullable=False),
        sa.Column("seniority", sa.String(length=20), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("source", sa.String(length=20), server_default="manual", nullable=False),
        sa.Column("ai_generated", sa.Boolean(), server_default="false", nullable=False),
        sa.Column(
            "similar_items",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default="[]",
            nullable=False,
        ),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'in_review', 'approved', 'rejected', 'retired')",
            name=op.f("ck_library_item_version_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_library_item_version_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["library_item.id"],
            name=op.f("fk_library_item_version_item_id_library_item"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_library_item_version_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_user_id"],
            ["user.id"],
            name=op.f("fk_library_item_version_reviewed_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_item_version")),
        sa.UniqueConstraint(
            "item_id", "number", name=op.f("uq_library_item_version_item_id_number")
        ),
    )
    # The item points at its approved version, the version at its item: the second key is
    # added once both tables exist.
    op.create_foreign_key(
        op.f("fk_library_item_approved_version_id_library_item_version"),
        "library_item",
        "library_item_version",
        ["approved_version_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index(
        "ix_library_item_version_organization_id_status",
        "library_item_version",
        ["organization_id", "status"],
        unique=False,
    )
    op.create_table(
        "code_run",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("question_id", sa.String(length=10), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column(
            "results", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False
        ),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_by_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["user.id"],
            name=op.f("fk_code_run_created_by_user_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_code_run_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["interview_session.id"],
            name=op.f("fk_code_run_session_id_interview_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["library_item_version.id"],
            name=op.f("fk_code_run_version_id_library_item_version"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_code_run")),
    )
    op.create_index(
        "ix_code_run_organization_id_created_at",
        "code_run",
        ["organization_id", "created_at"],
        unique=False,
    )
    op.create_index(op.f("ix_code_run_session_id"), "code_run", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_library_item_approved_version_id_library_item_version"),
        "library_item",
        type_="foreignkey",
    )
    op.drop_index(op.f("ix_code_run_session_id"), table_name="code_run")
    op.drop_index("ix_code_run_organization_id_created_at", table_name="code_run")
    op.drop_table("code_run")
    op.drop_index(
        "ix_library_item_version_organization_id_status", table_name="library_item_version"
    )
    op.drop_table("library_item_version")
    op.drop_table("interview_kit")
    op.drop_index(
        "ix_library_item_title_trgm",
        table_name="library_item",
        postgresql_using="gin",
        postgresql_ops={"title": "gin_trgm_ops"},
    )
    op.drop_index("ix_library_item_organization_id_updated_at", table_name="library_item")
    op.drop_table("library_item")
