"""An organization's own version of one email (its subject, HTML and text), replacing the
product's default for that kind; and the addresses that unsubscribed from its
non-transactional mail."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin


class EmailTemplate(IdMixin, TimestampMixin, Base):
    """No row: the default of `notifications.catalog` is used. Deleting the row resets it."""

    __tablename__ = "email_template"
    __table_args__ = (UniqueConstraint("organization_id", "kind"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    updated_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )


class EmailSuppression(IdMixin, Base):
    """An address that unsubscribed from one organization's non-transactional mail
    (invitations, reminders). Transactional mail (resets, receipts) still goes out."""

    __tablename__ = "email_suppression"
    __table_args__ = (UniqueConstraint("organization_id", "address"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    address: Mapped[str] = mapped_column(String(320))  # lower-cased
    # How: "link" (the page), "one-click" (RFC 8058 POST from the mail client).
    source: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
