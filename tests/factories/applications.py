"""Builders for applications."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.service import create_application
from hireflow.kit.clock import now
from hireflow.models import Application, ApplicationEvent, Candidate, Job


async def make_application(
    session: AsyncSession, job: Job, candidate: Candidate, *, source: str = "manual"
) -> Application:
    return await create_application(
        session, job=job, candidate_id=candidate.id, source=source, actor_user_id=None
    )


async def back_date(session: AsyncSession, application: Application, seconds: int) -> None:
    """Pretend `application` entered its stage `seconds` ago (and its last event happened
    then), so time-in-stage figures can be checked without waiting."""
    at = now() - timedelta(seconds=seconds)
    application.stage_entered_at = at
    await session.execute(
        update(ApplicationEvent)
        .where(ApplicationEvent.application_id == application.id)
        .values(created_at=at)
    )
    await session.flush()
