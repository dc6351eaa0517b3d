"""In-app notifications as the API and the WebSocket show them."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID | None
    kind: str
    title: str
    body: str
    link: str | None  # a path inside the app
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None
    unread: int  # the user's unread notifications, all pages together


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int  # how many notifications this call marked read
    unread: int
