"""Builders for organizations."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import Organization


async def make_organization(
    session: AsyncSession, *, name: str = "Initech", slug: str | None = None
) -> Organization:
    organization = Organization(name=name, slug=slug or f"org-{uuid.uuid4().hex[:10]}")
    session.add(organization)
    await session.flush()
    return organization
