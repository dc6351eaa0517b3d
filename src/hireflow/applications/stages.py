"""Pipeline stages: the organization's stage templates (one of them the default, else the
built-in stages) and the per-job copy a new job gets. Changing a template never changes the
stages of existing jobs."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications import repository
from hireflow.applications.schemas import StageSpec, StageTemplateCreate, StageTemplateUpdate
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Conflict, Invalid, NotFound
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


# --- the organization's stage templates -----------------------------------------------------------


def check_stages(stages: Sequence[StageSpec]) -> list[dict[str, Any]]:
    """The rules of a pipeline: 2–20 stages (the schema), unique keys and names, the first
    stage active, exactly one hired and exactly one rejected stage."""
    keys: set[str] = set()
    names: set[str] = set()
    for stage in stages:
        if stage.key in keys:
            raise Invalid(f"Two stages have the key {stage.key!r}.", extra={"field": "stages"})
        if stage.name.casefold() in names:
            raise Invalid(f"Two stages are named {stage.name!r}.", extra={"field": "stages"})
        keys.add(stage.key)
        names.add(stage.name.casefold())
    kinds = [stage.kind for stage in stages]
    if not stages or stages[0].kind != "active":
        raise Invalid("The first stage must be an active one.", extra={"field": "stages"})
    for kind in ("hired", "rejected"):
        if kinds.count(kind) != 1:
            raise Invalid(f"A pipeline has exactly one {kind} stage.", extra={"field": "stages"})
    return [stage.model_dump() for stage in stages]


def _require_writer(ctx: Ctx) -> None:
    if not (ctx.can(Permission.JOBS_WRITE) or ctx.can(Permission.ORGANIZATION_SETTINGS_WRITE)):
        ctx.require(Permission.JOBS_WRITE)


def require_template_reader(ctx: Ctx) -> None:
    readers = (
        Permission.JOBS_READ,
        Permission.JOBS_READ_ASSIGNED,
        Permission.JOBS_WRITE,
        Permission.ORGANIZATION_SETTINGS_WRITE,
    )
    if not any(ctx.can(p) for p in readers):
        ctx.require(Permission.JOBS_READ)


async def list_stage_templates(session: AsyncSession, ctx: Ctx) -> list[StageTemplate]:
    require_template_reader(ctx)
    return await repository.stage_templates(session, ctx.organization.id)


async def get_stage_template(
    session: AsyncSession, ctx: Ctx, template_id: uuid.UUID
) -> StageTemplate:
    require_template_reader(ctx)
    template = await repository.get_stage_template(session, ctx.organization.id, template_id)
    if template is None:
        raise NotFound("No stage template has this id.")
    return template


async def _check_name(
    session: AsyncSession, ctx: Ctx, name: str, template_id: uuid.UUID | None = None
) -> None:
    existing = await repository.stage_template_named(session, ctx.organization.id, name)
    if existing is not None and existing.id != template_id:
        raise Conflict("A stage template has this name.", extra={"field": "name"})


async def _clear_default(session: AsyncSession, ctx: Ctx, keep: uuid.UUID | None) -> None:
    for template in await repository.default_stage_templates(session, ctx.organization.id):
        if template.id != keep:
            template.is_default = False
    # The partial unique index allows one default: clear before setting.
    await session.flush()


async def _audit(
    session: AsyncSession, ctx: Ctx, origin: Origin, action: str, template: StageTemplate
) -> None:
    await audit.record(
        session,
        action,
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="stage_template",
        target_id=template.id,
        data={"name": template.name, "is_default": template.is_default},
    )


async def create_stage_template(
    session: AsyncSession, ctx: Ctx, body: StageTemplateCreate, origin: Origin
) -> StageTemplate:
    _require_writer(ctx)
    stages = check_stages(body.stages)
    await _check_name(session, ctx, body.name)
    if body.is_default:
        await _clear_default(session, ctx, None)
    template = StageTemplate(
        organization_id=ctx.organization.id,
        name=body.name,
        is_default=body.is_default,
        stages=stages,
    )
    session.add(template)
    await session.flush()
    await session.refresh(template)
    await _audit(session, ctx, origin, "stage_template.created", template)
    return template


async def update_stage_template(
    session: AsyncSession,
    ctx: Ctx,
    template_id: uuid.UUID,
    body: StageTemplateUpdate,
    origin: Origin,
) -> StageTemplate:
    """Replace a template. Existing jobs keep the stages they were given."""
    _require_writer(ctx)
    template = await get_stage_template(session, ctx, template_id)
    stages = check_stages(body.stages)
    await _check_name(session, ctx, body.name, template.id)
    if body.is_default:
        await _clear_default(session, ctx, template.id)
    template.name = body.name
    template.is_default = body.is_default
    template.stages = stages
    await session.flush()
    await session.refresh(template)
    await _audit(session, ctx, origin, "stage_template.updated", template)
    return template


async def make_default(
    session: AsyncSession, ctx: Ctx, template_id: uuid.UUID, origin: Origin
) -> StageTemplate:
    _require_writer(ctx)
    template = await get_stage_template(session, ctx, template_id)
    await _clear_default(session, ctx, template.id)
    template.is_default = True
    await session.flush()
    await session.refresh(template)
    await _audit(session, ctx, origin, "stage_template.updated", template)
    return template


async def delete_stage_template(
    session: AsyncSession, ctx: Ctx, template_id: uuid.UUID, origin: Origin
) -> None:
    """Delete a template; without a default, new jobs get the built-in stages."""
    _require_writer(ctx)
    template = await get_stage_template(session, ctx, template_id)
    await _audit(session, ctx, origin, "stage_template.deleted", template)
    await session.delete(template)
    await session.flush()
