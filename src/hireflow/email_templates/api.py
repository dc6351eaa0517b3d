"""Email template JSON routes: an organization's templates, each kind customized or default."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from hireflow.api import API_PREFIX
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.email_templates import service
from hireflow.email_templates.schemas import (
    PreviewRead,
    TemplateKindRead,
    TemplatePreviewIn,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(prefix=API_PREFIX, tags=["email templates"])

BASE = "/organizations/{organization_id}/email-templates"
Kind = Annotated[str, Path(min_length=1, max_length=60, description="verify_email, …")]
Reader = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_READ))]
Writer = Annotated[Ctx, Depends(requires(Permission.TEMPLATES_WRITE))]
KIND_RESPONSES: dict[int | str, dict[str, str]] = {404: {"description": "No such email kind."}}


@router.get(BASE, response_model=list[TemplateKindRead], summary="Email kinds and templates")
async def list_templates(ctx: Reader, session: DbSession) -> list[TemplateKindRead]:
    return await service.list_templates(session, ctx)


@router.get(
    BASE + "/{kind}",
    response_model=TemplateRead,
    summary="One email template: what is sent and the default",
    responses=KIND_RESPONSES,
)
async def read_template(kind: Kind, ctx: Reader, session: DbSession) -> TemplateRead:
    return await service.get_template(session, ctx, kind)


@router.put(
    BASE + "/{kind}",
    response_model=TemplateRead,
    summary="Customize an email template",
    responses={
        **KIND_RESPONSES,
        409: {"description": "The kind is sent by hireflow itself and cannot be customized."},
        422: {
            "description": "The template does not parse, uses unknown variables or "
            "constructs outside the allowed language, or breaks a size limit."
        },
    },
)
async def save_template(
    kind: Kind, body: TemplateUpdate, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> TemplateRead:
    return await service.save_template(session, ctx, kind, body, origin)


@router.delete(
    BASE + "/{kind}",
    status_code=204,
    summary="Reset an email template to the default",
    responses=KIND_RESPONSES,
)
async def reset_template(
    kind: Kind, ctx: Writer, session: DbSession, origin: RequestOrigin
) -> None:
    await service.reset_template(session, ctx, kind, origin)


@router.post(
    BASE + "/{kind}/preview",
    response_model=PreviewRead,
    summary="Render a draft with sample values and the organization's branding",
    responses=KIND_RESPONSES,
)
async def preview_template(
    kind: Kind, ctx: Writer, session: DbSession, body: TemplatePreviewIn | None = None
) -> PreviewRead:
    return await service.preview(session, ctx, kind, body)
