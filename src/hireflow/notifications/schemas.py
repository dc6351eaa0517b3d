"""The outbox as platform admins read it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

# queued → sent | stored (no SMTP configured: the outbox is the delivery) | failed
OutboxStatus = Literal["queued", "sent", "stored", "failed"]


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


class OutboxMessageRead(OutboxMessageSummary):
    text_body: str
    html_body: str | None


class OutboxPage(BaseModel):
    items: list[OutboxMessageSummary]
    # Pass as `offset` for the next (older) page; null when this is the last page.
    next_offset: int | None
