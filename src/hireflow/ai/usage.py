"""The per-organization AI token budget: what a month's calls used (`AiUsage`), checked before a
call and increased after it. Flushes, never commits: the caller's transaction decides."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai.model import ModelUnavailable, Usage
from hireflow.kit import clock
from hireflow.models import AiUsage


class UsageMeter(Protocol):
    async def check(self, organization_id: uuid.UUID) -> None:
        """Raise `ModelUnavailable` when the organization may not make another call."""
        ...

    async def add(self, organization_id: uuid.UUID, usage: Usage) -> None:
        """Record one call's tokens."""
        ...


def current_month() -> date:
    """The first day of the current UTC month (the budget's period)."""
    return clock.now().date().replace(day=1)


async def month_usage(session: AsyncSession, organization_id: uuid.UUID) -> AiUsage | None:
    """This month's usage of an organization, for display (None: no call yet this month)."""
    return await session.scalar(
        select(AiUsage)
        .where(AiUsage.organization_id == organization_id, AiUsage.month == current_month())
        .execution_options(populate_existing=True)
    )


class DatabaseMeter:
    """The budget on the `ai_usage` table. `monthly_budget` is in tokens; 0 means no limit."""

    def __init__(self, session: AsyncSession, monthly_budget: int) -> None:
        self.session = session
        self.monthly_budget = monthly_budget

    async def check(self, organization_id: uuid.UUID) -> None:
        if self.monthly_budget <= 0:
            return
        usage = await month_usage(self.session, organization_id)
        used = 0 if usage is None else usage.prompt_tokens + usage.completion_tokens
        if used >= self.monthly_budget:
            raise ModelUnavailable(
                f"This organization has used its AI budget for {current_month():%B %Y} "
                f"({used:,} of {self.monthly_budget:,} tokens)."
            )

    async def add(self, organization_id: uuid.UUID, usage: Usage) -> None:
        statement = insert(AiUsage).values(
            organization_id=organization_id,
            month=current_month(),
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            requests=1,
        )
        table = AiUsage.__table__.c
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[table.organization_id, table.month],
                set_={
                    "prompt_tokens": table.prompt_tokens + statement.excluded.prompt_tokens,
                    "completion_tokens": table.completion_tokens
                    + statement.excluded.completion_tokens,
                    "requests": table.requests + 1,
                },
            )
        )
        await self.session.flush()
