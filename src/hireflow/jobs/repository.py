"""Every SQL statement about jobs. Job queries go through `readable_jobs(ctx)`, so another
organization's jobs, and for recruiters the jobs not assigned to them, are never found."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.authz.records import readable_jobs
from hireflow.kit import like
from hireflow.models import (
    Job,
    JobAssignment,
    JobStage,
    JobTemplate,
    JobVersion,
    Membership,
    User,
)


async def get_job(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, for_update: bool = False
) -> Job | None:
    query = select(Job).where(Job.id == job_id, readable_jobs(ctx))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_jobs(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None,
    department: str | None,
    q: str | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Job]:
    """Newest first; `after` is the (created_at, id) of the last job of the previous page."""
    query = select(Job).where(readable_jobs(ctx))
    if status:
        query = query.where(Job.status == status)
    if department:
        query = query.where(func.lower(Job.department) == department.lower())
    if q:
        query = query.where(Job.title.ilike(like.contains(q), escape="\\"))
    if after is not None:
        query = query.where(tuple_(Job.created_at, Job.id) < tuple_(after[0], after[1]))
    query = query.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit)
    return list(await session.scalars(query))


async def departments(session: AsyncSession, ctx: Ctx) -> list[str]:
    rows = await session.scalars(
        select(Job.department)
        .where(readable_jobs(ctx), Job.department.is_not(None))
        .distinct()
        .order_by(Job.department)
        .limit(200)
    )
    return [d for d in rows if d]


# --- versions ------------------------------------------------------------------------------------


async def list_versions(session: AsyncSession, job_id: uuid.UUID) -> list[JobVersion]:
    rows = await session.scalars(
        select(JobVersion).where(JobVersion.job_id == job_id).order_by(JobVersion.number.desc())
    )
    return list(rows)


async def get_version(session: AsyncSession, job_id: uuid.UUID, number: int) -> JobVersion | None:
    return await session.scalar(
        select(JobVersion).where(JobVersion.job_id == job_id, JobVersion.number == number)
    )


async def user_names(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(user_ids)))
    return {row[0]: row[1] for row in rows}


# --- templates -----------------------------------------------------------------------------------


async def list_templates(session: AsyncSession, organization_id: uuid.UUID) -> list[JobTemplate]:
    rows = await session.scalars(
        select(JobTemplate)
        .where(JobTemplate.organization_id == organization_id)
        .order_by(func.lower(JobTemplate.name))
    )
    return list(rows)


async def get_template(
    session: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID
) -> JobTemplate | None:
    return await session.scalar(
        select(JobTemplate).where(
            JobTemplate.id == template_id, JobTemplate.organization_id == organization_id
        )
    )


async def template_name_taken(
    session: AsyncSession, organization_id: uuid.UUID, name: str, *, other_than: uuid.UUID | None
) -> bool:
    query = select(JobTemplate.id).where(
        JobTemplate.organization_id == organization_id,
        func.lower(JobTemplate.name) == name.lower(),
    )
    if other_than is not None:
        query = query.where(JobTemplate.id != other_than)
    return await session.scalar(query.limit(1)) is not None


# --- assignments ---------------------------------------------------------------------------------


async def list_assignees(
    session: AsyncSession, job_id: uuid.UUID
) -> list[tuple[JobAssignment, User]]:
    rows = await session.execute(
        select(JobAssignment, User)
        .join(User, User.id == JobAssignment.user_id)
        .where(JobAssignment.job_id == job_id)
        .order_by(User.name, User.email)
    )
    return [(a, u) for a, u in rows.all()]


async def get_assignment(
    session: AsyncSession, job_id: uuid.UUID, user_id: uuid.UUID
) -> JobAssignment | None:
    return await session.scalar(
        select(JobAssignment).where(
            JobAssignment.job_id == job_id, JobAssignment.user_id == user_id
        )
    )


async def member_user(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID
) -> User | None:
    return await session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, User.id == user_id)
    )


async def members(session: AsyncSession, organization_id: uuid.UUID) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id)
        .order_by(User.name, User.email)
    )
    return list(rows)


# --- bulk inserts (CSV import) -------------------------------------------------------------------


async def insert_many(
    session: AsyncSession,
    table: type[Job] | type[JobStage] | type[JobVersion] | type[JobAssignment],
    rows: list[dict[str, Any]],
) -> None:
    """One executemany INSERT, which SQLAlchemy sends as multi-row INSERTs ("insertmanyvalues",
    a thousand rows per statement): ten thousand jobs with their stages and versions in a few
    dozen round trips rather than one each. Every row has the same keys."""
    if rows:
        await session.execute(insert(table.__table__), rows)  # type: ignore[arg-type]
