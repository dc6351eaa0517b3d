"""Every SQL statement about organizations' email templates and the branding they render with."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import EmailTemplate, Organization


async def list_for(session: AsyncSession, organization_id: uuid.UUID) -> list[EmailTemplate]:
    query = select(EmailTemplate).where(EmailTemplate.organization_id == organization_id)
    return list((await session.scalars(query)).all())


async def get(session: AsyncSession, organization_id: uuid.UUID, kind: str) -> EmailTemplate | None:
    query = select(EmailTemplate).where(
        EmailTemplate.organization_id == organization_id, EmailTemplate.kind == kind
    )
    return (await session.scalars(query)).one_or_none()


async def add(session: AsyncSession, template: EmailTemplate) -> EmailTemplate:
    session.add(template)
    await session.flush()
    return template


async def delete(session: AsyncSession, template: EmailTemplate) -> None:
    await session.delete(template)
    await session.flush()


async def organization(session: AsyncSession, organization_id: uuid.UUID) -> Organization | None:
    return await session.get(Organization, organization_id)
