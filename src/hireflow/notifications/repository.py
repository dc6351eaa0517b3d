"""Every SQL statement about outbox messages."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import OutboxMessage


async def add(session: AsyncSession, message: OutboxMessage) -> OutboxMessage:
    session.add(message)
    await session.flush()
    return message


async def get(session: AsyncSession, message_id: uuid.UUID) -> OutboxMessage | None:
    return await session.get(OutboxMessage, message_id)


async def lock(session: AsyncSession, message_id: uuid.UUID) -> OutboxMessage | None:
    """The message, locked until the transaction ends: two runs of the same delivery job
    (a stalled job re-run while the first is still sending) take turns."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def list_messages(
    session: AsyncSession,
    *,
    to: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if to is not None:
        query = query.where(func.lower(OutboxMessage.to_address) == to.lower())
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list((await session.scalars(query)).all())
