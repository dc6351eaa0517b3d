"""An email the platform sends. Every message is kept here: with SMTP configured it is also
delivered; without (the embedded default) the outbox is where an admin reads it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, func
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
    # Not before this instant (a scheduled invitation); None: at once.
    send_after: Mapped[datetime | None]
    # Transactional mail (verification, resets, receipts) ignores unsubscribes; the rest
    # carries an unsubscribe link and List-Unsubscribe headers.
    transactional: Mapped[bool] = mapped_column(default=True, server_default="true")
    # Tracking (only when the organization allows it): first open and click, and counts.
    opened_at: Mapped[datetime | None]
    clicked_at: Mapped[datetime | None]
    open_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    click_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class OutboxAttempt(IdMixin, Base):
    """The delivery log: one row per delivery attempt of a message, with what happened."""

    __tablename__ = "outbox_attempt"

    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int] = mapped_column(Integer)
    # sent | stored | retry (a temporary failure; the job runs again) | failed
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class SmsMessage(IdMixin, TimestampMixin, Base):
    """A text message, kept like the email outbox and delivered by a job through the
    configured `SmsSender` (none by default: then nothing is ever queued)."""

    __tablename__ = "sms_message"

    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    to_number: Mapped[str] = mapped_column(String(20))  # E.164
    body: Mapped[str] = mapped_column(String(1600))
    kind: Mapped[str] = mapped_column(String(60))
    # queued → sent | failed
    status: Mapped[str] = mapped_column(String(20), default="queued", server_default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    # The provider's id for the message (Twilio's SID).
    provider_message_id: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
