"""Pipeline stages: the organization's stage template (or the built-in default) and the
per-job copy a new job gets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Job, JobStage, StageTemplate

DEFAULT_STAGES: tuple[dict[str, Any], ...] = (
    {"key": "applied", "name": "Applied", "kind": "active"},
    {"key": "screen", "name": "Screen", "kind": "active"},
    {"key": "ai_interview", "name": "AI interview", "kind": "active"},
    {"key": "interview", "name": "Interview", "kind": "active"},
    {"key": "offer", "name": "Offer", "kind": "active"},
    {"key": "hired", "name": "Hired", "kind": "hired"},
    {"key": "rejected", "name": "Rejected", "kind": "rejected"},
)


async def template_stages(session: AsyncSession, organization_id: object) -> list[dict[str, Any]]:
    """The organization's default stage template's stages, or the built-in default."""
    stages = await session.scalar(
        select(StageTemplate.stages).where(
            StageTemplate.organization_id == organization_id, StageTemplate.is_default
        )
    )
    return list(stages) if stages else [dict(stage) for stage in DEFAULT_STAGES]


async def create_job_stages(
    session: AsyncSession, job: Job, stages: list[dict[str, Any]] | None = None
) -> list[JobStage]:
    """Give a new job its pipeline (from `stages`, else the organization's template)."""
    if stages is None:
        stages = await template_stages(session, job.organization_id)
    rows = [
        JobStage(
            organization_id=job.organization_id,
            job_id=job.id,
            key=stage["key"],
            name=stage["name"],
            kind=stage.get("kind", "active"),
            position=position,
        )
        for position, stage in enumerate(stages)
    ]
    session.add_all(rows)
    await session.flush()
    return rows
