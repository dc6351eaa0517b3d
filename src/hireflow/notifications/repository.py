"""Every SQL statement about outbox messages."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import EmailSuppression, OutboxAttempt, OutboxMessage


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
    organization_id: uuid.UUID | None = None,
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
    if organization_id is not None:
        query = query.where(OutboxMessage.organization_id == organization_id)
    return list((await session.scalars(query)).all())


# --- delivery log ---------------------------------------------------------------------------------


async def add_attempt(
    session: AsyncSession,
    message: OutboxMessage,
    *,
    attempt: int,
    outcome: str,
    detail: str | None = None,
) -> OutboxAttempt:
    """One row of the delivery log (written with the message's status change)."""
    row = OutboxAttempt(message_id=message.id, attempt=attempt, outcome=outcome, detail=detail)
    session.add(row)
    await session.flush()
    return row


async def attempts_of(session: AsyncSession, message_id: uuid.UUID) -> list[OutboxAttempt]:
    """The delivery log of a message, oldest first."""
    query = (
        select(OutboxAttempt)
        .where(OutboxAttempt.message_id == message_id)
        .order_by(OutboxAttempt.created_at, OutboxAttempt.attempt, OutboxAttempt.id)
    )
    return list((await session.scalars(query)).all())


# --- tracking and unsubscribes (email templates) -------------------------------------------------


async def record_open(session: AsyncSession, message_id: uuid.UUID) -> None:
    """The first open's time kept, the count up by one (one statement: concurrent pixels
    don't lose counts)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            opened_at=func.coalesce(OutboxMessage.opened_at, func.now()),
            open_count=OutboxMessage.open_count + 1,
        )
    )


async def record_click(session: AsyncSession, message_id: uuid.UUID) -> None:
    """A click, which also proves an open (mail clients block the pixel): the message counts
    at least one open."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            clicked_at=func.coalesce(OutboxMessage.clicked_at, func.now()),
            click_count=OutboxMessage.click_count + 1,
            opened_at=func.coalesce(OutboxMessage.opened_at, func.now()),
            open_count=func.greatest(OutboxMessage.open_count, 1),
        )
    )


async def add_suppression(
    session: AsyncSession, organization_id: uuid.UUID, address: str, *, source: str
) -> uuid.UUID | None:
    """The new suppression's id, or None when the address was already suppressed."""
    statement = (
        insert(EmailSuppression)
        .values(
            id=uuid.uuid4(), organization_id=organization_id, address=address.lower(), source=source
        )
        .on_conflict_do_nothing(index_elements=["organization_id", "address"])
        .returning(EmailSuppression.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def suppressed_addresses(
    session: AsyncSession, organization_id: uuid.UUID, addresses: Collection[str]
) -> set[str]:
    """Which of `addresses` (lower-cased) unsubscribed from the organization's mail: one query
    for a whole batch."""
    if not addresses:
        return set()
    rows = await session.scalars(
        select(EmailSuppression.address).where(
            EmailSuppression.organization_id == organization_id,
            EmailSuppression.address.in_([a.lower() for a in addresses]),
        )
    )
    return set(rows)


async def is_suppressed(session: AsyncSession, organization_id: uuid.UUID, address: str) -> bool:
    return bool(await suppressed_addresses(session, organization_id, [address]))
