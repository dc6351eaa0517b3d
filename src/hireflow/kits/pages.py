"""Interview kit HTML pages: the kit builder on a job (sections, items from the library,
minutes, follow-ups, approval) and the preview as the candidate will see it. Every change is a
small form that posts without JavaScript; the services are those of the JSON API."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, OrgCtx
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import AppError, Invalid
from hireflow.jobs.service import get_job
from hireflow.kits import service
from hireflow.web.templating import Notice, refuse, register_notices, see_other, templates

router = APIRouter(
    prefix="/organizations/{organization_id}",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

FormShort = Annotated[str, Form(max_length=1_000)]

register_notices(
    {
        "kit-saved": Notice("success", "Kit saved", "It is a draft until it is approved."),
        "kit-approved": Notice("success", "Kit approved", "AI interviews for the job use it."),
    }
)


def _kit_url(ctx: Ctx, job_id: uuid.UUID) -> str:
    return f"/organizations/{ctx.organization.id}/jobs/{job_id}/kit"


async def _context(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, q: str = ""
) -> dict[str, Any]:
    job = await get_job(session, ctx, job_id)
    kit = await service.find_kit(session, ctx, job_id)
    read = await service.kit_read(session, kit) if kit is not None else None
    used = {item.id for s in read.sections for item in s.items} if read else set()
    options = [
        (str(item.id), f"{item.title} ({item.kind})")
        for item in await service.approved_library_items(session, ctx, q=q or None)
        if item.id not in used
    ]
    return {
        "org": ctx.organization,
        "job": job,
        "kit": read,
        "q": q,
        "item_options": options,
        "can_edit": ctx.can(Permission.JOBS_WRITE),
        "can_approve": ctx.can(Permission.KITS_APPROVE),
    }


@router.get("/jobs/{job_id}/kit", response_class=HTMLResponse)
async def kit_page(
    request: Request,
    job_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    q: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    context = await _context(session, ctx, job_id, q)
    return templates.TemplateResponse(request, "kits/builder.html", context)


def _int(value: str, field: str) -> int:
    try:
        return int(value or "0")
    except ValueError:
        raise Invalid("Enter a whole number.", extra={"field": field}) from None


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        raise Invalid("Choose an item from the list.", extra={"field": "item_id"}) from None


@router.post("/jobs/{job_id}/kit", response_class=HTMLResponse)
async def edit_kit(
    request: Request,
    job_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
    action: FormShort = "",
    section: FormShort = "0",
    title: FormShort = "",
    minutes: FormShort = "0",
    item_id: FormShort = "",
    follow_ups: FormShort = "0",
) -> Response:
    try:
        if action not in service.EDIT_ACTIONS:
            raise Invalid("Unknown change.", extra={"field": "action"})
        edit = service.KitEdit(
            action=action,
            section=_int(section, "section"),
            title=title,
            minutes=_int(minutes, "minutes"),
            item_id=_uuid(item_id),
            follow_ups=_int(follow_ups, "follow_ups"),
        )
        await service.edit_kit(session, ctx, job_id, edit, origin=origin)
    except AppError as exc:
        refuse(request, exc, "kits/builder.html", await _context(session, ctx, job_id))
    return see_other(_kit_url(ctx, job_id), notice="kit-saved")


@router.post("/jobs/{job_id}/kit/approve", response_class=HTMLResponse)
async def approve_kit(
    request: Request, job_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> Response:
    try:
        await service.approve_kit(session, ctx, job_id, origin=origin)
    except AppError as exc:
        refuse(request, exc, "kits/builder.html", await _context(session, ctx, job_id))
    return see_other(_kit_url(ctx, job_id), notice="kit-approved")


@router.get("/jobs/{job_id}/kit/preview", response_class=HTMLResponse)
async def preview_page(
    request: Request, job_id: uuid.UUID, ctx: OrgCtx, session: DbSession
) -> HTMLResponse:
    preview = await service.preview_kit(session, ctx, job_id)
    job = await get_job(session, ctx, job_id)
    return templates.TemplateResponse(
        request, "kits/preview.html", {"org": ctx.organization, "job": job, "preview": preview}
    )
