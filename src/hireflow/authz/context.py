"""`ctx`: who is acting in which organization with which permissions, built once per request.

A route that works on an organization's data takes `OrgCtx` (or `requires(...)`); the
organization comes from the `{organization_id}` path parameter. Not being a member answers 404,
exactly like an id that does not exist, so another tenant's ids reveal nothing.

The one acting is a member (a `MemberCtx`: `user`, `membership` and `role` are set; through a
personal API token `api_token` is set too, and its scopes narrow the role's permissions), or an
organization API key (a plain `Ctx`: `user`, `membership` and `role` are None, `api_token` is
the key, and its scopes are the permissions). `OrgCtx` and `requires(...)` admit both;
`MemberOrgCtx` and `member_requires(...)` only members (keys: 403 `user-required`). Services
take `Ctx`; code that needs a person calls `ctx.person()`, and audit events are recorded with
`actor=ctx.user, actor_email=ctx.actor_email`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.dependencies import ApiKeyCaller, CurrentCaller, UserRequired
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.errors import Forbidden, NotFound
from hireflow.models import ApiToken, Membership, Organization, Role, User
from hireflow.organizations import repository


@dataclass(frozen=True)
class Ctx:
    user: User | None  # None: an organization API key is acting
    organization: Organization
    membership: Membership | None
    role: Role | None
    permissions: frozenset[Permission]
    api_token: ApiToken | None = None  # the personal token or organization key used, if any

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, *permissions: Permission) -> None:
        missing = [p for p in permissions if p not in self.permissions]
        if missing:
            raise Forbidden(
                f"{self._who()} not allow this (needs {', '.join(p.value for p in missing)}).",
                extra={"missing_permissions": [p.value for p in missing]},
            )

    def person(self) -> User:
        """The member acting; an organization API key gets a 403 `user-required`."""
        if self.user is None:
            raise UserRequired("Only a member can do this, not an organization API key.")
        return self.user

    @property
    def actor_email(self) -> str | None:
        """For audit events: None for a member (their address is recorded with `actor`),
        `api-key:<name>` for an organization API key."""
        if self.user is None and self.api_token is not None:
            return f"api-key:{self.api_token.name}"[:320]
        return None

    def _who(self) -> str:
        if self.role is None:
            return "This API key's scopes do"
        if self.api_token is not None and self.api_token.scopes:
            return f"Your role ({self.role.name}) or this token's scopes do"
        return f"Your role ({self.role.name}) does"


@dataclass(frozen=True)
class MemberCtx(Ctx):
    """A member acting (with the session, a personal API token or a provider's JWT)."""

    user: User
    membership: Membership
    role: Role


def permissions_of(role: Role) -> frozenset[Permission]:
    known = {p.value for p in Permission}
    return frozenset(Permission(p) for p in role.permissions if p in known)


def scopes_of(api_token: ApiToken) -> frozenset[Permission]:
    known = {p.value for p in Permission}
    return frozenset(Permission(p) for p in api_token.scopes if p in known)


def permissions_for(role: Role, api_token: ApiToken | None = None) -> frozenset[Permission]:
    """A member's permissions: their role's, narrowed to a personal token's scopes if it has
    any (no scopes: all of the role's)."""
    granted = permissions_of(role)
    if api_token is not None and api_token.scopes:
        return granted & scopes_of(api_token)
    return granted


async def _org_ctx(organization_id: uuid.UUID, caller: CurrentCaller, session: DbSession) -> Ctx:
    if isinstance(caller, ApiKeyCaller):
        if caller.organization.id != organization_id:
            raise NotFound("No organization has this id.")
        key = caller.api_key
        return Ctx(None, caller.organization, None, None, scopes_of(key), api_token=key)
    found = await repository.membership_of(session, caller.user.id, organization_id)
    if found is None:
        raise NotFound("No organization has this id.")
    membership, organization, role = found
    return MemberCtx(
        caller.user,
        organization,
        membership,
        role,
        permissions_for(role, caller.api_token),
        api_token=caller.api_token,
    )


OrgCtx = Annotated[Ctx, Depends(_org_ctx)]


async def member_ctx(
    session: AsyncSession, organization_id: uuid.UUID, user_id: uuid.UUID
) -> MemberCtx | None:
    """The `MemberCtx` a job acts with on behalf of `user_id` (their role's permissions, as in
    a request); None when they are no longer a member or their account is disabled."""
    found = await repository.membership_of(session, user_id, organization_id)
    if found is None:
        return None
    membership, organization, role = found
    user = await session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        return None
    return MemberCtx(user, organization, membership, role, permissions_for(role))


async def _member_ctx(ctx: OrgCtx) -> MemberCtx:
    if not isinstance(ctx, MemberCtx):
        raise UserRequired("Only a member can do this, not an organization API key.")
    return ctx


MemberOrgCtx = Annotated[MemberCtx, Depends(_member_ctx)]


def requires(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Ctx]]:
    """A dependency giving the `Ctx` after checking `permissions`:
    `ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))]`."""

    async def dependency(ctx: OrgCtx) -> Ctx:
        ctx.require(*permissions)
        return ctx

    return dependency


def member_requires(
    *permissions: Permission,
) -> Callable[..., Coroutine[Any, Any, MemberCtx]]:
    """As `requires`, for routes only members may call (organization API keys: 403)."""

    async def dependency(ctx: MemberOrgCtx) -> MemberCtx:
        ctx.require(*permissions)
        return ctx

    return dependency
