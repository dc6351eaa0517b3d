"""Candidate indexes: sorting by name, and finding a candidate account's records by email.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 07:32:49.334036
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_candidate_email", "candidate", ["email"], unique=False)
    op.create_index(
        "ix_candidate_organization_id_full_name",
        "candidate",
        ["organization_id", "full_name", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_candidate_organization_id_full_name", table_name="candidate")
    op.drop_index("ix_candidate_email", table_name="candidate")
