"""`ctx`: who is acting in which organization with which permissions, built once per request.

A route that works on an organization's data takes `OrgCtx` (or `requires(...)`); the
organization comes from the `{organization_id}` path parameter. Not being a member answers 404,
exactly like an id that does not exist, so another tenant's ids reveal nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends

from hireflow.auth.dependencies import CurrentPrincipal
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.errors import Forbidden, NotFound
from hireflow.models import Membership, Organization, Role, User
from hireflow.organizations import repository


@dataclass(frozen=True)
class Ctx:
    user: User
    organization: Organization
    membership: Membership
    role: Role
    permissions: frozenset[Permission]

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, *permissions: Permission) -> None:
        missing = [p for p in permissions if p not in self.permissions]
        if missing:
            raise Forbidden(
                f"Your role ({self.role.name}) does not allow this "
                f"(needs {', '.join(p.value for p in missing)}).",
                extra={"missing_permissions": [p.value for p in missing]},
            )


def permissions_of(role: Role) -> frozenset[Permission]:
    known = {p.value for p in Permission}
    return frozenset(Permission(p) for p in role.permissions if p in known)


async def _org_ctx(
    organization_id: uuid.UUID, principal: CurrentPrincipal, session: DbSession
) -> Ctx:
    found = await repository.membership_of(session, principal.user.id, organization_id)
    if found is None:
        raise NotFound("No organization has this id.")
    membership, organization, role = found
    return Ctx(principal.user, organization, membership, role, permissions_of(role))


OrgCtx = Annotated[Ctx, Depends(_org_ctx)]


def requires(*permissions: Permission) -> Callable[..., Coroutine[Any, Any, Ctx]]:
    """A dependency giving the `Ctx` after checking `permissions`:
    `ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))]`."""

    async def dependency(ctx: OrgCtx) -> Ctx:
        ctx.require(*permissions)
        return ctx

    return dependency
