"""The email outbox: platform admin routes (installation-wide, not tenant data) and an
organization's own outbox for its admins (`organization_router`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import CurrentPrincipal, Principal
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin
from hireflow.errors import Forbidden
from hireflow.notifications import service
from hireflow.notifications.schemas import (
    OutboxMessageRead,
    OutboxPage,
    OutboxStatus,
)

router = APIRouter(prefix=API_PREFIX + "/platform", tags=["platform"])
organization_router = APIRouter(prefix=API_PREFIX, tags=["organizations"])


async def _platform_admin(principal: CurrentPrincipal) -> Principal:
    # Checked before any lookup: a non-admin gets 403 whether or not the id exists.
    if not principal.user.is_platform_admin:
        raise Forbidden("Only platform admins can read the outbox.")
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]


@router.get(
    "/outbox",
    response_model=OutboxPage,
    summary="Emails the platform sent or stored, newest first",
    responses={401: {"description": "Not signed in"}, 403: {"description": "Not a platform admin"}},
)
async def list_outbox(
    admin: PlatformAdmin,
    session: DbSession,
    to: Annotated[str | None, Query(max_length=320)] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OutboxPage:
    return await service.outbox_page(
        session, to=to, kind=kind, status=status, limit=limit, offset=offset
    )


@router.get(
    "/outbox/{message_id}",
    response_model=OutboxMessageRead,
    summary="One email of the outbox, with its body and delivery log",
    description="`message_id` is the outbox id (`id` in the listing), not the Message-ID header.",
    responses={
        401: {"description": "Not signed in"},
        403: {"description": "Not a platform admin"},
        404: {"description": "No email in the outbox has this id"},
    },
)
async def read_outbox_message(
    message_id: uuid.UUID, admin: PlatformAdmin, session: DbSession
) -> OutboxMessageRead:
    message = await service.get_outbox_message(session, message_id)
    return OutboxMessageRead.of(message, await service.delivery_log(session, message_id))


@router.post(
    "/outbox/{message_id}/retry",
    response_model=OutboxMessageRead,
    summary="Deliver a failed email again",
    description="Back to `queued` with a new delivery job; attempts and Message-ID are kept. "
    "Audited as `email.retried`.",
    responses={
        401: {"description": "Not signed in"},
        403: {"description": "Not a platform admin"},
        404: {"description": "No email in the outbox has this id"},
        409: {"description": "The email is not failed"},
    },
)
async def retry_outbox_message(
    message_id: uuid.UUID, admin: PlatformAdmin, session: DbSession, origin: RequestOrigin
) -> OutboxMessageRead:
    message = await service.retry_platform_message(session, admin.user, message_id, origin)
    return OutboxMessageRead.of(message, await service.delivery_log(session, message_id))


# --- an organization's outbox --------------------------------------------------------------------

OutboxReader = Annotated[Ctx, Depends(requires(Permission.AUDIT_READ))]
OutboxRetrier = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))]


@organization_router.get(
    "/organizations/{organization_id}/outbox",
    response_model=OutboxPage,
    summary="Emails the organization sent or stored, newest first",
    responses={403: {"description": "Missing the audit:read permission"}},
)
async def list_organization_outbox(
    ctx: OutboxReader,
    session: DbSession,
    to: Annotated[str | None, Query(max_length=320)] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> OutboxPage:
    return await service.outbox_page(
        session,
        to=to,
        kind=kind,
        status=status,
        limit=limit,
        offset=offset,
        organization_id=ctx.organization.id,
    )


@organization_router.get(
    "/organizations/{organization_id}/outbox/{message_id}",
    response_model=OutboxMessageRead,
    summary="One email of the organization, with its body, delivery log and tracking",
    description="`message_id` is the outbox id (`id` in the listing), not the Message-ID header.",
    responses={
        403: {"description": "Missing the audit:read permission"},
        404: {"description": "The organization has no email with this id"},
    },
)
async def read_organization_outbox_message(
    message_id: uuid.UUID, ctx: OutboxReader, session: DbSession
) -> OutboxMessageRead:
    message = await service.get_outbox_message(
        session, message_id, organization_id=ctx.organization.id
    )
    return OutboxMessageRead.of(message, await service.delivery_log(session, message_id))


@organization_router.post(
    "/organizations/{organization_id}/outbox/{message_id}/retry",
    response_model=OutboxMessageRead,
    summary="Deliver a failed email of the organization again",
    description="Back to `queued` with a new delivery job; attempts and Message-ID are kept. "
    "Owners and admins (organization:settings:write). Audited as `email.retried`.",
    responses={
        403: {"description": "Missing the organization:settings:write permission"},
        404: {"description": "The organization has no email with this id"},
        409: {"description": "The email is not failed"},
    },
)
async def retry_organization_outbox_message(
    message_id: uuid.UUID, ctx: OutboxRetrier, session: DbSession, origin: RequestOrigin
) -> OutboxMessageRead:
    message = await service.retry_organization_message(session, ctx, message_id, origin)
    return OutboxMessageRead.of(message, await service.delivery_log(session, message_id))
