"""Every SQL statement about text messages."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import SmsMessage


async def add(session: AsyncSession, message: SmsMessage) -> SmsMessage:
    session.add(message)
    await session.flush()
    return message


async def lock(session: AsyncSession, message_id: uuid.UUID) -> SmsMessage | None:
    """The message, locked until the transaction ends: two runs of the same delivery job take
    turns, so the second finds it sent."""
    query = select(SmsMessage).where(SmsMessage.id == message_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def list_messages(
    session: AsyncSession,
    *,
    to: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[SmsMessage]:
    query = (
        select(SmsMessage)
        .order_by(SmsMessage.created_at.desc(), SmsMessage.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if to is not None:
        query = query.where(SmsMessage.to_number == to)
    if kind is not None:
        query = query.where(SmsMessage.kind == kind)
    if status is not None:
        query = query.where(SmsMessage.status == status)
    return list((await session.scalars(query)).all())
