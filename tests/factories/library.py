"""Builders for library items: a question or a challenge with its first version, optionally
approved (and live)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.library.service import search_text_of
from hireflow.models import LibraryItem, LibraryItemVersion, Organization, User

RUBRIC: dict[str, Any] = {
    "criteria": [
        {
            "key": "structure",
            "description": "Describes the situation, the action taken and the result",
            "levels": ["No structure", "Some structure", "Clear structure", "Crisp and complete"],
        }
    ],
    "ideal_answer": "A concrete example with a measurable result.",
}

QUESTION: dict[str, Any] = {
    "kind": "question",
    "title": "Tell me about a production incident you handled",
    "type": "behavioural",
    "prompt": "Walk me through a production incident you led: what happened and what you did.",
    "skills": ["Incident response"],
    "seniority": "senior",
    "category": "Operations",
    "rubric": RUBRIC,
}

CHALLENGE: dict[str, Any] = {
    "kind": "challenge",
    "title": "Sum of two numbers",
    "statement": "Write add(a, b) returning the sum of a and b.",
    "languages": ["python", "javascript"],
    "starter_code": {
        "python": "def add(a, b):\n    pass\n",
        "javascript": "function add(a, b) {\n}\n",
    },
    "entrypoint": "add",
    "tests": [
        {"name": "small", "args": [1, 2], "expected": 3, "hidden": False},
        {"name": "negative", "args": [-4, 1], "expected": -3, "hidden": True},
    ],
    "time_limit_seconds": 600,
    "skills": ["Python"],
    "seniority": "junior",
    "category": "Warm-up",
    "rubric": RUBRIC,
}


def content_of(body: dict[str, Any]) -> dict[str, Any]:
    tags = {"kind", "title", "skills", "seniority", "category"}
    return {k: copy.deepcopy(v) for k, v in body.items() if k not in tags}


async def make_item(
    session: AsyncSession,
    organization: Organization,
    *,
    kind: str = "question",
    status: str = "draft",
    author: User | None = None,
    **fields: Any,
) -> LibraryItem:
    """An item with version 1 in `status`; an `approved` one is the item's live version."""
    body = {**(QUESTION if kind == "question" else CHALLENGE), **fields}
    content = content_of(body)
    item = LibraryItem(
        organization_id=organization.id,
        kind=kind,
        title=body["title"],
        search_text=search_text_of(content),
        skills=list(body["skills"]),
        seniority=body["seniority"],
        category=body["category"],
        latest_number=1,
        created_by_user_id=author.id if author else None,
    )
    session.add(item)
    await session.flush()
    version = LibraryItemVersion(
        organization_id=organization.id,
        item_id=item.id,
        number=1,
        status=status,
        title=body["title"],
        content=content,
        skills=list(body["skills"]),
        seniority=body["seniority"],
        category=body["category"],
        similar_items=[],
        created_by_user_id=author.id if author else None,
        submitted_at=now() if status != "draft" else None,
        reviewed_at=now() if status in {"approved", "rejected"} else None,
    )
    session.add(version)
    await session.flush()
    if status == "approved":
        item.approved_version_id = version.id
        await session.flush()
    await session.refresh(item)
    return item
