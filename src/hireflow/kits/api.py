"""Interview kit JSON routes: a job's kit (read, create/replace), its approval, and its preview
as the candidate will see it."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from hireflow.api import API_PREFIX
from hireflow.authz.context import OrgCtx
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.kits import service
from hireflow.kits.schemas import KitPreview, KitRead, KitWrite

router = APIRouter(prefix=API_PREFIX, tags=["interview kits"])

KIT = "/organizations/{organization_id}/jobs/{job_id}/kit"
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such job (or not visible to you), or the job has no kit."}
}


@router.get(KIT, response_model=KitRead, summary="A job's interview kit", responses=NOT_FOUND)
async def read_kit(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> KitRead:
    return await service.kit_read(session, await service.get_kit(session, ctx, job_id))


@router.put(
    KIT,
    response_model=KitRead,
    summary="Create or replace a job's interview kit (it becomes a draft)",
    responses={**NOT_FOUND, 422: {"description": "Unknown, retired or repeated items"}},
)
async def save_kit(
    job_id: uuid.UUID, body: KitWrite, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> KitRead:
    kit = await service.save_kit(session, ctx, job_id, body, origin=origin)
    return await service.kit_read(session, kit)


@router.post(
    KIT + "/approve",
    response_model=KitRead,
    summary="Approve a job's interview kit, pinning each item's approved version",
    responses={**NOT_FOUND, 409: {"description": "Items without an approved version"}},
)
async def approve_kit(
    job_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> KitRead:
    kit = await service.approve_kit(session, ctx, job_id, origin=origin)
    return await service.kit_read(session, kit)


@router.get(
    KIT + "/preview",
    response_model=KitPreview,
    summary="The kit as the candidate will see it (no rubrics, answers or hidden tests)",
    responses=NOT_FOUND,
)
async def preview_kit(job_id: uuid.UUID, ctx: OrgCtx, session: DbSession) -> KitPreview:
    return await service.preview_kit(session, ctx, job_id)
