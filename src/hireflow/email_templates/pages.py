"""HTML pages for an organization's email templates: the list, the edit page with its variables,
Save / Reset to default, and the preview the edit page shows in a sandboxed iframe.

Thin routes over `email_templates.service` (the same as the JSON API)."""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.email_templates import service
from hireflow.email_templates.schemas import TemplatePreviewIn, TemplateRead, TemplateUpdate
from hireflow.errors import AppError
from hireflow.notifications.rendering import ALLOWED_FILTERS
from hireflow.web.templating import (
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
)

router = APIRouter(
    prefix="/organizations/{organization_id}/email-templates",
    include_in_schema=False,
    dependencies=[Depends(member_page)],
)

Reader = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_READ))]
Writer = Annotated[Ctx, Depends(requires(Permission.TEMPLATES_WRITE))]

# The preview is an organization's HTML: shown only in a sandbox that runs nothing and loads
# nothing but inline styles and images.
PREVIEW_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox; "
        "frame-ancestors 'self'"
    ),
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}
MESSAGES = {
    "subject": "Enter a subject (300 characters at most).",
    "text_body": "Enter the text version (100,000 characters at most).",
    "html_body": "Enter the HTML version (100,000 characters at most).",
}
FIELDS = {name: name for name in MESSAGES}

register_notices(
    {
        "email-template-saved": Notice("success", "Template saved", "New emails use it."),
        "email-template-reset": Notice("success", "Template reset", "New emails use the default."),
    }
)


def _url(ctx: Ctx, kind: str | None = None) -> str:
    base = f"/organizations/{ctx.organization.id}/email-templates"
    return f"{base}/{kind}" if kind else base


def _frame(ctx: Ctx) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "tab": "email-templates",
        "my_role": ctx.role,
        "permissions": frozenset(p.value for p in ctx.permissions),
    }


def _edit_context(ctx: Ctx, template: TemplateRead, form: dict[str, str]) -> dict[str, Any]:
    return {
        **_frame(ctx),
        "template": template,
        "form": form,
        "editable": template.organization_scoped and ctx.can(Permission.TEMPLATES_WRITE),
        "can_preview": ctx.can(Permission.TEMPLATES_WRITE),
        "allowed_filters": sorted(ALLOWED_FILTERS),
    }


@router.get("", response_class=HTMLResponse)
async def list_page(request: Request, ctx: Reader, session: DbSession) -> HTMLResponse:
    kinds = await service.list_templates(session, ctx)
    return templates.TemplateResponse(
        request, "email_templates/list.html", {**_frame(ctx), "kinds": kinds}
    )


@router.get("/{kind}", response_class=HTMLResponse)
async def edit_page(request: Request, kind: str, ctx: Reader, session: DbSession) -> HTMLResponse:
    template = await service.get_template(session, ctx, kind)
    form = template.content.model_dump()
    return templates.TemplateResponse(
        request, "email_templates/edit.html", _edit_context(ctx, template, form)
    )


@router.post("/{kind}", response_class=HTMLResponse)
async def save(
    request: Request,
    kind: str,
    ctx: Writer,
    session: DbSession,
    origin: RequestOrigin,
    subject: Annotated[str, Form()] = "",
    text_body: Annotated[str, Form()] = "",
    html_body: Annotated[str, Form()] = "",
) -> Response:
    template = await service.get_template(session, ctx, kind)
    form = {"subject": subject, "text_body": text_body, "html_body": html_body}
    try:
        data = validated(TemplateUpdate, form, MESSAGES)
        await service.save_template(session, ctx, kind, data, origin)
    except AppError as exc:
        refuse(
            request,
            exc,
            "email_templates/edit.html",
            _edit_context(ctx, template, form),
            fields=FIELDS,
        )
    return see_other(_url(ctx, kind), notice="email-template-saved")


@router.post("/{kind}/reset", response_class=HTMLResponse)
async def reset(kind: str, ctx: Writer, session: DbSession, origin: RequestOrigin) -> Response:
    await service.reset_template(session, ctx, kind, origin)
    return see_other(_url(ctx, kind), notice="email-template-reset")


async def _preview(
    ctx: Ctx, session: DbSession, kind: str, form: dict[str, str] | None
) -> HTMLResponse:
    try:
        draft = validated(TemplatePreviewIn, form, MESSAGES) if form is not None else None
        rendered = await service.preview(session, ctx, kind, draft)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Preview</title>'
            '</head><body style="font-family:Helvetica,Arial,sans-serif;color:#9b1c1c;'
            f'padding:16px;"><p><strong>The preview failed.</strong></p><p>{escape(exc.detail)}'
            "</p></body></html>"
        )
        return HTMLResponse(page, status_code=exc.status, headers=PREVIEW_HEADERS)
    return HTMLResponse(rendered.html, headers=PREVIEW_HEADERS)


@router.get("/{kind}/preview", response_class=HTMLResponse)
async def preview_saved(kind: str, ctx: Writer, session: DbSession) -> HTMLResponse:
    return await _preview(ctx, session, kind, None)


@router.post("/{kind}/preview", response_class=HTMLResponse)
async def preview_draft(
    kind: str,
    ctx: Writer,
    session: DbSession,
    subject: Annotated[str, Form()] = "",
    text_body: Annotated[str, Form()] = "",
    html_body: Annotated[str, Form()] = "",
) -> HTMLResponse:
    form = {"subject": subject, "text_body": text_body, "html_body": html_body}
    return await _preview(ctx, session, kind, form)
