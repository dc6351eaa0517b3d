"""In-app notifications: make one (and push it live), list, count, mark read. Every function
works on the caller's own notifications only; another user's id is a 404."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow import realtime
from hireflow.errors import NotFound
from hireflow.inapp import repository
from hireflow.inapp.schemas import NotificationRead
from hireflow.kit import clock, cursors
from hireflow.models import Notification, User

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
TITLE_MAX = 200
BODY_MAX = 1000
KIND_MAX = 60
LINK_MAX = 500
NAV_COUNT_CAP = 100  # the navigation shows "99+" beyond
# One leading "/", then no second "/" or "\" (a protocol-relative URL leaves the app), no
# spaces or control characters.
_IN_APP_PATH = re.compile(r"^/(?![/\\])[^\s\\\x00-\x1f\x7f]*$")


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_in_app_path(link: str) -> bool:
    return len(link) <= LINK_MAX and _IN_APP_PATH.match(link) is not None


def live_view(notification: Notification) -> dict[str, Any]:
    """The notification as JSON, as the API and the WebSocket show it."""
    return NotificationRead.model_validate(notification).model_dump(mode="json")


async def notify(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    organization_id: uuid.UUID | None,
    kind: str,
    title: str,
    body: str = "",
    link: str | None = None,
) -> Notification:
    """Give `user_id` a notification and push it to their open pages when the transaction
    commits. A title or body over its limit is shortened with "…"; `link` must be a path
    inside the app ("/organizations/…"), never an outside URL (ValueError otherwise)."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"kind must be 1 to {KIND_MAX} characters")
    if link is not None and not is_in_app_path(link):
        raise ValueError("link must be a path inside the app, starting with one '/'")
    notification = Notification(
        user_id=user_id,
        organization_id=organization_id,
        kind=kind,
        title=_clip(" ".join(title.split()), TITLE_MAX) or kind,
        body=_clip(body, BODY_MAX),
        link=link,
        created_at=clock.now(),
    )
    session.add(notification)
    await session.flush()
    unread = await repository.unread_count(session, user_id)
    await realtime.publish(
        session,
        realtime.user_channel(user_id),
        {"type": "notification", "notification": live_view(notification), "unread": unread},
    )
    return notification


@dataclass(frozen=True)
class Page:
    items: list[Notification]
    next_cursor: str | None
    unread: int


async def list_notifications(
    session: AsyncSession,
    user: User,
    *,
    unread_only: bool = False,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = await repository.page(
        session, user.id, unread_only=unread_only, after=cursors.decode(cursor), limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if rows else None
    return Page(
        items=rows,
        next_cursor=cursors.encode(last.created_at, last.id) if more and last else None,
        unread=await repository.unread_count(session, user.id),
    )


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await repository.unread_count(session, user_id)


async def nav_unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    """For the navigation's bell on every page: one query, counting stops at 100."""
    return await repository.unread_count(session, user_id, cap=NAV_COUNT_CAP)


async def _push_unread(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Tell the user's other open pages the new unread count."""
    unread = await repository.unread_count(session, user_id)
    await realtime.publish(
        session, realtime.user_channel(user_id), {"type": "unread", "unread": unread}
    )
    return unread


async def mark_read(
    session: AsyncSession, user: User, notification_id: uuid.UUID
) -> tuple[Notification, int]:
    """Mark one of the user's notifications read (again: no change). Returns it and the
    unread count."""
    notification = await repository.get(session, user.id, notification_id)
    if notification is None:
        raise NotFound("You have no notification with this id.")
    if notification.read_at is None:
        notification.read_at = clock.now()
        await session.flush()
        return notification, await _push_unread(session, user.id)
    return notification, await repository.unread_count(session, user.id)


async def mark_all_read(session: AsyncSession, user: User) -> int:
    """Mark every unread notification of the user read; how many were."""
    marked = await repository.mark_all_read(session, user.id, clock.now())
    if marked:
        await _push_unread(session, user.id)
    return marked
