"""Application rules: applying, moving between stages, rejecting, hiring. Every change is an
`application_event` with the actor and the time spent in the stage left."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications.hooks import StageEntry, stage_entered
from hireflow.errors import Conflict, Invalid
from hireflow.kit.clock import now
from hireflow.models import Application, ApplicationEvent, Job, JobStage


async def create_application(
    session: AsyncSession,
    *,
    job: Job,
    candidate_id: uuid.UUID,
    source: str,
    actor_user_id: uuid.UUID | None,
) -> Application:
    """Put a candidate (of the job's organization) in the job's first stage. The caller has
    checked permissions and that the job takes applications."""
    existing = await session.scalar(
        select(Application.id).where(
            Application.job_id == job.id, Application.candidate_id == candidate_id
        )
    )
    if existing is not None:
        raise Conflict(
            "This candidate has already applied to this job.",
            extra={"application_id": str(existing)},
        )
    first = await session.scalar(
        select(JobStage)
        .where(JobStage.job_id == job.id, JobStage.kind == "active")
        .order_by(JobStage.position)
        .limit(1)
    )
    if first is None:
        raise Invalid("This job has no pipeline stages.")
    at = now()
    application = Application(
        organization_id=job.organization_id,
        candidate_id=candidate_id,
        job_id=job.id,
        stage_id=first.id,
        status="active",
        source=source,
        applied_at=at,
        stage_entered_at=at,
    )
    session.add(application)
    await session.flush()
    session.add(
        ApplicationEvent(
            organization_id=job.organization_id,
            application_id=application.id,
            type="applied",
            to_stage_id=first.id,
            actor_user_id=actor_user_id,
            data={"source": source},
            created_at=at,
        )
    )
    await session.flush()
    await stage_entered(session, StageEntry(application, first, None, actor_user_id))
    return application
