"""Builders for invitations: many applications at once (a bulk invite of 1,000), a job with an
approved kit, and running the `invitations.prepare` jobs that were enqueued, in-process."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.config import Settings
from hireflow.invitations import service
from hireflow.models import Application, Candidate, Job, JobStage, Organization, User
from tests.factories.jobs import make_job
from tests.factories.kits import make_item, make_kit


async def first_stage(session: AsyncSession, job: Job) -> JobStage:
    stage = await session.scalar(
        select(JobStage).where(JobStage.job_id == job.id).order_by(JobStage.position).limit(1)
    )
    assert stage is not None
    return stage


async def bulk_applications(
    session: AsyncSession,
    organization: Organization,
    job: Job,
    count: int,
    *,
    domain: str = "candidates.test",
    with_email: bool = True,
) -> list[uuid.UUID]:
    """`count` candidates and their applications to `job`, in two INSERTs; their ids in order."""
    stage = await first_stage(session, job)
    tag = uuid.uuid4().hex[:8]
    candidates: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "organization_id": organization.id,
            "full_name": f"Candidate {n:04d}",
            "email": f"c{n}-{tag}@{domain}" if with_email else None,
        }
        for n in range(count)
    ]
    await session.execute(insert(Candidate), candidates)
    applications: list[dict[str, Any]] = [
        {
            "id": uuid.uuid4(),
            "organization_id": organization.id,
            "candidate_id": c["id"],
            "job_id": job.id,
            "stage_id": stage.id,
        }
        for c in candidates
    ]
    await session.execute(insert(Application), applications)
    return [a["id"] for a in applications]


async def job_with_kit(
    session: AsyncSession, organization: Organization, *, approved: bool = True, **fields: object
) -> Job:
    """A job whose interview kit has one approved question (approved or still a draft)."""
    job = await make_job(session, organization, **fields)  # type: ignore[arg-type]
    item = await make_item(session, organization)
    await make_kit(session, job, [("Design", 10, [item])], approved=approved)
    return job


@dataclass(frozen=True)
class PrepareJob:
    job_id: int
    invitation_ids: list[str]
    scheduled_at: object


async def prepare_jobs(session: AsyncSession) -> list[PrepareJob]:
    """The `invitations.prepare` jobs waiting in the queue (this transaction's view)."""
    rows = await session.execute(
        text(
            "SELECT id, args, scheduled_at FROM procrastinate_jobs "
            "WHERE task_name = 'invitations.prepare' AND status = 'todo' ORDER BY id"
        )
    )
    found = []
    for job_id, args, scheduled_at in rows.all():
        data = args if isinstance(args, dict) else json.loads(args)
        found.append(PrepareJob(job_id, list(data["invitation_ids"]), scheduled_at))
    return found


async def run_prepare_jobs(session: AsyncSession, settings: Settings) -> int:
    """Run every waiting prepare job in-process, as the worker would (then mark them done)."""
    prepared = 0
    for job in await prepare_jobs(session):
        ids = [uuid.UUID(i) for i in job.invitation_ids]
        prepared += await service.prepare_invitations(session, ids, settings)
        await session.execute(
            text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id"),
            {"id": job.job_id},
        )
    return prepared


def invite_body(application_ids: list[uuid.UUID], **fields: object) -> dict[str, object]:
    return {"application_ids": [str(a) for a in application_ids], **fields}


async def sender(session: AsyncSession, organization: Organization, role: str = "owner") -> User:
    from tests.factories.users import make_member

    user, _ = await make_member(session, organization, role=role)
    return user
