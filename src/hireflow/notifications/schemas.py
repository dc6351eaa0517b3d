"""The outbox as platform admins and organization admins read it, with its delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hireflow.models import OutboxAttempt, OutboxMessage

# queued → sent | stored (no SMTP configured: the outbox is the delivery) | failed;
# an admin may retry a failed message: back to queued.
OutboxStatus = Literal["queued", "sent", "stored", "failed"]
# What one delivery attempt did: sent, stored (no SMTP), retry (a temporary failure; the job
# runs again) or failed (the server refused, or the last attempt failed).
AttemptOutcome = Literal["sent", "stored", "retry", "failed"]


class OutboxAttemptRead(BaseModel):
    """One row of the delivery log."""

    model_config = ConfigDict(from_attributes=True)

    attempt: int
    outcome: AttemptOutcome
    # The error for retry and failed (the server's reply, never a secret).
    detail: str | None
    created_at: datetime


class OutboxMessageSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: uuid.UUID
    organization_id: uuid.UUID | None
    to: str = Field(validation_alias="to_address")
    subject: str
    kind: str
    status: OutboxStatus
    attempts: int
    last_error: str | None
    # The email's Message-ID header (the same on every delivery attempt).
    message_id_header: str = Field(validation_alias="message_id")
    created_at: datetime
    sent_at: datetime | None
    # Not delivered before this instant (scheduled mail); null: at once.
    send_after: datetime | None
    # Transactional mail ignores unsubscribes.
    transactional: bool
    # Tracking (when the organization allows it): first open and click, and how many.
    opened_at: datetime | None
    clicked_at: datetime | None
    open_count: int
    click_count: int


class OutboxMessageRead(OutboxMessageSummary):
    text_body: str
    html_body: str | None
    # Every delivery attempt, oldest first.
    delivery_log: list[OutboxAttemptRead] = Field(default_factory=list)

    @classmethod
    def of(cls, message: OutboxMessage, attempts: list[OutboxAttempt]) -> OutboxMessageRead:
        read = cls.model_validate(message)
        read.delivery_log = [OutboxAttemptRead.model_validate(a) for a in attempts]
        return read


class OutboxPage(BaseModel):
    items: list[OutboxMessageSummary]
    # Pass as `offset` for the next (older) page; null when this is the last page.
    next_offset: int | None
