"""An email the platform sends. Every message is kept here: with SMTP configured it is also
delivered; without (the embedded default) the outbox is where an admin reads it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin


class OutboxMessage(IdMixin, TimestampMixin, Base):
    __tablename__ = "outbox_message"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # Stable across retries, so a retried send never makes a second distinct email.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # What kind of message (verify_email, reset_password, team_invitation, …).
    kind: Mapped[str] = mapped_column(String(60))
    # queued → sent | stored (no SMTP configured) | failed
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
