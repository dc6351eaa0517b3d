"""An uploaded file (resume, cover letter, other) with the text extracted from it. It belongs
to an organization's candidate, or to a candidate account (the portal) — never both. The bytes
live in PostgreSQL, so every web process sees them and backups include them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, deferred, mapped_column

from hireflow.models.base import Base, IdMixin

DOCUMENT_KINDS = ("resume", "cover_letter", "other")


class Document(IdMixin, Base):
    __tablename__ = "document"
    __table_args__ = (
        CheckConstraint(
            "(candidate_id IS NOT NULL AND organization_id IS NOT NULL AND user_id IS NULL)"
            " OR (candidate_id IS NULL AND organization_id IS NULL AND user_id IS NOT NULL)",
            name="one_owner",
        ),
        CheckConstraint("kind IN ('resume', 'cover_letter', 'other')", name="kind"),
        Index("ix_document_candidate_id_created_at", "candidate_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE")
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    # Decided from the bytes (`hireflow.documents.inspect`), never from the name or the client.
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    text: Mapped[str] = deferred(mapped_column(Text, default="", server_default=""))
    uploaded_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
