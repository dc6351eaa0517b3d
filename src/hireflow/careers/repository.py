"""Every SQL statement of the public careers page. Public readers have no `Ctx`, so instead of
`readable_jobs(ctx)` every query here is pinned to one organization AND to open jobs
(`_public`): drafts, jobs on hold, closed and archived jobs are never visible."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit import like
from hireflow.models import Job

PUBLIC_STATUS = "open"


def _public(organization_id: uuid.UUID) -> ColumnElement[bool]:
    return and_(Job.organization_id == organization_id, Job.status == PUBLIC_STATUS)


async def open_jobs(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    q: str | None,
    department: str | None,
    remote_policy: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Job]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = select(Job).where(_public(organization_id))
    if q:
        pattern = like.contains(q)
        query = query.where(
            or_(
                Job.title.ilike(pattern),
                Job.department.ilike(pattern),
                Job.location.ilike(pattern),
            )
        )
    if department:
        query = query.where(func.lower(Job.department) == department.lower())
    if remote_policy:
        query = query.where(Job.remote_policy == remote_policy)
    if after is not None:
        created_at, job_id = after
        query = query.where(
            or_(Job.created_at < created_at, and_(Job.created_at == created_at, Job.id < job_id))
        )
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def departments(session: AsyncSession, organization_id: uuid.UUID) -> list[str]:
    rows = await session.scalars(
        select(Job.department)
        .where(_public(organization_id), Job.department.is_not(None), Job.department != "")
        .distinct()
        .order_by(Job.department)
    )
    return [row for row in rows if row]


async def open_job(
    session: AsyncSession, organization_id: uuid.UUID, job_id: uuid.UUID
) -> Job | None:
    return await session.scalar(select(Job).where(_public(organization_id), Job.id == job_id))
