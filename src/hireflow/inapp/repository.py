"""Every SQL statement of in-app notifications; always scoped to one user."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Notification


async def page(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    unread_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Notification]:
    """Newest first, continuing after `after` (created_at, id)."""
    query = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if after is not None:
        created_at, notification_id = after
        query = query.where(
            or_(
                Notification.created_at < created_at,
                and_(Notification.created_at == created_at, Notification.id < notification_id),
            )
        )
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def unread_count(session: AsyncSession, user_id: uuid.UUID, *, cap: int | None = None) -> int:
    """The user's unread notifications (the partial index on unread rows answers it); with
    `cap`, counting stops there (the navigation shows "99+")."""
    unread = select(Notification.id).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if cap is not None:
        unread = unread.limit(cap)
    count = await session.scalar(select(func.count()).select_from(unread.subquery()))
    return int(count or 0)


async def get(
    session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification | None:
    return await session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> int:
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=at)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
