"""Merging a duplicate candidate record into the one to keep, in one transaction.

What moves to the kept ("primary") record: the duplicate's applications, documents, consents
and timeline events. When both applied to the same job, the primary's application is kept and
the duplicate's stays attached to the duplicate — with its own events, feedback and notes
intact — and is named in the merge event (its id, job and stage), so no history is lost.
Skills, tags and links are united (the primary's entries win on a clash), empty contact and
profile fields are filled from the duplicate, and the newest resume's text becomes the
searchable resume text. The duplicate gets `merged_into_id`/`merged_at`: it leaves lists,
search and duplicate matching, and stays readable by id.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.candidates import repository
from hireflow.candidates.schemas import MAX_LINKS, MAX_TAGS
from hireflow.candidates.service import actor_id, record_audit
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.kit.clock import now
from hireflow.models import Candidate

FILLED_FIELDS = ("email", "phone", "headline", "location", "summary", "user_id")
FILLED_LISTS = ("experience", "education")


def _union_skills(
    primary: list[dict[str, Any]], duplicate: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    names = {str(s.get("name", "")).casefold() for s in primary}
    return list(primary) + [s for s in duplicate if str(s.get("name", "")).casefold() not in names]


def _union(primary: list[str], duplicate: list[str], limit: int) -> list[str]:
    return (list(primary) + [v for v in duplicate if v not in primary])[: max(limit, len(primary))]


async def merge_candidates(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    duplicate_id: uuid.UUID,
    origin: Origin,
) -> Candidate:
    ctx.require(Permission.CANDIDATES_WRITE)
    if candidate_id == duplicate_id:
        raise Invalid("A candidate cannot be merged into itself.", extra={"field": "duplicate_id"})
    # Lock both rows in a fixed order, so two merges of the same pair cannot deadlock.
    found: dict[uuid.UUID, Candidate | None] = {}
    for key in sorted((candidate_id, duplicate_id)):
        found[key] = await repository.get(session, ctx, key, for_update=True)
    primary, duplicate = found[candidate_id], found[duplicate_id]
    if primary is None:
        raise NotFound("No candidate has this id.")
    if duplicate is None:
        raise NotFound("No candidate has the duplicate's id.", extra={"field": "duplicate_id"})
    if primary.merged_into_id is not None:
        raise Conflict(
            "This candidate was itself merged into another record: merge into that one.",
            extra={"merged_into_id": str(primary.merged_into_id)},
        )
    if duplicate.merged_into_id is not None:
        raise Conflict(
            "The duplicate was already merged into another record.",
            extra={"field": "duplicate_id", "merged_into_id": str(duplicate.merged_into_id)},
        )

    primary_jobs = {a.job_id for a in await repository.all_applications_of(session, primary.id)}
    moved: list[uuid.UUID] = []
    kept_apart: list[dict[str, str]] = []
    for application in await repository.all_applications_of(session, duplicate.id):
        if application.job_id in primary_jobs:
            kept_apart.append(
                {
                    "application_id": str(application.id),
                    "job_id": str(application.job_id),
                    "stage_id": str(application.stage_id),
                    "status": application.status,
                }
            )
        else:
            moved.append(application.id)
    documents_before = len(await repository.documents_of(session, duplicate.id))
    await repository.move_to(session, duplicate, primary, moved)

    filled = []
    for name in FILLED_FIELDS + FILLED_LISTS:
        if not getattr(primary, name) and getattr(duplicate, name):
            setattr(primary, name, getattr(duplicate, name))
            filled.append(name)
    if "phone" in filled:
        primary.phone_normalized = duplicate.phone_normalized
    if primary.user_id == duplicate.user_id:
        duplicate.user_id = None
    primary.skills = _union_skills(primary.skills, duplicate.skills)
    primary.tags = _union(primary.tags, duplicate.tags, MAX_TAGS)
    primary.links = _union(primary.links, duplicate.links, MAX_LINKS)
    duplicate.merged_into_id = primary.id
    duplicate.merged_at = now()
    await session.flush()
    primary.resume_text = await repository.newest_resume_text(session, primary.id)
    await session.flush()

    summary = {
        "duplicate_id": str(duplicate.id),
        "duplicate_name": duplicate.full_name,
        "moved_application_ids": [str(i) for i in moved],
        "kept_with_duplicate": kept_apart,
        "documents_moved": documents_before,
        "filled_fields": filled,
    }
    await repository.add_event(
        session, primary, "merged", actor_user_id=actor_id(ctx), data=summary
    )
    await repository.add_event(
        session,
        duplicate,
        "merged_into",
        actor_user_id=actor_id(ctx),
        data={"candidate_id": str(primary.id), "kept_with_duplicate": kept_apart},
    )
    await record_audit(session, ctx, origin, "candidate.merged", primary.id, summary)
    await session.refresh(primary)
    return primary
