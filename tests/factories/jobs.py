"""Builders for jobs: a job with its pipeline stages and first version, assignments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.stages import create_job_stages
from hireflow.jobs.service import content_of
from hireflow.kit.clock import now
from hireflow.models import Job, JobAssignment, JobStage, JobVersion, Organization, User


async def make_job(
    session: AsyncSession,
    organization: Organization,
    *,
    title: str = "Backend Engineer",
    status: str = "open",
    skills: list[str] | None = None,
    created_by: User | None = None,
    assignees: list[User] | None = None,
    **fields: Any,
) -> Job:
    fields.setdefault("requirements", "")
    fields.setdefault("remote_policy", "onsite")
    fields.setdefault("employment_type", "full_time")
    fields.setdefault("headcount", 1)
    job = Job(
        organization_id=organization.id,
        title=title,
        status=status,
        description_html=fields.pop("description_html", "<p>Build and run our services.</p>"),
        skills=skills if skills is not None else ["Python", "PostgreSQL"],
        created_by_user_id=created_by.id if created_by else None,
        opened_at=now() if status == "open" else None,
        **fields,
    )
    session.add(job)
    await session.flush()
    await session.refresh(job)
    await create_job_stages(session, job)
    session.add(
        JobVersion(
            organization_id=organization.id,
            job_id=job.id,
            number=1,
            snapshot=content_of(job),
            summary="Created",
            author_user_id=job.created_by_user_id,
        )
    )
    for user in assignees or []:
        session.add(JobAssignment(organization_id=organization.id, job_id=job.id, user_id=user.id))
    await session.flush()
    return job


async def job_stage(session: AsyncSession, job: Job, key: str) -> JobStage:
    stage = await session.scalar(
        select(JobStage).where(JobStage.job_id == job.id, JobStage.key == key)
    )
    assert stage is not None, f"job has no stage {key!r}"
    return stage
