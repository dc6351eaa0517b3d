"""A CSV upload (jobs or candidates) between its preview and its import: the file is kept so
the import runs on exactly what was previewed, with the row-by-row report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, deferred, mapped_column

from hireflow.models.base import Base, IdMixin


class ImportBatch(IdMixin, Base):
    __tablename__ = "import_batch"
    __table_args__ = (
        CheckConstraint("kind IN ('jobs', 'candidates')", name="kind"),
        CheckConstraint("status IN ('previewed', 'imported')", name="status"),
        Index("ix_import_batch_organization_id_created_at", "organization_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    status: Mapped[str] = mapped_column(String(20), default="previewed", server_default="previewed")
    total_rows: Mapped[int]
    error_rows: Mapped[int]
    # {"errors": [{"line": 7, "column": "email", "message": "…"}], "columns": [...]}
    report: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    imported_count: Mapped[int | None]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    imported_at: Mapped[datetime | None]
