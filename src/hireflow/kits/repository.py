"""Every SQL statement about interview kits, and the library reads kits need. Queries take the
organization's id; the job itself is read (and its visibility checked) through the jobs
service before any of these run."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit import like
from hireflow.models import InterviewKit, LibraryItem, LibraryItemVersion


async def kit_of_job(
    session: AsyncSession, organization_id: uuid.UUID, job_id: uuid.UUID, *, lock: bool = False
) -> InterviewKit | None:
    query = select(InterviewKit).where(
        InterviewKit.organization_id == organization_id, InterviewKit.job_id == job_id
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def items_by_id(
    session: AsyncSession, organization_id: uuid.UUID, item_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, LibraryItem]:
    if not item_ids:
        return {}
    rows = await session.scalars(
        select(LibraryItem).where(
            LibraryItem.organization_id == organization_id, LibraryItem.id.in_(list(item_ids))
        )
    )
    return {item.id: item for item in rows}


async def versions_by_id(
    session: AsyncSession, organization_id: uuid.UUID, version_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, LibraryItemVersion]:
    if not version_ids:
        return {}
    rows = await session.scalars(
        select(LibraryItemVersion).where(
            LibraryItemVersion.organization_id == organization_id,
            LibraryItemVersion.id.in_(list(version_ids)),
        )
    )
    return {version.id: version for version in rows}


async def approved_items(
    session: AsyncSession, organization_id: uuid.UUID, *, q: str | None, limit: int
) -> list[LibraryItem]:
    """Items a kit can use now (an approved version, not retired), by title."""
    query = select(LibraryItem).where(
        LibraryItem.organization_id == organization_id,
        LibraryItem.approved_version_id.is_not(None),
        LibraryItem.retired_at.is_(None),
    )
    if q:
        query = query.where(LibraryItem.title.ilike(like.contains(q)))
    return list(await session.scalars(query.order_by(LibraryItem.title).limit(limit)))
