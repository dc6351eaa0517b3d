"""Business rules for organizations."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.errors import NotFound
from hireflow.models import Organization
from hireflow.organizations import repository


async def get_public_organization(session: AsyncSession, slug: str) -> Organization:
    organization = await repository.get_by_slug(session, slug)
    if organization is None:
        raise NotFound("No organization has this address.")
    return organization
