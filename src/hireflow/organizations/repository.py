"""Every SQL statement about organizations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Organization


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
