"""identity: roles, memberships, sessions, audit, throttling

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 05:47
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYSTEM_ROLES = [  # a snapshot: later changes to the system roles are new migrations
    (
        "owner",
        "Owner",
        [
            "analytics:read",
            "api_keys:write",
            "applications:write",
            "audit:read",
            "candidates:read",
            "candidates:read:assigned",
            "candidates:write",
            "compliance:manage",
            "feedback:write",
            "integrations:manage",
            "invitations:send",
            "jobs:read",
            "jobs:read:assigned",
            "jobs:write",
            "kits:approve",
            "library:approve",
            "library:read",
            "library:write",
            "marketplace:book",
            "members:read",
            "members:write",
            "messages:read",
            "messages:send",
            "notes:read",
            "organization:delete",
            "organization:read",
            "organization:settings:write",
            "payments:read",
            "payments:write",
            "reports:export",
            "roles:write",
            "rooms:join",
            "scheduling:read",
            "scheduling:write",
            "scores:override",
            "sessions:create",
            "sessions:read",
            "templates:write",
        ],
    ),
    (
        "admin",
        "Admin",
        [
            "analytics:read",
            "api_keys:write",
            "applications:write",
            "audit:read",
            "candidates:read",
            "candidates:read:assigned",
            "candidates:write",
            "compliance:manage",
            "feedback:write",
            "integrations:manage",
            "invitations:send",
            "jobs:read",
            "jobs:read:assigned",
            "jobs:write",
            "kits:approve",
            "library:approve",
            "library:read",
            "library:write",
            "marketplace:book",
            "members:read",
            "members:write",
            "messages:read",
            "messages:send",
            "notes:read",
            "organization:read",
            "organization:settings:write",
            "payments:read",
            "payments:write",
            "reports:export",
            "roles:write",
            "rooms:join",
            "scheduling:read",
            "scheduling:write",
            "scores:override",
            "sessions:create",
            "sessions:read",
            "templates:write",
        ],
    ),
    (
        "hiring_manager",
        "Hiring manager",
        [
            "analytics:read",
            "applications:write",
            "candidates:read",
            "candidates:write",
            "feedback:write",
            "invitations:send",
            "jobs:read",
            "jobs:write",
            "kits:approve",
            "library:approve",
            "library:read",
            "library:write",
            "marketplace:book",
            "members:read",
            "messages:read",
            "messages:send",
            "notes:read",
            "organization:read",
            "reports:export",
            "rooms:join",
            "scheduling:read",
            "scheduling:write",
            "scores:override",
            "sessions:create",
            "sessions:read",
        ],
    ),
    (
        "recruiter",
        "Recruiter",
        [
            "applications:write",
            "candidates:read:assigned",
            "candidates:write",
            "feedback:write",
            "invitations:send",
            "jobs:read:assigned",
            "jobs:write",
            "library:read",
            "library:write",
            "marketplace:book",
            "messages:read",
            "messages:send",
            "notes:read",
            "organization:read",
            "rooms:join",
            "scheduling:read",
            "scheduling:write",
            "sessions:create",
            "sessions:read",
        ],
    ),
    (
        "interviewer",
        "Interviewer",
        [
            "candidates:read:assigned",
            "feedback:write",
            "jobs:read:assigned",
            "library:read",
            "organization:read",
            "rooms:join",
            "scheduling:read",
            "sessions:read",
        ],
    ),
    (
        "viewer",
        "Viewer",
        [
            "analytics:read",
            "candidates:read",
            "jobs:read",
            "library:read",
            "members:read",
            "organization:read",
            "scheduling:read",
            "sessions:read",
        ],
    ),
    (
        "scheduler",
        "Scheduler",
        [
            "candidates:read",
            "jobs:read",
            "marketplace:book",
            "messages:send",
            "organization:read",
            "rooms:join",
            "scheduling:read",
            "scheduling:write",
        ],
    ),
    (
        "billing_manager",
        "Billing manager",
        [
            "analytics:read",
            "marketplace:book",
            "organization:read",
            "payments:read",
            "payments:write",
            "reports:export",
        ],
    ),
    ("dei_consultant", "DEI consultant", ["messages:read", "messages:send"]),
]

APPEND_ONLY = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("actor_user_id", sa.Uuid(), nullable=True),
        sa.Column("actor_email", sa.String(length=320), nullable=True),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=60), nullable=True),
        sa.Column("target_id", sa.String(length=80), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "data", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index(op.f("ix_audit_event_action"), "audit_event", ["action"], unique=False)
    op.create_index(
        op.f("ix_audit_event_actor_user_id"), "audit_event", ["actor_user_id"], unique=False
    )
    op.create_index(
        "ix_audit_event_organization_id_id", "audit_event", ["organization_id", "id"], unique=False
    )
    op.create_table(
        "throttle_hit",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_throttle_hit")),
    )
    op.create_table(
        "role",
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), server_default="", nullable=False),
        sa.Column(
            "permissions",
            postgresql.ARRAY(sa.String(length=60)),
            server_default="{}",
            nullable=False,
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
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_role_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
    )
    op.create_index(
        "uq_role_organization_id_key",
        "role",
        ["organization_id", "key"],
        unique=True,
        postgresql_where=sa.text("organization_id IS NOT NULL"),
    )
    op.create_index(
        "uq_role_system_key",
        "role",
        ["key"],
        unique=True,
        postgresql_where=sa.text("organization_id IS NULL"),
    )
    op.create_table(
        "user_session",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mfa_verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_user_session_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"], unique=False)
    op.create_table(
        "membership",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
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
            name=op.f("fk_membership_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["role.id"], name=op.f("fk_membership_role_id_role"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_membership_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint(
            "organization_id", "user_id", name=op.f("uq_membership_organization_id_user_id")
        ),
    )
    op.create_index(op.f("ix_membership_user_id"), "membership", ["user_id"], unique=False)
    op.add_column("user", sa.Column("phone", sa.String(length=32), nullable=True))
    op.add_column("user", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("user", sa.Column("mfa_secret", sa.String(length=64), nullable=True))
    op.add_column("user", sa.Column("mfa_enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("user", sa.Column("mfa_last_step", sa.Integer(), nullable=True))
    op.add_column("user", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    # Accounts made before this migration were made by an operator (createadmin, demo).
    op.execute('UPDATE "user" SET email_verified_at = created_at')
    op.execute(APPEND_ONLY)
    role = sa.table(
        "role",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("permissions", postgresql.ARRAY(sa.String)),
    )
    op.bulk_insert(
        role,
        [{"key": key, "name": name, "permissions": perms} for key, name, perms in SYSTEM_ROLES],
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION audit_event_append_only()")
    op.drop_column("user", "disabled_at")
    op.drop_column("user", "mfa_last_step")
    op.drop_column("user", "mfa_enabled_at")
    op.drop_column("user", "mfa_secret")
    op.drop_column("user", "email_verified_at")
    op.drop_column("user", "phone")
    op.drop_index(op.f("ix_membership_user_id"), table_name="membership")
    op.drop_table("membership")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
    op.drop_index(
        "uq_role_system_key", table_name="role", postgresql_where=sa.text("organization_id IS NULL")
    )
    op.drop_index(
        "uq_role_organization_id_key",
        table_name="role",
        postgresql_where=sa.text("organization_id IS NOT NULL"),
    )
    op.drop_table("role")
    op.drop_table("throttle_hit")
    op.drop_index("ix_audit_event_organization_id_id", table_name="audit_event")
    op.drop_index(op.f("ix_audit_event_actor_user_id"), table_name="audit_event")
    op.drop_index(op.f("ix_audit_event_action"), table_name="audit_event")
    op.drop_table("audit_event")
