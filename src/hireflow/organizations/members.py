"""Business rules for members and roles of an organization. Every change is audited."""

from __future__ import annotations

import re
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx, permissions_of
from hireflow.authz.permissions import Permission
from hireflow.errors import Conflict, Forbidden, Invalid, NotFound
from hireflow.models import Membership, Role
from hireflow.organizations import repository
from hireflow.organizations.schemas import RoleCreate, RoleUpdate

OWNER = "owner"


def _role_key(name: str) -> str:
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]
    if not key:
        raise Invalid("A role name needs at least one letter or digit.", extra={"field": "name"})
    return key


def _no_escalation(ctx: Ctx, permissions: list[Permission]) -> None:
    beyond = sorted({p.value for p in permissions} - {p.value for p in ctx.permissions})
    if beyond:
        raise Forbidden(
            "A role cannot grant permissions you do not have yourself.",
            extra={"permissions": beyond},
        )


async def create_role(session: AsyncSession, ctx: Ctx, data: RoleCreate, origin: Origin) -> Role:
    ctx.require(Permission.ROLES_WRITE)
    _no_escalation(ctx, data.permissions)
    key = _role_key(data.name)
    if await repository.role_key_taken(session, ctx.organization.id, key):
        raise Conflict(f"A role named like “{data.name}” exists already.", extra={"field": "name"})
    role = Role(
        organization_id=ctx.organization.id,
        key=key,
        name=data.name.strip(),
        description=data.description,
        permissions=sorted({p.value for p in data.permissions}),
    )
    session.add(role)
    await session.flush()
    await audit.record(
        session,
        "role.created",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="role",
        target_id=role.id,
        data={"name": role.name, "permissions": role.permissions},
    )
    return role


async def _custom_role(session: AsyncSession, ctx: Ctx, role_id: uuid.UUID) -> Role:
    role = await repository.get_role(session, ctx.organization.id, role_id)
    if role is None:
        raise NotFound("No role has this id.")
    if role.is_system:
        raise Forbidden("System roles cannot be changed; create a custom role instead.")
    return role


async def update_role(
    session: AsyncSession, ctx: Ctx, role_id: uuid.UUID, data: RoleUpdate, origin: Origin
) -> Role:
    ctx.require(Permission.ROLES_WRITE)
    role = await _custom_role(session, ctx, role_id)
    before = {"name": role.name, "permissions": list(role.permissions)}
    if data.name is not None and data.name.strip() != role.name:
        key = _role_key(data.name)
        if key != role.key and await repository.role_key_taken(session, ctx.organization.id, key):
            raise Conflict(
                f"A role named like “{data.name}” exists already.", extra={"field": "name"}
            )
        role.name, role.key = data.name.strip(), key
    if data.description is not None:
        role.description = data.description
    if data.permissions is not None:
        _no_escalation(ctx, data.permissions)
        role.permissions = sorted({p.value for p in data.permissions})
    await session.flush()
    await audit.record(
        session,
        "role.updated",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="role",
        target_id=role.id,
        data={"before": before, "after": {"name": role.name, "permissions": role.permissions}},
    )
    return role


async def delete_role(session: AsyncSession, ctx: Ctx, role_id: uuid.UUID, origin: Origin) -> None:
    ctx.require(Permission.ROLES_WRITE)
    role = await _custom_role(session, ctx, role_id)
    holders = await repository.count_members_with_role(session, role.id)
    if holders:
        raise Conflict(f"{holders} member(s) still have this role; give them another first.")
    await session.delete(role)
    await session.flush()
    await audit.record(
        session,
        "role.deleted",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="role",
        target_id=role_id,
        data={"name": role.name},
    )


async def _member(session: AsyncSession, ctx: Ctx, membership_id: uuid.UUID) -> Membership:
    membership = await repository.get_membership(session, ctx.organization.id, membership_id)
    if membership is None:
        raise NotFound("No member has this id.")
    return membership


def _acting_as_owner(ctx: Ctx) -> bool:
    """A member with the Owner role (an organization API key never is)."""
    return ctx.role is not None and ctx.role.key == OWNER


async def _is_owner(session: AsyncSession, ctx: Ctx, membership: Membership) -> bool:
    role = await repository.get_role(session, ctx.organization.id, membership.role_id)
    return role is not None and role.is_system and role.key == OWNER


async def change_member_role(
    session: AsyncSession, ctx: Ctx, membership_id: uuid.UUID, role_id: uuid.UUID, origin: Origin
) -> Membership:
    ctx.require(Permission.MEMBERS_WRITE)
    membership = await _member(session, ctx, membership_id)
    role = await repository.get_role(session, ctx.organization.id, role_id)
    if role is None:
        raise Invalid("No role has this id.", extra={"field": "role_id"})
    promoting_to_owner = role.is_system and role.key == OWNER
    demoting_owner = await _is_owner(session, ctx, membership) and not promoting_to_owner
    if (promoting_to_owner or demoting_owner) and not _acting_as_owner(ctx):
        raise Forbidden("Only an owner can make or unmake owners.")
    if demoting_owner and await repository.count_owners(session, ctx.organization.id) <= 1:
        raise Conflict("An organization keeps at least one owner.")
    _no_escalation(ctx, list(permissions_of(role)))
    previous = membership.role_id
    membership.role_id = role.id
    await session.flush()
    await audit.record(
        session,
        "member.role_changed",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="membership",
        target_id=membership.id,
        data={
            "user_id": str(membership.user_id),
            "from_role_id": str(previous),
            "to_role": role.key,
        },
    )
    return membership


async def remove_member(
    session: AsyncSession, ctx: Ctx, membership_id: uuid.UUID, origin: Origin
) -> None:
    membership = await _member(session, ctx, membership_id)
    # Anyone may leave; removing others needs the right.
    if ctx.user is None or membership.user_id != ctx.user.id:
        ctx.require(Permission.MEMBERS_WRITE)
    if await _is_owner(session, ctx, membership):
        if not _acting_as_owner(ctx):
            raise Forbidden("Only an owner can remove an owner.")
        if await repository.count_owners(session, ctx.organization.id) <= 1:
            raise Conflict("An organization keeps at least one owner.")
    await session.delete(membership)
    await session.flush()
    await audit.record(
        session,
        "member.removed",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="membership",
        target_id=membership_id,
        data={"user_id": str(membership.user_id)},
    )
