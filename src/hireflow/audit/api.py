"""The installation-wide audit log, for platform admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from hireflow.api import API_PREFIX
from hireflow.audit import service
from hireflow.audit.schemas import AuditEventPage, AuditEventRead
from hireflow.auth.dependencies import CurrentPrincipal
from hireflow.db import DbSession
from hireflow.errors import Forbidden

router = APIRouter(prefix=f"{API_PREFIX}/platform", tags=["platform"])


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    summary="Every audit event of the installation, newest first (platform admins)",
)
async def list_platform_audit_events(
    principal: CurrentPrincipal,
    session: DbSession,
    organization_id: uuid.UUID | None = None,
    action: Annotated[str | None, Query(max_length=80)] = None,
    actor_user_id: uuid.UUID | None = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditEventPage:
    if not principal.user.is_platform_admin:
        raise Forbidden("Only platform admins can read the installation's audit log.")
    page = await service.list_events(
        session,
        organization_id=organization_id,
        action=action,
        actor_user_id=actor_user_id,
        before_id=before_id,
        limit=limit,
    )
    return AuditEventPage(
        items=[AuditEventRead.model_validate(e) for e in page.items],
        next_before_id=page.next_before_id,
    )
