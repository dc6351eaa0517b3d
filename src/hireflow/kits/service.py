"""Interview kits (PBI-10): one per job, ordered sections of library items, approved by a
hiring manager before AI interviews for the job can go out.

- Saving (`save_kit`, PUT) needs `jobs:write` (the kit is part of setting up the job, like its
  pipeline) and `library:read` (its items are chosen from the library). Any save puts the kit
  back to draft: what was approved is no longer what the kit says.
- Approving (`approve_kit`) needs `kits:approve`; every item must have an approved version
  (and not be retired), else 409 with the blocking items. It pins `approved_versions`
  {item_id: version_id}: interviews ask exactly those versions, whatever drafts come later.
- AI interviews read kits through `interview_plan` (at configuration) and `kit_questions`
  (at the start); see docs/kits.md.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai.model import Question
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.jobs.service import get_job
from hireflow.kit import clock
from hireflow.kits import repository
from hireflow.kits.schemas import (
    KitItemRead,
    KitPreview,
    KitRead,
    KitWrite,
    PreviewExample,
    PreviewQuestion,
    PreviewSection,
    SectionRead,
)
from hireflow.library import service as library
from hireflow.models import InterviewKit, Job, LibraryItem, LibraryItemVersion

P = Permission
NOT_APPROVED = "not approved"


class KitNotApproved(Conflict):
    code = "kit-not-approved"
    title = "The job's interview kit is not approved"


class KitItemsNotApproved(Conflict):
    code = "kit-items-not-approved"
    title = "Some items of the kit have no approved version"


@dataclass(frozen=True)
class InterviewPlan:
    """What an approved kit sets on an AI interview session."""

    kit_id: uuid.UUID
    version_ids: tuple[uuid.UUID, ...]  # in kit order: q1, q2, …
    follow_ups: int
    minutes: int
    coding_language: str | None


# --- reading ------------------------------------------------------------------------------------


async def _job(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> Job:
    """The job, if the caller reads it and the library (404 for a job they cannot see)."""
    ctx.require(P.LIBRARY_READ)
    return await get_job(session, ctx, job_id)


async def find_kit(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> InterviewKit | None:
    job = await _job(session, ctx, job_id)
    return await repository.kit_of_job(session, ctx.organization.id, job.id)


async def get_kit(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> InterviewKit:
    kit = await find_kit(session, ctx, job_id)
    if kit is None:
        raise NotFound("This job has no interview kit yet. Build one with PUT.")
    return kit


def _item_ids(kit: InterviewKit) -> list[uuid.UUID]:
    return [uuid.UUID(str(i)) for section in kit.sections for i in section["item_ids"]]


def _item_read(
    item_id: uuid.UUID,
    items: dict[uuid.UUID, LibraryItem],
    live: dict[uuid.UUID, LibraryItemVersion],
) -> KitItemRead:
    item = items.get(item_id)
    version = live.get(item_id)
    return KitItemRead(
        id=item_id,
        title=item.title if item is not None else "(deleted item)",
        kind=item.kind if item is not None else "question",
        approved_version=version.number if version is not None else NOT_APPROVED,
        retired=item is None or item.retired_at is not None,
    )


async def kit_read(session: AsyncSession, kit: InterviewKit) -> KitRead:
    ids = _item_ids(kit)
    items = await repository.items_by_id(session, kit.organization_id, ids)
    live = await library.approved_versions(session, kit.organization_id, items.values())
    if kit.status == "approved":
        # The pinned versions are what counts for an approved kit.
        pinned = await repository.versions_by_id(
            session, kit.organization_id, [uuid.UUID(v) for v in kit.approved_versions.values()]
        )
        live = {
            uuid.UUID(item_id): pinned[uuid.UUID(version_id)]
            for item_id, version_id in kit.approved_versions.items()
            if uuid.UUID(version_id) in pinned
        }
    sections = [
        SectionRead(
            title=section["title"],
            minutes=section["minutes"],
            items=[_item_read(uuid.UUID(str(i)), items, live) for i in section["item_ids"]],
        )
        for section in kit.sections
    ]
    every = [item for section in sections for item in section.items]
    return KitRead(
        id=kit.id,
        job_id=kit.job_id,
        status=kit.status,
        follow_ups=kit.follow_ups,
        total_minutes=sum(s.minutes for s in sections),
        item_count=len(every),
        sections=sections,
        approved_versions={str(k): str(v) for k, v in kit.approved_versions.items()},
        approved_by_user_id=kit.approved_by_user_id,
        approved_at=kit.approved_at,
        blocking_items=(
            []
            if kit.status == "approved"
            else [i for i in every if i.approved_version == NOT_APPROVED or i.retired]
        ),
        updated_at=kit.updated_at,
    )


# --- writing ------------------------------------------------------------------------------------


async def save_kit(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, body: KitWrite, *, origin: Origin
) -> InterviewKit:
    """Create or replace the job's kit; it is a draft afterwards (approve it again)."""
    ctx.require(P.JOBS_WRITE, P.LIBRARY_READ)
    job = await get_job(session, ctx, job_id, for_update=True)
    if job.status == "archived":
        raise Conflict("This job is archived: its interview kit can no longer be changed.")
    ids = [item_id for section in body.sections for item_id in section.item_ids]
    repeated = sorted({str(i) for i in ids if ids.count(i) > 1})
    if repeated:
        raise Invalid(
            "Each library item can appear once in a kit; these appear more than once.",
            extra={"field": "sections", "item_ids": repeated},
        )
    items = await repository.items_by_id(session, ctx.organization.id, ids)
    unknown = [str(i) for i in ids if i not in items]
    if unknown:
        raise Invalid(
            "These items are not in your organization's library.",
            extra={"field": "sections", "item_ids": unknown},
        )
    retired = [str(i) for i in ids if items[i].retired_at is not None]
    if retired:
        raise Invalid(
            "Retired items cannot be added to a kit; choose current ones.",
            extra={"field": "sections", "item_ids": retired},
        )
    kit = await repository.kit_of_job(session, ctx.organization.id, job.id, lock=True)
    created = kit is None
    was_approved = kit is not None and kit.status == "approved"
    if kit is None:
        kit = InterviewKit(organization_id=ctx.organization.id, job_id=job.id)
        session.add(kit)
    kit.sections = [
        {
            "title": section.title,
            "minutes": section.minutes,
            "item_ids": [str(i) for i in section.item_ids],
        }
        for section in body.sections
    ]
    kit.follow_ups = body.follow_ups
    kit.status = "draft"
    kit.approved_versions = {}
    kit.approved_by_user_id = None
    kit.approved_at = None
    kit.updated_at = clock.now()
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "kit.created" if created else "kit.updated",
        origin=origin,
        target_type="interview_kit",
        target_id=kit.id,
        data={
            "job_id": str(job.id),
            "sections": len(body.sections),
            "items": len(ids),
            "follow_ups": body.follow_ups,
            "returned_to_draft": was_approved,
        },
    )
    return kit


async def approve_kit(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, origin: Origin
) -> InterviewKit:
    """Approve the kit: pin each item's approved version. 409 with the items that have none."""
    ctx.require(P.KITS_APPROVE, P.LIBRARY_READ)
    job = await get_job(session, ctx, job_id)
    kit = await repository.kit_of_job(session, ctx.organization.id, job.id, lock=True)
    if kit is None:
        raise NotFound("This job has no interview kit yet. Build one first.")
    ids = _item_ids(kit)
    items = await repository.items_by_id(session, ctx.organization.id, ids)
    live = await library.approved_versions(session, ctx.organization.id, items.values())
    blocking = [_item_read(i, items, live) for i in ids if i not in live]
    if blocking:
        raise KitItemsNotApproved(
            f"{len(blocking)} of the kit's {len(ids)} items have no approved version (or were "
            "retired); approve them in the library, or take them out of the kit.",
            extra={"items": [b.model_dump(mode="json") for b in blocking]},
        )
    if not ids:
        raise Conflict("The kit has no items yet: add questions or challenges first.")
    kit.status = "approved"
    kit.approved_versions = {str(i): str(live[i].id) for i in ids}
    kit.approved_by_user_id = ctx.person().id
    kit.approved_at = clock.now()
    kit.updated_at = kit.approved_at
    await session.flush()
    await audit.record_by(
        session,
        ctx,
        "kit.approved",
        origin=origin,
        target_type="interview_kit",
        target_id=kit.id,
        data={"job_id": str(job.id), "approved_versions": kit.approved_versions},
    )
    return kit


# --- the candidate's view -----------------------------------------------------------------------


def _preview_question(
    number: int, question: Question, version: LibraryItemVersion
) -> PreviewQuestion:
    content: dict[str, Any] = version.content or {}
    examples = [
        PreviewExample(args=list(t.get("args") or []), expected=t.get("expected"))
        for t in content.get("tests") or []
        if isinstance(t, dict) and not t.get("hidden", True)
    ]
    return PreviewQuestion(
        number=number,
        kind=question.kind,
        prompt=question.prompt,
        language=question.language,
        languages=[str(x) for x in content.get("languages") or []]
        if question.kind == "coding"
        else [],
        starter_code=question.starter_code,
        suggested_minutes=question.suggested_minutes,
        examples=examples if question.kind == "coding" else [],
    )


async def preview_kit(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> KitPreview:
    """The kit as a candidate will see it: the pinned versions of an approved kit, the current
    approved versions of a draft (items with none are left out and counted)."""
    kit = await get_kit(session, ctx, job_id)
    ids = _item_ids(kit)
    if kit.status == "approved":
        pinned = await repository.versions_by_id(
            session, kit.organization_id, [uuid.UUID(v) for v in kit.approved_versions.values()]
        )
        chosen = {
            uuid.UUID(item_id): pinned[uuid.UUID(version_id)]
            for item_id, version_id in kit.approved_versions.items()
            if uuid.UUID(version_id) in pinned
        }
    else:
        items = await repository.items_by_id(session, kit.organization_id, ids)
        chosen = await library.approved_versions(session, kit.organization_id, items.values())
    number = 0
    sections = []
    for section in kit.sections:
        questions = []
        for raw in section["item_ids"]:
            version = chosen.get(uuid.UUID(str(raw)))
            if version is None:
                continue
            number += 1
            question = library.to_question(version, f"q{number}")
            questions.append(_preview_question(number, question, version))
        sections.append(
            PreviewSection(title=section["title"], minutes=section["minutes"], questions=questions)
        )
    return KitPreview(
        status=kit.status,
        total_minutes=sum(s.minutes for s in sections),
        follow_ups=kit.follow_ups,
        sections=sections,
        left_out=len(ids) - number,
    )


async def approved_library_items(
    session: AsyncSession, ctx: Ctx, *, q: str | None, limit: int = 200
) -> list[LibraryItem]:
    """The items a kit can be built from (the builder's picker)."""
    ctx.require(P.LIBRARY_READ)
    return await repository.approved_items(session, ctx.organization.id, q=q, limit=limit)


# --- AI interviews ------------------------------------------------------------------------------


async def interview_plan(
    session: AsyncSession, organization_id: uuid.UUID, job_id: uuid.UUID
) -> InterviewPlan | None:
    """What the job's kit sets on a new AI interview: None without a kit; 409 when the kit is
    not approved (invitations for the job cannot go out before it is)."""
    kit = await repository.kit_of_job(session, organization_id, job_id)
    if kit is None:
        return None
    if kit.status != "approved":
        raise KitNotApproved(
            "This job's interview kit is not approved: invitations for that job cannot go out "
            "before it is approved. Ask a hiring manager to approve the kit.",
            extra={"job_id": str(job_id)},
        )
    ids = _item_ids(kit)
    version_ids = tuple(uuid.UUID(str(kit.approved_versions[str(i)])) for i in ids)
    versions = await repository.versions_by_id(session, organization_id, version_ids)
    language = None
    for version_id in version_ids:
        version = versions.get(version_id)
        if version is not None:
            question = library.to_question(version, "q1")
            if question.kind == "coding":
                language = question.language
                break
    return InterviewPlan(
        kit_id=kit.id,
        version_ids=version_ids,
        follow_ups=kit.follow_ups,
        minutes=sum(int(s["minutes"]) for s in kit.sections),
        coding_language=language,
    )


async def kit_questions(
    session: AsyncSession, organization_id: uuid.UUID, version_ids: list[uuid.UUID]
) -> list[tuple[Question, LibraryItemVersion]]:
    """The pinned versions as interview questions q1, q2, … in kit order (a version deleted
    since is skipped)."""
    versions = await repository.versions_by_id(session, organization_id, version_ids)
    found = [versions[v] for v in version_ids if v in versions]
    return [(library.to_question(v, f"q{n}"), v) for n, v in enumerate(found, start=1)]


async def version(
    session: AsyncSession, organization_id: uuid.UUID, version_id: uuid.UUID
) -> LibraryItemVersion | None:
    return (await repository.versions_by_id(session, organization_id, [version_id])).get(version_id)


# --- the builder's small edits (pages) ----------------------------------------------------------

EDIT_ACTIONS = (
    "add_section",
    "update_section",
    "remove_section",
    "section_up",
    "section_down",
    "add_item",
    "remove_item",
    "item_up",
    "item_down",
    "follow_ups",
)


@dataclass(frozen=True)
class KitEdit:
    """One change from the builder page (forms that work without JavaScript)."""

    action: str
    section: int = 0
    title: str = ""
    minutes: int = 0
    item_id: uuid.UUID | None = None
    follow_ups: int = 0


def _edited(sections: list[dict[str, Any]], follow_ups: int, edit: KitEdit) -> dict[str, Any]:
    sections = [dict(s, item_ids=list(s["item_ids"])) for s in sections]
    if edit.action == "add_section":
        sections.append({"title": edit.title, "minutes": edit.minutes, "item_ids": []})
        return {"sections": sections, "follow_ups": follow_ups}
    if edit.action == "follow_ups":
        return {"sections": sections, "follow_ups": edit.follow_ups}
    if not 0 <= edit.section < len(sections):
        raise NotFound("That section is not in the kit (the page may be out of date).")
    i, section = edit.section, sections[edit.section]
    items: list[str] = section["item_ids"]
    item = str(edit.item_id) if edit.item_id else ""
    if edit.action in ("remove_item", "item_up", "item_down") and item not in items:
        raise NotFound("That item is not in this section (the page may be out of date).")
    match edit.action:
        case "update_section":
            section.update(title=edit.title, minutes=edit.minutes)
        case "remove_section":
            sections.pop(i)
        case "section_up" | "section_down":
            j = i - 1 if edit.action == "section_up" else i + 1
            if 0 <= j < len(sections):
                sections[i], sections[j] = sections[j], sections[i]
        case "add_item":
            if not item:
                raise Invalid("Choose an item to add.", extra={"field": "item_id"})
            items.append(item)
        case "remove_item":
            items.remove(item)
        case "item_up" | "item_down":
            k = items.index(item)
            m = k - 1 if edit.action == "item_up" else k + 1
            if 0 <= m < len(items):
                items[k], items[m] = items[m], items[k]
        case _:
            raise Invalid("Unknown change.", extra={"field": "action"})
    return {"sections": sections, "follow_ups": follow_ups}


async def edit_kit(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, edit: KitEdit, *, origin: Origin
) -> InterviewKit:
    """Apply one builder change to the kit (or a new one) and save it like a PUT."""
    ctx.require(P.JOBS_WRITE, P.LIBRARY_READ)
    kit = await find_kit(session, ctx, job_id)
    current = kit.sections if kit is not None else []
    data = _edited(current, kit.follow_ups if kit is not None else 1, edit)
    try:
        body = KitWrite.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise Invalid(
            f"The kit would not be valid: {problem['msg']}.", extra={"field": "sections"}
        ) from None
    return await save_kit(session, ctx, job_id, body, origin=origin)
