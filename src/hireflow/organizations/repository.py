"""Every SQL statement about organizations."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Membership, Organization, Role, User


async def get_by_slug(session: AsyncSession, slug: str) -> Organization | None:
    result = await session.execute(select(Organization).where(Organization.slug == slug))
    return result.scalar_one_or_none()


async def upsert(session: AsyncSession, *, name: str, slug: str) -> Organization:
    organization = await get_by_slug(session, slug)
    if organization is None:
        organization = Organization(name=name, slug=slug)
        session.add(organization)
        await session.flush()
    return organization


async def membership_of(
    session: AsyncSession, user_id: uuid.UUID, organization_id: uuid.UUID
) -> tuple[Membership, Organization, Role] | None:
    row = (
        await session.execute(
            select(Membership, Organization, Role)
            .join(Organization, Organization.id == Membership.organization_id)
            .join(Role, Role.id == Membership.role_id)
            .where(Membership.user_id == user_id, Membership.organization_id == organization_id)
        )
    ).first()
    return (row[0], row[1], row[2]) if row is not None else None


async def memberships_of_user(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Membership, Organization, Role]]:
    rows = await session.execute(
        select(Membership, Organization, Role)
        .join(Organization, Organization.id == Membership.organization_id)
        .join(Role, Role.id == Membership.role_id)
        .where(Membership.user_id == user_id)
        .order_by(Organization.name)
    )
    return [(m, o, r) for m, o, r in rows.all()]


async def members(
    session: AsyncSession, organization_id: uuid.UUID
) -> list[tuple[Membership, User, Role]]:
    rows = await session.execute(
        select(Membership, User, Role)
        .join(User, User.id == Membership.user_id)
        .join(Role, Role.id == Membership.role_id)
        .where(Membership.organization_id == organization_id)
        .order_by(User.name, User.email)
    )
    return [(m, u, r) for m, u, r in rows.all()]


async def roles_for(session: AsyncSession, organization_id: uuid.UUID) -> list[Role]:
    """The system roles and the organization's custom roles."""
    rows = await session.scalars(
        select(Role)
        .where((Role.organization_id.is_(None)) | (Role.organization_id == organization_id))
        .order_by(Role.organization_id.is_not(None), Role.name)
    )
    return list(rows)


async def system_role(session: AsyncSession, key: str) -> Role:
    role = await session.scalar(select(Role).where(Role.organization_id.is_(None), Role.key == key))
    if role is None:
        raise LookupError(f"system role {key!r} is missing: run the migrations")
    return role


async def add_member(
    session: AsyncSession, *, organization_id: uuid.UUID, user_id: uuid.UUID, role_id: uuid.UUID
) -> Membership:
    membership = Membership(organization_id=organization_id, user_id=user_id, role_id=role_id)
    session.add(membership)
    await session.flush()
    return membership


async def get_membership(
    session: AsyncSession, organization_id: uuid.UUID, membership_id: uuid.UUID
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.id == membership_id, Membership.organization_id == organization_id
        )
    )


async def get_role(
    session: AsyncSession, organization_id: uuid.UUID, role_id: uuid.UUID
) -> Role | None:
    """A role usable in the organization: a system role or one of its own custom roles."""
    return await session.scalar(
        select(Role).where(
            Role.id == role_id,
            (Role.organization_id.is_(None)) | (Role.organization_id == organization_id),
        )
    )


async def role_key_taken(session: AsyncSession, organization_id: uuid.UUID, key: str) -> bool:
    found = await session.scalar(
        select(Role.id).where(
            Role.key == key,
            (Role.organization_id.is_(None)) | (Role.organization_id == organization_id),
        )
    )
    return found is not None


async def count_members_with_role(session: AsyncSession, role_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.role_id == role_id)
        )
        or 0
    )


async def count_owners(session: AsyncSession, organization_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .join(Role, Role.id == Membership.role_id)
            .where(
                Membership.organization_id == organization_id,
                Role.organization_id.is_(None),
                Role.key == "owner",
            )
        )
        or 0
    )
