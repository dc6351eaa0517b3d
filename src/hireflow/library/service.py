"""Library rules: items and their versions under the approval workflow, near-duplicates, AI
drafting, code runs against a challenge's tests, and the bridge to interviews
(`approved_version`, `to_question`).

Workflow of an item's versions (only the latest version can be open, i.e. draft or in_review):

    draft --submit--> in_review --approve--> approved --(edit)--> new draft (number + 1)
                                 --reject--> rejected --(edit)--> new draft (number + 1)
    approved item --retire--> retired (the approved version too; `retired_at` set)

A draft is edited in place. When a newer version is approved, the previously approved one is
marked `retired` (superseded); live use is always `LibraryItem.approved_version_id`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai.model import Question, RubricCriterion
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.kit import cursors
from hireflow.kit.clock import now
from hireflow.library import repository
from hireflow.library.schemas import ChallengeIn, ItemRead, QuestionIn
from hireflow.models import LibraryItem, LibraryItemVersion

OPEN_STATUSES = frozenset({"draft", "in_review"})
ACTION_LABELS = {
    "edit": "Edit",
    "submit": "Submit for review",
    "approve": "Approve",
    "reject": "Reject",
    "retire": "Retire",
}
STATUS_LABELS = {
    "draft": "Draft",
    "in_review": "In review",
    "approved": "Approved",
    "rejected": "Rejected",
    "retired": "Retired",
}


async def approved_versions(
    session: AsyncSession, organization_id: uuid.UUID, items: Iterable[LibraryItem]
) -> dict[uuid.UUID, LibraryItemVersion]:
    """{item_id: the version live interviews use} for those of `items` (the organization's)
    that have one: an approved version of an item that is not retired."""
    wanted = {
        item.approved_version_id: item.id
        for item in items
        if item.organization_id == organization_id
        and item.approved_version_id is not None
        and item.retired_at is None
    }
    if not wanted:
        return {}
    versions = await session.scalars(
        select(LibraryItemVersion).where(
            LibraryItemVersion.id.in_(list(wanted)), LibraryItemVersion.status == "approved"
        )
    )
    return {wanted[version.id]: version for version in versions}


async def approved_version(
    session: AsyncSession, organization_id: uuid.UUID, item_id: uuid.UUID
) -> LibraryItemVersion | None:
    """The version live interviews use for an item of the organization, or None (unknown
    item, another organization's item, not approved yet, retired)."""
    item = await session.scalar(
        select(LibraryItem).where(
            LibraryItem.id == item_id, LibraryItem.organization_id == organization_id
        )
    )
    if item is None:
        return None
    return (await approved_versions(session, organization_id, [item])).get(item.id)


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#.-]{3,}")
_STOP_WORDS = (
    "about after also because been being could does each from have into more most only other "
    "over should some such than that their them then there these they this those through "
    "under very what when where which while with would your"
)
_STOP = frozenset(_STOP_WORDS.split())


def _indicators(*texts: str, limit: int = 6) -> tuple[str, ...]:
    seen: list[str] = []
    for text in texts:
        for word in _WORD.findall(text or ""):
            low = word.lower().strip(".-")
            if len(low) >= 4 and low not in _STOP and low not in seen:
                seen.append(low)
                if len(seen) >= limit:
                    return tuple(seen)
    return tuple(seen)


def to_question(version: LibraryItemVersion, question_id: str) -> Question:
    """An approved library version as an `ai.model.Question` for an interview (kits)."""
    content = version.content or {}
    rubric = content.get("rubric") or {}
    ideal = str(rubric.get("ideal_answer") or "")
    criteria = tuple(
        RubricCriterion(
            key=str(c.get("key") or f"c{i + 1}")[:60],
            description=str(c.get("description") or c.get("key") or "criterion")[:300],
            indicators=_indicators(str(c.get("description") or ""), ideal),
        )
        for i, c in enumerate((rubric.get("criteria") or [])[:10])
    ) or (RubricCriterion(key="answer", description="Answers the question.", indicators=()),)
    competency = (version.skills[0] if version.skills else None) or version.category or "general"
    source = f"library:{version.item_id}:v{version.number}"
    if "statement" in content or content.get("languages"):
        languages = list(content.get("languages") or ["python"])
        language = languages[0]
        starter = (content.get("starter_code") or {}).get(language)
        minutes = max(1, min(60, round(int(content.get("time_limit_seconds") or 900) / 60)))
        return Question(
            id=question_id,
            kind="coding",
            competency=competency[:80],
            prompt=str(content.get("statement") or version.title)[:4000],
            language=language,
            starter_code=(str(starter)[:4000] if starter is not None else None),
            suggested_minutes=minutes,
            rubric=criteria,
            source=source,
        )
    kind = (
        content.get("type")
        if content.get("type") in {"behavioural", "technical", "situational"}
        else "technical"
    )
    return Question(
        id=question_id,
        kind=kind,
        competency=competency[:80],
        prompt=str(content.get("prompt") or version.title)[:4000],
        rubric=criteria,
        source=source,
    )


# --- items and versions ----------------------------------------------------------------------


def search_text_of(content: dict[str, Any]) -> str:
    """The text near-duplicates and search look at: the prompt or the statement."""
    return str(content.get("prompt") or content.get("statement") or "")[:4000]


def item_read(item: LibraryItem, latest: LibraryItemVersion) -> ItemRead:
    return ItemRead(
        id=item.id,
        kind=item.kind,
        title=item.title,
        skills=list(item.skills),
        seniority=item.seniority,
        category=item.category,
        latest_number=item.latest_number,
        status=latest.status,
        ai_generated=latest.ai_generated,
        approved_version_id=item.approved_version_id,
        retired_at=item.retired_at,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


def allowed_actions(item: LibraryItem, latest: LibraryItemVersion) -> list[str]:
    """What can be done to the item now, given its latest version."""
    if item.retired_at is not None:
        return []
    actions: list[str] = []
    if latest.status in {"draft", "approved", "rejected"}:
        actions.append("edit")
    if latest.status == "draft":
        actions.append("submit")
    if latest.status == "in_review":
        actions += ["approve", "reject"]
    if item.approved_version_id is not None and latest.status not in OPEN_STATUSES:
        actions.append("retire")
    return actions


def _refuse(item: LibraryItem, latest: LibraryItemVersion, action: str) -> Conflict:
    allowed = allowed_actions(item, latest)
    state = "retired" if item.retired_at else STATUS_LABELS[latest.status].lower()
    return Conflict(
        f"You cannot {ACTION_LABELS[action].lower()} this item: its latest version is {state}.",
        extra={"status": latest.status, "allowed_actions": allowed},
    )


async def get_item(
    session: AsyncSession, ctx: Ctx, item_id: uuid.UUID, *, for_update: bool = False
) -> LibraryItem:
    ctx.require(Permission.LIBRARY_READ)
    item = await repository.get_item(session, ctx.organization.id, item_id, for_update=for_update)
    if item is None:
        raise NotFound("No library item has this id.")
    return item


async def latest_version(session: AsyncSession, item: LibraryItem) -> LibraryItemVersion:
    version = await repository.get_version(session, item, item.latest_number)
    assert version is not None, "an item always has its latest version"
    return version


@dataclass(frozen=True)
class ItemView:
    item: LibraryItem
    latest: LibraryItemVersion
    versions: list[LibraryItemVersion]
    actions: list[str]

    @property
    def live(self) -> LibraryItemVersion | None:
        return next((v for v in self.versions if v.id == self.item.approved_version_id), None)


async def item_view(session: AsyncSession, ctx: Ctx, item_id: uuid.UUID) -> ItemView:
    item = await get_item(session, ctx, item_id)
    versions = await repository.versions_of(session, item)
    latest = versions[0]
    return ItemView(item, latest, versions, allowed_actions(item, latest))


async def get_version(
    session: AsyncSession, ctx: Ctx, item_id: uuid.UUID, number: int
) -> tuple[LibraryItem, LibraryItemVersion]:
    item = await get_item(session, ctx, item_id)
    version = await repository.get_version(session, item, number)
    if version is None:
        raise NotFound("This item has no version with this number.")
    return item, version


def _mirror(item: LibraryItem, version: LibraryItemVersion) -> None:
    """The item keeps the newest version's title, tags and text for search and filters."""
    item.title = version.title
    item.skills = list(version.skills)
    item.seniority = version.seniority
    item.category = version.category
    item.search_text = search_text_of(version.content)
    item.updated_at = now()


def _fill(version: LibraryItemVersion, body: QuestionIn | ChallengeIn) -> None:
    version.title = body.title
    version.content = body.content()
    version.skills = list(body.skills)
    version.seniority = body.seniority
    version.category = body.category


async def _flag_similar(
    session: AsyncSession, item: LibraryItem, version: LibraryItemVersion
) -> None:
    text = f"{version.title} {search_text_of(version.content)}"
    version.similar_items = await repository.similar_items(
        session, item.organization_id, item.id, text
    )


async def _audit(
    session: AsyncSession,
    ctx: Ctx,
    action: str,
    origin: Origin,
    item: LibraryItem,
    version: LibraryItemVersion,
    **data: Any,
) -> None:
    await audit.record_by(
        session,
        ctx,
        f"library.{action}",
        origin=origin,
        target_type="library_item",
        target_id=item.id,
        data={"version": version.number, "title": version.title[:200], **data},
    )


async def create_item(
    session: AsyncSession,
    ctx: Ctx,
    body: QuestionIn | ChallengeIn,
    origin: Origin,
    *,
    status: str = "draft",
    source: str = "manual",
    ai_generated: bool = False,
) -> tuple[LibraryItem, LibraryItemVersion]:
    """A new item with its first version (a draft, unless drafting or the starter library
    says otherwise)."""
    ctx.require(Permission.LIBRARY_WRITE)
    user_id = ctx.user.id if ctx.user else None
    item = LibraryItem(
        organization_id=ctx.organization.id,
        kind=body.kind,
        title=body.title,
        latest_number=1,
        created_by_user_id=user_id,
    )
    session.add(item)
    await session.flush()
    version = LibraryItemVersion(
        organization_id=ctx.organization.id,
        item_id=item.id,
        number=1,
        status=status,
        source=source,
        ai_generated=ai_generated,
        created_by_user_id=user_id,
        similar_items=[],
    )
    _fill(version, body)
    if status == "in_review":
        version.submitted_at = now()
    session.add(version)
    _mirror(item, version)
    await _flag_similar(session, item, version)
    await session.flush()
    await _audit(session, ctx, "created", origin, item, version, status=status, source=source)
    return item, version


async def edit_item(
    session: AsyncSession,
    ctx: Ctx,
    item_id: uuid.UUID,
    body: QuestionIn | ChallengeIn,
    origin: Origin,
) -> tuple[LibraryItem, LibraryItemVersion]:
    """A draft changes in place; an approved or rejected latest version gets a new draft
    (number + 1), the approved version staying live until the new one is approved."""
    ctx.require(Permission.LIBRARY_WRITE)
    item = await get_item(session, ctx, item_id, for_update=True)
    latest = await latest_version(session, item)
    if "edit" not in allowed_actions(item, latest):
        raise _refuse(item, latest, "edit")
    if body.kind != item.kind:
        raise Invalid(
            f"This item is a {item.kind}; it cannot become a {body.kind}.",
            extra={"field": "kind"},
        )
    if latest.status == "draft":
        version = latest
        _fill(version, body)
    else:
        item.latest_number += 1
        version = LibraryItemVersion(
            organization_id=item.organization_id,
            item_id=item.id,
            number=item.latest_number,
            status="draft",
            source="manual",
            ai_generated=False,
            created_by_user_id=ctx.user.id if ctx.user else None,
            similar_items=[],
        )
        _fill(version, body)
        session.add(version)
    _mirror(item, version)
    await _flag_similar(session, item, version)
    await session.flush()
    await _audit(session, ctx, "edited", origin, item, version)
    return item, version


async def transition(
    session: AsyncSession,
    ctx: Ctx,
    item_id: uuid.UUID,
    action: str,
    origin: Origin,
    *,
    comment: str | None = None,
) -> tuple[LibraryItem, LibraryItemVersion]:
    """submit, approve, reject (a comment required) or retire."""
    needed = (
        Permission.LIBRARY_APPROVE
        if action in {"approve", "reject"}
        else (Permission.LIBRARY_WRITE)
    )
    ctx.require(needed)
    item = await get_item(session, ctx, item_id, for_update=True)
    latest = await latest_version(session, item)
    if action not in allowed_actions(item, latest):
        raise _refuse(item, latest, action)
    comment = (comment or "").strip() or None
    at = now()
    user_id = ctx.user.id if ctx.user else None
    version = latest
    if action == "submit":
        latest.status = "in_review"
        latest.submitted_at = at
        await _flag_similar(session, item, latest)
    elif action in {"approve", "reject"}:
        if action == "reject" and not comment:
            raise Invalid("Say why the version is rejected.", extra={"field": "comment"})
        latest.status = "approved" if action == "approve" else "rejected"
        latest.reviewed_by_user_id = user_id
        latest.reviewed_at = at
        latest.review_comment = comment
        if action == "approve":
            if item.approved_version_id is not None:
                previous = await session.get(LibraryItemVersion, item.approved_version_id)
                if previous is not None and previous.status == "approved":
                    previous.status = "retired"  # superseded
            item.approved_version_id = latest.id
    else:  # retire
        assert item.approved_version_id is not None
        live = await session.get(LibraryItemVersion, item.approved_version_id)
        assert live is not None
        live.status = "retired"
        version = live
        item.approved_version_id = None
        item.retired_at = at
    item.updated_at = at
    await session.flush()
    past = {"submit": "submitted", "approve": "approved", "reject": "rejected"}
    await _audit(session, ctx, past.get(action, "retired"), origin, item, version, comment=comment)
    return item, version


# --- lists ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemList:
    rows: list[tuple[LibraryItem, LibraryItemVersion]]
    next_cursor: str | None

    def reads(self) -> list[ItemRead]:
        return [item_read(item, latest) for item, latest in self.rows]


async def list_items(
    session: AsyncSession,
    ctx: Ctx,
    *,
    kind: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    seniority: str | None = None,
    category: str | None = None,
    ai_generated: bool | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> ItemList:
    ctx.require(Permission.LIBRARY_READ)
    rows = await repository.list_items(
        session,
        ctx.organization.id,
        kind=kind,
        status=status,
        skill=(skill or "").strip() or None,
        seniority=seniority,
        category=(category or "").strip() or None,
        ai_generated=ai_generated,
        q=(q or "").strip() or None,
        after=cursors.decode(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return ItemList(
        rows, cursors.encode(rows[-1][0].updated_at, rows[-1][0].id) if more and rows else None
    )


async def review_queue(
    session: AsyncSession, ctx: Ctx
) -> list[tuple[LibraryItem, LibraryItemVersion]]:
    ctx.require(Permission.LIBRARY_READ)
    return await repository.review_queue(session, ctx.organization.id)
