"""Builders for interview kits: library items (a question or a challenge) with an approved or
draft version, a new draft of an item, and a kit of a job (draft or approved)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.models import InterviewKit, Job, LibraryItem, LibraryItemVersion, Organization

RUBRIC = {
    "criteria": [{"key": "clarity", "description": "Explains the trade-offs clearly"}],
    "ideal_answer": "SECRET IDEAL ANSWER mentions indexes and caching",
}


def question_content(prompt: str) -> dict[str, Any]:
    return {"type": "technical", "prompt": prompt, "rubric": RUBRIC}


def challenge_content(statement: str = "Return the sum of a and b.") -> dict[str, Any]:
    return {
        "statement": statement,
        "languages": ["python"],
        "starter_code": {"python": "def add(a, b):\n    pass\n"},
        "entrypoint": "add",
        "tests": [
            {"name": "small", "args": [1, 2], "expected": 3, "hidden": False},
            {"name": "negative", "args": [-1, -2], "expected": -3, "hidden": True},
            {"name": "SECRET-HIDDEN-TEST", "args": [40, 2], "expected": 42, "hidden": True},
        ],
        "time_limit_seconds": 600,
        "rubric": RUBRIC,
    }


async def make_item(
    session: AsyncSession,
    organization: Organization,
    *,
    title: str = "Scaling a read-heavy API",
    kind: str = "question",
    content: dict[str, Any] | None = None,
    approved: bool = True,
    retired: bool = False,
) -> LibraryItem:
    """An item with version 1, approved (in use) unless `approved=False` (a draft)."""
    if content is None:
        content = (
            question_content(f"How would you approach: {title}?")
            if kind == "question"
            else challenge_content()
        )
    item = LibraryItem(
        id=uuid.uuid4(),
        organization_id=organization.id,
        kind=kind,
        title=title,
        skills=["python"],
        category="backend",
        latest_number=1,
        retired_at=now() if retired else None,
    )
    session.add(item)
    await session.flush()
    version = LibraryItemVersion(
        organization_id=organization.id,
        item_id=item.id,
        number=1,
        status="approved" if approved else "draft",
        title=title,
        content=content,
        skills=["python"],
        category="backend",
    )
    session.add(version)
    await session.flush()
    if approved:
        item.approved_version_id = version.id
        await session.flush()
    return item


async def add_draft(
    session: AsyncSession, item: LibraryItem, content: dict[str, Any]
) -> LibraryItemVersion:
    """A new draft version of `item` (the approved one stays in use)."""
    item.latest_number += 1
    version = LibraryItemVersion(
        organization_id=item.organization_id,
        item_id=item.id,
        number=item.latest_number,
        status="draft",
        title=item.title,
        content=content,
    )
    session.add(version)
    await session.flush()
    return version


async def make_kit(
    session: AsyncSession,
    job: Job,
    sections: list[tuple[str, int, list[LibraryItem]]],
    *,
    follow_ups: int = 1,
    approved: bool = False,
) -> InterviewKit:
    kit = InterviewKit(
        organization_id=job.organization_id,
        job_id=job.id,
        follow_ups=follow_ups,
        sections=[
            {"title": t, "minutes": m, "item_ids": [str(i.id) for i in items]}
            for t, m, items in sections
        ],
        status="approved" if approved else "draft",
        approved_versions=(
            {str(i.id): str(i.approved_version_id) for _, _, items in sections for i in items}
            if approved
            else {}
        ),
        approved_at=now() if approved else None,
    )
    session.add(kit)
    await session.flush()
    return kit
