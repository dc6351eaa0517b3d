"""Platform admin routes for the email outbox (installation-wide, not tenant data)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import CurrentPrincipal, Principal
from hireflow.db import DbSession
from hireflow.errors import Forbidden
from hireflow.notifications import service
from hireflow.notifications.schemas import (
    OutboxMessageRead,
    OutboxMessageSummary,
    OutboxPage,
    OutboxStatus,
)

router = APIRouter(prefix=API_PREFIX + "/platform", tags=["platform"])


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
    messages = await service.list_outbox(
        session, to=to, kind=kind, status=status, limit=limit + 1, offset=offset
    )
    return OutboxPage(
        items=[OutboxMessageSummary.model_validate(m) for m in messages[:limit]],
        next_offset=offset + limit if len(messages) > limit else None,
    )


@router.get(
    "/outbox/{message_id}",
    response_model=OutboxMessageRead,
    summary="One email of the outbox, with its body",
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
    return OutboxMessageRead.model_validate(message)
