"""Platform admin route for text messages (installation-wide, not tenant data), like the email
outbox's."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from hireflow.api import API_PREFIX
from hireflow.auth.dependencies import CurrentPrincipal, Principal
from hireflow.db import DbSession
from hireflow.errors import Forbidden
from hireflow.notifications import sms

router = APIRouter(prefix=API_PREFIX + "/platform", tags=["platform"])

# queued → sent | failed
SmsStatus = Literal["queued", "sent", "failed"]


class SmsMessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    id: uuid.UUID
    organization_id: uuid.UUID | None
    to: str = Field(validation_alias="to_number")
    body: str
    kind: str
    status: SmsStatus
    attempts: int
    last_error: str | None
    # The provider's id for the message (Twilio's SID), once sent.
    provider_message_id: str | None
    created_at: datetime
    sent_at: datetime | None


class SmsPage(BaseModel):
    items: list[SmsMessageRead]
    # Pass as `offset` for the next (older) page; null when this is the last page.
    next_offset: int | None


async def _platform_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.user.is_platform_admin:
        raise Forbidden("Only platform admins can read the text messages.")
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]


@router.get(
    "/sms",
    response_model=SmsPage,
    summary="Text messages the platform sent or queued, newest first",
    responses={
        401: {"description": "Not signed in"},
        403: {"description": "Not a platform admin"},
        422: {"description": "`to` is not a phone number"},
    },
)
async def list_sms(
    admin: PlatformAdmin,
    session: DbSession,
    to: Annotated[str | None, Query(max_length=40)] = None,
    kind: Annotated[str | None, Query(max_length=60)] = None,
    status: SmsStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> SmsPage:
    messages = await sms.list_sms(
        session, to=to, kind=kind, status=status, limit=limit + 1, offset=offset
    )
    return SmsPage(
        items=[SmsMessageRead.model_validate(m) for m in messages[:limit]],
        next_offset=offset + limit if len(messages) > limit else None,
    )
