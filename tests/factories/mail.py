"""Reading what the platform emailed, from the outbox (the embedded default's delivery)."""

from __future__ import annotations

import re

from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import OutboxMessage


async def emails_to(db: Database, address: str) -> list[OutboxMessage]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address)
            .order_by(OutboxMessage.created_at)
        )
        return list(rows)


async def link_token(db: Database, address: str, path: str) -> str:
    """The token of the last link to `path` emailed to `address`."""
    for message in reversed(await emails_to(db, address)):
        found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_-]+)", message.text_body)
        if found:
            return found.group(1)
    raise AssertionError(f"no email to {address} links to {path}")
