"""Every SQL statement about the library, always filtered by the organization."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit import like
from hireflow.models import CodeRun, LibraryItem, LibraryItemVersion

SIMILARITY_THRESHOLD = 0.35
MAX_SIMILAR = 5


async def get_item(
    session: AsyncSession,
    organization_id: uuid.UUID,
    item_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> LibraryItem | None:
    query = select(LibraryItem).where(
        LibraryItem.id == item_id, LibraryItem.organization_id == organization_id
    )
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def versions_of(session: AsyncSession, item: LibraryItem) -> list[LibraryItemVersion]:
    rows = await session.scalars(
        select(LibraryItemVersion)
        .where(
            LibraryItemVersion.item_id == item.id,
            LibraryItemVersion.organization_id == item.organization_id,
        )
        .order_by(LibraryItemVersion.number.desc())
    )
    return list(rows)


async def get_version(
    session: AsyncSession, item: LibraryItem, number: int
) -> LibraryItemVersion | None:
    return await session.scalar(
        select(LibraryItemVersion).where(
            LibraryItemVersion.item_id == item.id,
            LibraryItemVersion.organization_id == item.organization_id,
            LibraryItemVersion.number == number,
        )
    )


def _latest_join() -> Any:
    return and_(
        LibraryItemVersion.item_id == LibraryItem.id,
        LibraryItemVersion.number == LibraryItem.latest_number,
    )


async def list_items(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    kind: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    seniority: str | None = None,
    category: str | None = None,
    ai_generated: bool | None = None,
    q: str | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int = 25,
) -> list[tuple[LibraryItem, LibraryItemVersion]]:
    """Items with their latest version, most recently changed first; `after` is the
    (updated_at, id) of the last item of the previous page."""
    query = (
        select(LibraryItem, LibraryItemVersion)
        .join(LibraryItemVersion, _latest_join())
        .where(LibraryItem.organization_id == organization_id)
    )
    if kind:
        query = query.where(LibraryItem.kind == kind)
    if status:
        query = query.where(LibraryItemVersion.status == status)
    if skill:
        lowered = func.array_to_string(LibraryItem.skills, "\x1f")
        query = query.where(
            func.lower(literal("\x1f") + lowered + literal("\x1f")).contains(
                "\x1f" + skill.lower() + "\x1f", autoescape=True
            )
        )
    if seniority:
        query = query.where(LibraryItem.seniority == seniority)
    if category:
        query = query.where(func.lower(LibraryItem.category) == category.lower())
    if ai_generated is not None:
        query = query.where(LibraryItemVersion.ai_generated.is_(ai_generated))
    if q:
        pattern = like.contains(q)
        text = LibraryItem.title + literal(" ") + LibraryItem.search_text
        query = query.where(
            LibraryItem.title.ilike(pattern, escape="\\")
            | LibraryItem.search_text.ilike(pattern, escape="\\")
            | (func.word_similarity(q, text) >= 0.5)
        )
    if after is not None:
        query = query.where(
            tuple_(LibraryItem.updated_at, LibraryItem.id) < tuple_(after[0], after[1])
        )
    query = query.order_by(LibraryItem.updated_at.desc(), LibraryItem.id.desc()).limit(limit)
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def latest_statuses(
    session: AsyncSession, items: list[LibraryItem]
) -> dict[uuid.UUID, LibraryItemVersion]:
    if not items:
        return {}
    rows = await session.execute(
        select(LibraryItem.id, LibraryItemVersion)
        .join(LibraryItemVersion, _latest_join())
        .where(LibraryItem.id.in_([i.id for i in items]))
    )
    return {row[0]: row[1] for row in rows.all()}


async def similar_items(
    session: AsyncSession, organization_id: uuid.UUID, exclude: uuid.UUID | None, text: str
) -> list[dict[str, Any]]:
    """Items of the organization whose title and text are trigram-similar to `text`."""
    target = LibraryItem.title + literal(" ") + LibraryItem.search_text
    score = func.similarity(target, text)
    query = select(LibraryItem.id, LibraryItem.title, score).where(
        LibraryItem.organization_id == organization_id, score >= SIMILARITY_THRESHOLD
    )
    if exclude is not None:
        query = query.where(LibraryItem.id != exclude)
    query = query.order_by(score.desc()).limit(MAX_SIMILAR)
    return [
        {"item_id": str(row[0]), "title": row[1], "similarity": round(float(row[2]), 2)}
        for row in (await session.execute(query)).all()
    ]


async def review_queue(
    session: AsyncSession, organization_id: uuid.UUID, limit: int = 200
) -> list[tuple[LibraryItem, LibraryItemVersion]]:
    rows = await session.execute(
        select(LibraryItem, LibraryItemVersion)
        .join(LibraryItemVersion, LibraryItemVersion.item_id == LibraryItem.id)
        .where(
            LibraryItem.organization_id == organization_id,
            LibraryItemVersion.status == "in_review",
        )
        .order_by(LibraryItemVersion.submitted_at.asc(), LibraryItemVersion.id)
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows.all()]


async def count_items(session: AsyncSession, organization_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(LibraryItem)
            .where(LibraryItem.organization_id == organization_id)
        )
        or 0
    )


async def runs_of(
    session: AsyncSession, version: LibraryItemVersion, limit: int = 20
) -> list[CodeRun]:
    rows = await session.scalars(
        select(CodeRun)
        .where(
            CodeRun.version_id == version.id,
            CodeRun.organization_id == version.organization_id,
        )
        .order_by(CodeRun.created_at.desc())
        .limit(limit)
    )
    return list(rows)
