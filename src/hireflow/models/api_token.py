"""API credentials: personal tokens (act as their user) and organization API keys (act for the
organization with the scopes they were given). Shown once; only the hash is stored."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin


class ApiToken(IdMixin, Base):
    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'personal' AND user_id IS NOT NULL AND organization_id IS NULL) OR "
            "(kind = 'organization' AND organization_id IS NOT NULL)",
            name="owner_matches_kind",
        ),
    )

    kind: Mapped[str] = mapped_column(String(20))  # personal | organization
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the token, shown in lists so people can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Organization keys: the permissions granted. Personal tokens: empty = the user's own.
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
