"""Candidate rules: creating and editing profiles, their documents and consents, search and the
timeline. Every change writes a `CandidateEvent` (the candidate's timeline) and an audit event.

Reading needs `candidates:read` (or `candidates:read:assigned`: then only candidates with an
application to a job assigned to the caller); changing needs `candidates:write` too.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.authz.records import require_candidate_reader
from hireflow.candidates import repository
from hireflow.candidates.normalize import normalize_phone
from hireflow.candidates.schemas import (
    CandidateCreate,
    CandidateSummary,
    CandidateUpdate,
    DuplicateRead,
    LatestApplication,
    TimelineItem,
)
from hireflow.config import Settings
from hireflow.documents.inspect import inspect_upload
from hireflow.documents.service import store_document
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.kit.clock import now
from hireflow.models import Candidate, CandidateConsent, Document

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def actor_id(ctx: Ctx) -> uuid.UUID | None:
    return ctx.user.id if ctx.user else None


async def record_audit(
    session: AsyncSession,
    ctx: Ctx,
    origin: Origin,
    action: str,
    target_id: object,
    data: dict[str, Any] | None = None,
) -> None:
    await audit.record_by(
        session, ctx, action, origin=origin, target_type="candidate", target_id=target_id, data=data
    )


# --- reading --------------------------------------------------------------------------------


async def get_candidate(session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID) -> Candidate:
    """A candidate the caller may read (merged ones too: they answer with `merged_into_id`)."""
    candidate = await repository.get(session, ctx, candidate_id)
    if candidate is None:
        raise NotFound("No candidate has this id.")
    return candidate


async def _writable(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID, *, allow_merged: bool = False
) -> Candidate:
    ctx.require(Permission.CANDIDATES_WRITE)
    candidate = await repository.get(session, ctx, candidate_id, for_update=True)
    if candidate is None:
        raise NotFound("No candidate has this id.")
    if candidate.merged_into_id is not None and not allow_merged:
        raise Conflict(
            "This candidate was merged into another record: change that one instead.",
            extra={"merged_into_id": str(candidate.merged_into_id)},
        )
    return candidate


def duplicate_reads(matches: list[repository.DuplicateMatch]) -> list[DuplicateRead]:
    reads = []
    for match in matches:
        reasons = []
        if match.same_email:
            reasons.append("email")
        if match.same_phone:
            reasons.append("phone")
        if match.name_similarity >= repository.DUPLICATE_NAME_SIMILARITY:
            reasons.append("name")
        reads.append(
            DuplicateRead(
                id=match.candidate.id,
                full_name=match.candidate.full_name,
                email=match.candidate.email,
                phone=match.candidate.phone,
                created_at=match.candidate.created_at,
                reasons=reasons,
                name_similarity=match.name_similarity,
            )
        )
    return reads


async def possible_duplicates(
    session: AsyncSession, ctx: Ctx, candidate: Candidate
) -> list[DuplicateRead]:
    return duplicate_reads(await repository.duplicates_of(session, ctx, candidate))


async def find_duplicates(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID
) -> list[DuplicateRead]:
    candidate = await get_candidate(session, ctx, candidate_id)
    if candidate.merged_into_id is not None:
        return []
    return await possible_duplicates(session, ctx, candidate)


# --- creating and editing -------------------------------------------------------------------


def _profile_values(data: dict[str, Any]) -> dict[str, Any]:
    """Schema values as column values (skills, experience and education as JSON)."""
    values = dict(data)
    for name in ("skills", "experience", "education"):
        if name in values and values[name] is not None:
            values[name] = [
                {k: (v.isoformat() if isinstance(v, date) else v) for k, v in item.items()}
                for item in values[name]
            ]
    if "phone" in values:
        values["phone_normalized"] = normalize_phone(values["phone"])
    return values


async def create_candidate(
    session: AsyncSession, ctx: Ctx, body: CandidateCreate, origin: Origin
) -> tuple[Candidate, list[DuplicateRead]]:
    ctx.require(Permission.CANDIDATES_WRITE)
    values = _profile_values(body.model_dump())
    candidate = Candidate(organization_id=ctx.organization.id, **values)
    session.add(candidate)
    await session.flush()
    await session.refresh(candidate)
    await repository.add_event(
        session, candidate, "created", actor_user_id=actor_id(ctx), data={"source": body.source}
    )
    await record_audit(session, ctx, origin, "candidate.created", candidate.id)
    # Matching sees every candidate of the organization, so duplicates are flagged even to
    # members who read only their assigned jobs' candidates — ids and names only.
    return candidate, await possible_duplicates(session, ctx, candidate)


async def update_candidate(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID, body: CandidateUpdate, origin: Origin
) -> Candidate:
    candidate = await _writable(session, ctx, candidate_id)
    values = _profile_values(body.model_dump(exclude_unset=True))
    changed = sorted(
        name
        for name, value in values.items()
        if name != "phone_normalized" and getattr(candidate, name) != value
    )
    if not changed:
        return candidate
    for name, value in values.items():
        setattr(candidate, name, value)
    await session.flush()
    await session.refresh(candidate)
    await repository.add_event(
        session, candidate, "updated", actor_user_id=actor_id(ctx), data={"fields": changed}
    )
    await record_audit(session, ctx, origin, "candidate.updated", candidate.id, {"fields": changed})
    return candidate


# --- documents ------------------------------------------------------------------------------


async def list_documents(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID
) -> list[Document]:
    candidate = await get_candidate(session, ctx, candidate_id)
    return await repository.documents_of(session, candidate.id)


async def get_document(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID, document_id: uuid.UUID
) -> Document:
    candidate = await get_candidate(session, ctx, candidate_id)
    document = await repository.get_document(session, candidate, document_id, content=True)
    if document is None:
        raise NotFound("This candidate has no document with this id.")
    return document


async def add_document(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    *,
    filename: str | None,
    data: bytes,
    kind: str,
    settings: Settings,
    origin: Origin,
) -> Document:
    """Store an uploaded file after checking what it is; a resume's text becomes the
    candidate's searchable `resume_text` (the newest resume wins)."""
    candidate = await _writable(session, ctx, candidate_id)
    if kind not in ("resume", "cover_letter", "other"):
        raise Invalid(
            "Document kind must be one of: resume, cover_letter, other.", extra={"field": "kind"}
        )
    inspected = await inspect_upload(filename, data, max_bytes=settings.max_document_bytes)
    document = await store_document(
        session,
        inspected,
        kind=kind,
        organization_id=candidate.organization_id,
        candidate_id=candidate.id,
        uploaded_by_user_id=actor_id(ctx),
    )
    if kind == "resume":
        candidate.resume_text = inspected.text
    await repository.add_event(
        session,
        candidate,
        "document_added",
        actor_user_id=actor_id(ctx),
        data={"document_id": str(document.id), "kind": kind, "filename": document.filename},
    )
    await record_audit(
        session,
        ctx,
        origin,
        "candidate.document_added",
        candidate.id,
        {"document_id": str(document.id), "kind": kind},
    )
    return document


async def delete_document(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    document_id: uuid.UUID,
    origin: Origin,
) -> None:
    candidate = await _writable(session, ctx, candidate_id)
    document = await repository.get_document(session, candidate, document_id)
    if document is None:
        raise NotFound("This candidate has no document with this id.")
    kind, filename = document.kind, document.filename
    await session.delete(document)
    await session.flush()
    if kind == "resume":
        # The previous resume's text, or nothing.
        candidate.resume_text = await repository.newest_resume_text(session, candidate.id)
    await repository.add_event(
        session,
        candidate,
        "document_deleted",
        actor_user_id=actor_id(ctx),
        data={"document_id": str(document_id), "kind": kind, "filename": filename},
    )
    await record_audit(
        session,
        ctx,
        origin,
        "candidate.document_deleted",
        candidate.id,
        {"document_id": str(document_id), "kind": kind},
    )


# --- consents -------------------------------------------------------------------------------


async def list_consents(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID
) -> list[CandidateConsent]:
    candidate = await get_candidate(session, ctx, candidate_id)
    return await repository.consents_of(session, candidate.id)


async def give_consent(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    *,
    purpose: str,
    statement: str,
    source: str,
    origin: Origin,
) -> CandidateConsent:
    candidate = await _writable(session, ctx, candidate_id)
    consent = CandidateConsent(
        organization_id=candidate.organization_id,
        candidate_id=candidate.id,
        purpose=purpose,
        statement=statement,
        source=source,
        granted_at=now(),
    )
    session.add(consent)
    await session.flush()
    await repository.add_event(
        session,
        candidate,
        "consent_given",
        actor_user_id=actor_id(ctx),
        data={"purpose": purpose, "source": source, "consent_id": str(consent.id)},
    )
    await record_audit(
        session, ctx, origin, "candidate.consent_given", candidate.id, {"purpose": purpose}
    )
    return consent


async def withdraw_consent(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID, *, purpose: str, origin: Origin
) -> list[CandidateConsent]:
    candidate = await _writable(session, ctx, candidate_id)
    consents = await repository.active_consents(session, candidate.id, purpose)
    if not consents:
        raise NotFound("The candidate has no active consent for this purpose.")
    at = now()
    for consent in consents:
        consent.withdrawn_at = at
    await session.flush()
    await repository.add_event(
        session,
        candidate,
        "consent_withdrawn",
        actor_user_id=actor_id(ctx),
        data={"purpose": purpose},
    )
    await record_audit(
        session, ctx, origin, "candidate.consent_withdrawn", candidate.id, {"purpose": purpose}
    )
    return consents


# --- cursors --------------------------------------------------------------------------------


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise Invalid("The cursor is not valid: start again from the first page.") from exc
    if not isinstance(payload, dict):
        raise Invalid("The cursor is not valid: start again from the first page.")
    return payload


def _bad_cursor() -> Invalid:
    return Invalid(
        "The cursor does not belong to this search: start again from the first page.",
        extra={"parameter": "cursor"},
    )


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    items: list[CandidateSummary]
    next_cursor: str | None


def _day_start(day: date) -> datetime:
    from datetime import UTC

    return datetime.combine(day, time.min, tzinfo=UTC)


def _after_key(sort: str, cursor: str | None) -> tuple[Any, uuid.UUID] | None:
    if not cursor:
        return None
    payload = decode_cursor(cursor)
    if payload.get("s") != sort:
        raise _bad_cursor()
    try:
        key_id = uuid.UUID(str(payload["id"]))
        value = payload["v"]
        if sort == "relevance":
            return float(value), key_id
        if sort == "name":
            if not isinstance(value, str):
                raise TypeError
            return value, key_id
        return datetime.fromisoformat(str(value)), key_id
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad_cursor() from exc


async def search_candidates(
    session: AsyncSession,
    ctx: Ctx,
    *,
    q: str | None = None,
    job_id: uuid.UUID | None = None,
    stage_id: uuid.UUID | None = None,
    tag: str | None = None,
    source: str | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> SearchPage:
    """Live candidates matching everything given, a page at a time (keyset: the cursor carries
    the last row's sort key). Sorts: relevance (the default with `q`), newest (the default
    without), name."""
    require_candidate_reader(ctx)
    q = " ".join((q or "").split())[:200] or None
    if sort is None:
        sort = "relevance" if q else "newest"
    if sort == "relevance" and not q:
        raise Invalid("Sorting by relevance needs a search text (q).", extra={"parameter": "sort"})
    if created_from and created_to and created_to < created_from:
        raise Invalid(
            "created_to must not be before created_from.", extra={"parameter": "created_to"}
        )
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    filters = repository.SearchFilters(
        q=q,
        job_id=job_id,
        stage_id=stage_id,
        tag=" ".join(tag.split()).lower() if tag and tag.strip() else None,
        source=source,
        created_from=_day_start(created_from) if created_from else None,
        created_before=_day_start(created_to) + timedelta(days=1) if created_to else None,
    )
    after = _after_key(sort, cursor)
    rows = await repository.search(session, ctx, filters, sort=sort, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last, key = rows[-1]
        value = key.isoformat() if isinstance(key, datetime) else key
        next_cursor = encode_cursor({"s": sort, "v": value, "id": str(last.id)})
    candidates = [c for c, _ in rows]
    return SearchPage(await summaries(session, ctx, candidates), next_cursor)


async def summaries(
    session: AsyncSession, ctx: Ctx, candidates: list[Candidate]
) -> list[CandidateSummary]:
    latest = {
        row.candidate_id: LatestApplication(
            id=row.id,
            job_id=row.job_id,
            job_title=row.job_title,
            stage_id=row.stage_id,
            stage_name=row.stage_name,
            status=row.status,
            applied_at=row.applied_at,
        )
        for row in await repository.latest_applications_of(session, ctx, [c.id for c in candidates])
    }
    return [
        CandidateSummary(
            id=c.id,
            full_name=c.full_name,
            email=c.email,
            phone=c.phone,
            headline=c.headline,
            location=c.location,
            source=c.source,
            tags=list(c.tags),
            skills=list(c.skills),
            created_at=c.created_at,
            latest_application=latest.get(c.id),
        )
        for c in candidates
    ]


async def candidate_applications(
    session: AsyncSession, ctx: Ctx, candidate: Candidate
) -> list[repository.ApplicationRow]:
    return await repository.applications_of(session, ctx, [candidate.id])


# --- timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineResult:
    items: list[TimelineItem]
    next_cursor: str | None


async def timeline(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    *,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> TimelineResult:
    """The candidate's events and their applications' events, newest first."""
    candidate = await get_candidate(session, ctx, candidate_id)
    after = None
    if cursor:
        payload = decode_cursor(cursor)
        try:
            after = (datetime.fromisoformat(str(payload["at"])), uuid.UUID(str(payload["id"])))
        except (KeyError, ValueError) as exc:
            raise _bad_cursor() from exc
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = await repository.timeline(session, ctx, candidate.id, after=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [TimelineItem.model_validate(row) for row in rows]
    next_cursor = None
    if more and items:
        last = items[-1]
        next_cursor = encode_cursor({"at": last.created_at.isoformat(), "id": str(last.id)})
    return TimelineResult(items, next_cursor)


# --- bulk: add to a job ---------------------------------------------------------------------


@dataclass(frozen=True)
class AddedToJob:
    added: int
    already: int


async def add_to_job(
    session: AsyncSession,
    ctx: Ctx,
    candidate_ids: list[uuid.UUID],
    job_id: uuid.UUID,
    origin: Origin,
) -> AddedToJob:
    """Put each of these candidates in the job's first stage (those already applied are left
    as they are)."""
    from hireflow.applications.service import create_application

    ctx.require(Permission.APPLICATIONS_WRITE)
    if not candidate_ids:
        raise Invalid("Choose at least one candidate.", extra={"field": "candidate_ids"})
    if len(candidate_ids) > MAX_PAGE_SIZE:
        raise Invalid(f"Choose at most {MAX_PAGE_SIZE} candidates at a time.")
    job = await repository.readable_job(session, ctx, job_id)
    if job is None:
        raise NotFound("No job has this id.", extra={"field": "job_id"})
    if job.status != "open":
        raise Conflict("Only open jobs take new applications.", extra={"field": "job_id"})
    added = already = 0
    for candidate_id in dict.fromkeys(candidate_ids):
        candidate = await get_candidate(session, ctx, candidate_id)
        if candidate.merged_into_id is not None:
            raise Conflict(f"{candidate.full_name} was merged into another record.")
        try:
            async with session.begin_nested():
                await create_application(
                    session,
                    job=job,
                    candidate_id=candidate.id,
                    source="sourced",
                    actor_user_id=actor_id(ctx),
                )
        except Conflict:
            already += 1
            continue
        added += 1
    await record_audit(
        session,
        ctx,
        origin,
        "candidate.added_to_job",
        job.id,
        {"job_id": str(job.id), "added": added, "already_applied": already},
    )
    return AddedToJob(added, already)
