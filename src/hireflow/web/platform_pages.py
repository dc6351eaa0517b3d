"""HTML pages for platform admins: the installation-wide audit log and the email outbox.

Thin routes over the services the platform JSON API calls (`audit.service.list_events` with no
organization, `notifications.service`). Signed-out browsers are sent to the sign-in page by
`member_page`; anyone signed in who is not a platform admin gets the 403 page.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from hireflow.audit import service as audit
from hireflow.auth.pages import MemberSession, SignedIn
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import AppError, Forbidden
from hireflow.notifications import service as notifications
from hireflow.notifications.outbox_pages import listing_context
from hireflow.web.templating import Viewer, refuse, see_other, templates, with_query

PAGE_SIZE = 50


async def platform_page(request: Request, principal: MemberSession) -> SignedIn:
    """The guard of the platform pages: a complete sign-in (else the sign-in page) by a
    platform admin (else the 403 page)."""
    if not principal.user.is_platform_admin:
        raise Forbidden("Only platform admins can open the platform pages.")
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    if viewer is not None:
        request.state.viewer = dataclasses.replace(viewer, is_platform_admin=True)
    return principal


router = APIRouter(
    prefix="/platform", include_in_schema=False, dependencies=[Depends(platform_page)]
)


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def _page(request: Request, name: str, tab: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"tab": tab, **context})


@router.get("/audit", response_class=HTMLResponse)
async def platform_audit_page(
    request: Request,
    session: DbSession,
    organization: Annotated[str, Query(max_length=36)] = "",
    action: Annotated[str, Query(max_length=80)] = "",
    actor: Annotated[str, Query(max_length=36)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    organization, action, actor = organization.strip(), action.strip(), actor.strip()
    organization_id, actor_id = _uuid_or_none(organization), _uuid_or_none(actor)
    filters = {"organization": organization, "action": action, "actor": actor}
    page = audit.EventPage([], None)
    # An id that is not a UUID matches nothing (rather than being silently dropped).
    if (organization_id or not organization) and (actor_id or not actor):
        page = await audit.list_events(
            session,
            organization_id=organization_id,
            action=action or None,
            actor_user_id=actor_id,
            before_id=before,
            limit=PAGE_SIZE,
        )
    base = with_query("/platform/audit", **{k: v or None for k, v in filters.items()})
    context = {
        "events": page.items,
        "filters": filters,
        "filtered": any(filters.values()),
        "newest_url": base if before else None,
        "older_url": (
            with_query(base, before=str(page.next_before_id)) if page.next_before_id else None
        ),
    }
    return _page(request, "platform/audit.html", "audit", context)


@router.get("/outbox", response_class=HTMLResponse)
async def platform_outbox_page(
    request: Request,
    session: DbSession,
    to: Annotated[str, Query(max_length=320)] = "",
    kind: Annotated[str, Query(max_length=60)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> HTMLResponse:
    context = await listing_context(
        session, url="/platform/outbox", to=to, kind=kind, status=status, offset=offset
    )
    return _page(request, "platform/outbox.html", "outbox", context)


@router.get("/outbox/{message_id}", response_class=HTMLResponse)
async def platform_outbox_message_page(
    request: Request, session: DbSession, message_id: uuid.UUID
) -> HTMLResponse:
    message = await notifications.get_outbox_message(session, message_id)
    attempts = await notifications.delivery_log(session, message_id)
    # The HTML body is shown as its source text (autoescaped), never rendered into this page.
    context = {"message": message, "attempts": attempts}
    return _page(request, "platform/outbox_message.html", "outbox", context)


@router.post("/outbox/{message_id}/retry", response_class=HTMLResponse)
async def platform_retry_outbox_message(
    request: Request,
    message_id: uuid.UUID,
    principal: MemberSession,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await notifications.retry_platform_message(session, principal.user, message_id, origin)
    except AppError as exc:
        if exc.status == 404:
            raise
        message = await notifications.get_outbox_message(session, message_id)
        attempts = await notifications.delivery_log(session, message_id)
        context = {"tab": "outbox", "message": message, "attempts": attempts}
        refuse(request, exc, "platform/outbox_message.html", context)
    # The notice is registered with the organization outbox pages.
    return see_other(f"/platform/outbox/{message_id}", notice="email-retried")
