"""Fixed-window attempt counters in PostgreSQL, so a limit holds across every process."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.models import ThrottleHit


def _window(seconds: int) -> tuple[datetime, int]:
    current = now().timestamp()
    start = math.floor(current / seconds) * seconds
    return datetime.fromtimestamp(start, UTC), max(1, math.ceil(start + seconds - current))


async def retry_after(
    session: AsyncSession, key: str, *, limit: int, window_seconds: int
) -> int | None:
    """Seconds until `key` may try again, or None when it is under `limit` in this window."""
    start, remaining = _window(window_seconds)
    hits = await session.scalar(
        select(ThrottleHit.hits).where(ThrottleHit.key == key, ThrottleHit.window_start == start)
    )
    return remaining if hits is not None and hits >= limit else None


async def record(session: AsyncSession, key: str, *, window_seconds: int) -> int:
    """Count one attempt for `key`; returns the attempts in the current window."""
    start, _ = _window(window_seconds)
    statement = (
        insert(ThrottleHit)
        .values(key=key, window_start=start, hits=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"hits": ThrottleHit.hits + 1}
        )
        .returning(ThrottleHit.hits)
    )
    return int((await session.execute(statement)).scalar_one())


async def delete_expired(session: AsyncSession, older_than: datetime) -> None:
    await session.execute(delete(ThrottleHit).where(ThrottleHit.window_start < older_than))
