"""Idempotency keys of create requests (`Idempotency-Key`): the first response, kept so a retry
gets it again. The key itself is stored only as a hash, and the response only encrypted with a
key derived from it, so the row alone never reveals a secret the response carried
(docs/decisions/0007-interview-links.md)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin


class IdempotencyRecord(IdMixin, Base):
    __tablename__ = "idempotency_record"
    __table_args__ = (
        UniqueConstraint("principal", "scope", "key_hash"),
        Index("ix_idempotency_record_expires_at", "expires_at"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    # Who sent it ("user:<id>" or "token:<id>"): keys are per caller, never shared.
    principal: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(80))  # the operation, e.g. "interview_session.create"
    key_hash: Mapped[str] = mapped_column(String(64))
    request_hash: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    resource_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
