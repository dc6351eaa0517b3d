"""Recording and reading audit events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import repository
from hireflow.models import AuditEvent, Organization, User


@dataclass(frozen=True)
class Origin:
    """Where a request came from: recorded with every audit event."""

    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, request: Request) -> Origin:
        return cls(
            ip=request.client.host if request.client else None,
            user_agent=(request.headers.get("user-agent") or "")[:300] or None,
            request_id=getattr(request.state, "request_id", None),
        )


SYSTEM = Origin()


class Acting(Protocol):
    """Who acts in which organization: `hireflow.authz.context.Ctx` (a protocol here, so the
    audit module does not depend on authorization)."""

    @property
    def user(self) -> User | None: ...
    @property
    def organization(self) -> Organization: ...
    @property
    def actor_email(self) -> str | None: ...


async def record_by(
    session: AsyncSession,
    ctx: Acting,
    action: str,
    *,
    origin: Origin,
    target_type: str,
    target_id: object,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """`record` for a change made through an organization's `Ctx`: its member (or API key) as
    the actor, its organization as the log."""
    return await record(
        session,
        action,
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type=target_type,
        target_id=target_id,
        data=data,
    )


async def record(
    session: AsyncSession,
    action: str,
    *,
    origin: Origin,
    actor: User | None = None,
    actor_email: str | None = None,
    organization_id: uuid.UUID | None = None,
    target_type: str | None = None,
    target_id: object = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = AuditEvent(
        action=action,
        organization_id=organization_id,
        actor_user_id=actor.id if actor else None,
        actor_email=actor.email if actor else actor_email,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        ip=origin.ip,
        user_agent=origin.user_agent,
        request_id=origin.request_id,
        data=data or {},
    )
    return await repository.add(session, event)


@dataclass(frozen=True)
class EventPage:
    items: list[AuditEvent]
    # Pass as `before_id` for the next (older) page; None on the last page.
    next_before_id: int | None


async def list_events(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID | None,
    action: str | None = None,
    actor_user_id: uuid.UUID | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> EventPage:
    """Newest first; `before_id` continues a previous page (keyset pagination).
    `organization_id=None` lists the whole installation (platform admins)."""
    events = await repository.list_events(
        session,
        organization_id=organization_id,
        action=action,
        actor_user_id=actor_user_id,
        before_id=before_id,
        limit=limit + 1,
    )
    items = events[:limit]
    return EventPage(items, items[-1].id if len(events) > limit else None)
