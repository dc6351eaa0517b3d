"""Builders for applications."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.service import create_application
from hireflow.models import Application, Candidate, Job


async def make_application(
    session: AsyncSession, job: Job, candidate: Candidate, *, source: str = "manual"
) -> Application:
    return await create_application(
        session, job=job, candidate_id=candidate.id, source=source, actor_user_id=None
    )
