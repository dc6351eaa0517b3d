"""An organization's email outbox in the app: the list, one message with its delivery log, its
HTML part (served alone, sandboxed, for an iframe) and retrying a failed message.

Thin routes over `notifications.service`, like the JSON API (`notifications.api`). Reading
needs `audit:read`; retrying `organization:settings:write` (owners and admins).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.pages import member_page
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import AppError, NotFound
from hireflow.models import OutboxMessage
from hireflow.notifications import service
from hireflow.notifications.schemas import OutboxStatus
from hireflow.organizations.pages import _org_context
from hireflow.web.templating import (
    Notice,
    refuse,
    register_notices,
    see_other,
    templates,
    with_query,
)

PAGE_SIZE = 50
STATUSES: tuple[str, ...] = get_args(OutboxStatus)

# The stored HTML part is answered alone, for an <iframe sandbox>: no script, no requests but
# images over https, nothing it may navigate or submit; framed only by our own pages.
EMAIL_HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox; "
    "frame-ancestors 'self'"
)
EMAIL_HTML_HEADERS = {
    "Content-Security-Policy": EMAIL_HTML_CSP,
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(
    prefix="/organizations/{organization_id}/outbox",
    include_in_schema=False,
    # First, so that someone signed out is sent to the sign-in page rather than shown an error.
    dependencies=[Depends(member_page)],
)

OutboxReader = Annotated[Ctx, Depends(requires(Permission.AUDIT_READ))]
OutboxRetrier = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))]

register_notices(
    {
        "email-retried": Notice(
            "success", "Email queued again", "It is delivered with the same Message-ID."
        ),
    }
)


async def listing_context(
    session: AsyncSession,
    *,
    url: str,
    to: str,
    kind: str,
    status: str,
    offset: int,
    organization_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """What `outbox/_parts.html`'s listing shows at `url` (this organization's outbox, or the
    installation's for platform admins): the filtered page of messages and its links."""
    to, kind = to.strip(), kind.strip()
    chosen_status = status if status in STATUSES else ""
    messages = await service.list_outbox(
        session,
        to=to or None,
        kind=kind or None,
        status=chosen_status or None,
        limit=PAGE_SIZE + 1,
        offset=offset,
        organization_id=organization_id,
    )
    base = with_query(url, to=to or None, kind=kind or None, status=chosen_status or None)
    return {
        "messages": messages[:PAGE_SIZE],
        "filters": {"to": to, "kind": kind, "status": chosen_status},
        "status_options": [(s, s.capitalize()) for s in STATUSES],
        "newest_url": base if offset else None,
        "older_url": (
            with_query(base, offset=str(offset + PAGE_SIZE)) if len(messages) > PAGE_SIZE else None
        ),
    }


def _outbox_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/outbox"


@router.get("", response_class=HTMLResponse)
async def organization_outbox_page(
    request: Request,
    ctx: OutboxReader,
    session: DbSession,
    to: Annotated[str, Query(max_length=320)] = "",
    kind: Annotated[str, Query(max_length=60)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    context = {
        **_org_context(ctx, "outbox"),
        **await listing_context(
            session,
            url=_outbox_url(ctx),
            to=to,
            kind=kind,
            status=status,
            offset=offset,
            organization_id=ctx.organization.id,
        ),
    }
    return templates.TemplateResponse(request, "organizations/outbox.html", context)


async def _message_context(
    session: AsyncSession, ctx: Ctx, message: OutboxMessage
) -> dict[str, Any]:
    return {
        **_org_context(ctx, "outbox"),
        "message": message,
        "attempts": await service.delivery_log(session, message.id),
        "can_retry": ctx.can(Permission.ORGANIZATION_SETTINGS_WRITE),
        "html_url": f"{_outbox_url(ctx)}/{message.id}/html",
        "retry_url": f"{_outbox_url(ctx)}/{message.id}/retry",
        "back_url": _outbox_url(ctx),
    }


@router.get("/{message_id}", response_class=HTMLResponse)
async def organization_outbox_message_page(
    request: Request, message_id: uuid.UUID, ctx: OutboxReader, session: DbSession
) -> HTMLResponse:
    message = await service.get_outbox_message(
        session, message_id, organization_id=ctx.organization.id
    )
    context = await _message_context(session, ctx, message)
    return templates.TemplateResponse(request, "organizations/outbox_message.html", context)


@router.get("/{message_id}/html")
async def organization_outbox_message_html(
    message_id: uuid.UUID, ctx: OutboxReader, session: DbSession
) -> Response:
    """The stored HTML part, alone, under a CSP that sandboxes it (for the message page's
    iframe; never inlined into our pages)."""
    message = await service.get_outbox_message(
        session, message_id, organization_id=ctx.organization.id
    )
    if message.html_body is None:
        raise NotFound("This email has no HTML part.")
    return HTMLResponse(message.html_body, headers=EMAIL_HTML_HEADERS)


@router.post("/{message_id}/retry", response_class=HTMLResponse)
async def retry_organization_outbox_message(
    request: Request,
    message_id: uuid.UUID,
    ctx: OutboxRetrier,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.retry_organization_message(session, ctx, message_id, origin)
    except AppError as exc:
        if exc.status == 404:
            raise
        message = await service.get_outbox_message(
            session, message_id, organization_id=ctx.organization.id
        )
        context = await _message_context(session, ctx, message)
        refuse(request, exc, "organizations/outbox_message.html", context)
    return see_other(f"{_outbox_url(ctx)}/{message_id}", notice="email-retried")
