"""Every SQL statement about candidates. Reads go through `readable_candidates(ctx)` (and
`readable_applications(ctx)` for their applications); merged records are left out of lists,
search and duplicate matching, but stay readable by id."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    text,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer, undefer

from hireflow.authz.context import Ctx
from hireflow.authz.records import readable_applications, readable_candidates, readable_jobs
from hireflow.kit.clock import now
from hireflow.models import (
    Application,
    ApplicationEvent,
    Candidate,
    CandidateConsent,
    CandidateEvent,
    Document,
    Job,
    JobStage,
)
from hireflow.models.base import CIText

# Trigram thresholds: duplicates need a close name; search forgives a typo or two in a word.
DUPLICATE_NAME_SIMILARITY = 0.6
SEARCH_WORD_SIMILARITY = 0.6
TS_CONFIG: Any = literal_column("'english'::regconfig")


async def _trigram_thresholds(session: AsyncSession) -> None:
    # `%` and `<%` compare against these settings (so the trigram index can be used); set them
    # for this transaction only.
    await session.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', :s, true),"
            " set_config('pg_trgm.word_similarity_threshold', :w, true)"
        ),
        {"s": str(DUPLICATE_NAME_SIMILARITY), "w": str(SEARCH_WORD_SIMILARITY)},
    )


# --- one candidate --------------------------------------------------------------------------


async def get(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID, *, for_update: bool = False
) -> Candidate | None:
    query = select(Candidate).where(Candidate.id == candidate_id, readable_candidates(ctx))
    if for_update:
        query = query.with_for_update(of=Candidate)
    return await session.scalar(query)


async def get_in_organization(
    session: AsyncSession, organization_id: uuid.UUID, candidate_id: uuid.UUID
) -> Candidate | None:
    """A candidate of the organization whatever the caller may read (after a create)."""
    return await session.scalar(
        select(Candidate).where(
            Candidate.id == candidate_id, Candidate.organization_id == organization_id
        )
    )


async def add_event(
    session: AsyncSession,
    candidate: Candidate,
    type_: str,
    *,
    actor_user_id: uuid.UUID | None,
    data: dict[str, Any] | None = None,
) -> CandidateEvent:
    event = CandidateEvent(
        organization_id=candidate.organization_id,
        candidate_id=candidate.id,
        type=type_,
        actor_user_id=actor_user_id,
        data=data or {},
        # The clock, not the transaction's start: events of one request keep their order.
        created_at=now(),
    )
    session.add(event)
    await session.flush()
    return event


# --- documents ------------------------------------------------------------------------------


async def documents_of(session: AsyncSession, candidate_id: uuid.UUID) -> list[Document]:
    rows = await session.scalars(
        select(Document)
        .where(Document.candidate_id == candidate_id)
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    return list(rows)


async def get_document(
    session: AsyncSession, candidate: Candidate, document_id: uuid.UUID, *, content: bool = False
) -> Document | None:
    query = select(Document).where(
        Document.id == document_id,
        Document.candidate_id == candidate.id,
        Document.organization_id == candidate.organization_id,
    )
    if content:
        query = query.options(undefer(Document.content))
    return await session.scalar(query)


async def newest_resume_text(session: AsyncSession, candidate_id: uuid.UUID) -> str:
    found = await session.scalar(
        select(Document.text)
        .where(Document.candidate_id == candidate_id, Document.kind == "resume")
        .order_by(Document.created_at.desc(), Document.id.desc())
        .limit(1)
    )
    return found or ""


# --- consents -------------------------------------------------------------------------------


async def consents_of(session: AsyncSession, candidate_id: uuid.UUID) -> list[CandidateConsent]:
    rows = await session.scalars(
        select(CandidateConsent)
        .where(CandidateConsent.candidate_id == candidate_id)
        .order_by(CandidateConsent.granted_at.desc(), CandidateConsent.id)
    )
    return list(rows)


async def active_consents(
    session: AsyncSession, candidate_id: uuid.UUID, purpose: str
) -> list[CandidateConsent]:
    rows = await session.scalars(
        select(CandidateConsent)
        .where(
            CandidateConsent.candidate_id == candidate_id,
            CandidateConsent.purpose == purpose,
            CandidateConsent.withdrawn_at.is_(None),
        )
        .with_for_update()
    )
    return list(rows)


# --- applications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRow:
    application: Application
    job_title: str
    stage_name: str


async def applications_of(
    session: AsyncSession, ctx: Ctx, candidate_ids: Sequence[uuid.UUID]
) -> list[ApplicationRow]:
    """The readable applications of these candidates, newest first, with job and stage."""
    if not candidate_ids:
        return []
    rows = await session.execute(
        select(Application, Job.title, JobStage.name)
        .join(Job, Job.id == Application.job_id)
        .join(JobStage, JobStage.id == Application.stage_id)
        .where(Application.candidate_id.in_(candidate_ids), readable_applications(ctx))
        .order_by(Application.applied_at.desc(), Application.id.desc())
    )
    return [ApplicationRow(a, title, stage) for a, title, stage in rows.all()]


async def latest_applications_of(
    session: AsyncSession, ctx: Ctx, candidate_ids: Sequence[uuid.UUID]
) -> list[Any]:
    """Each candidate's newest readable application (plain columns, one row per candidate):
    what a page of search results shows."""
    if not candidate_ids:
        return []
    rows = await session.execute(
        select(
            Application.candidate_id,
            Application.id,
            Application.job_id,
            Job.title.label("job_title"),
            Application.stage_id,
            JobStage.name.label("stage_name"),
            Application.status,
            Application.applied_at,
        )
        .join(Job, Job.id == Application.job_id)
        .join(JobStage, JobStage.id == Application.stage_id)
        .where(Application.candidate_id.in_(candidate_ids), readable_applications(ctx))
        .ext(distinct_on(Application.candidate_id))
        .order_by(Application.candidate_id, Application.applied_at.desc(), Application.id.desc())
    )
    return list(rows.all())


async def all_applications_of(session: AsyncSession, candidate_id: uuid.UUID) -> list[Application]:
    rows = await session.scalars(
        select(Application).where(Application.candidate_id == candidate_id).with_for_update()
    )
    return list(rows)


async def readable_job(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> Job | None:
    return await session.scalar(select(Job).where(Job.id == job_id, readable_jobs(ctx)))


async def readable_jobs_list(session: AsyncSession, ctx: Ctx, limit: int = 500) -> list[Job]:
    rows = await session.scalars(
        select(Job)
        .where(readable_jobs(ctx), Job.archived_at.is_(None))
        .order_by(Job.title, Job.id)
        .limit(limit)
    )
    return list(rows)


# --- duplicates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    candidate: Candidate
    same_email: bool
    same_phone: bool
    name_similarity: float


async def duplicates_of(
    session: AsyncSession, ctx: Ctx, candidate: Candidate, limit: int = 20
) -> list[DuplicateMatch]:
    """Other live candidates with the same email (case-insensitive), the same normalized phone
    or a similar name."""
    await _trigram_thresholds(session)
    similarity = func.similarity(Candidate.full_name, candidate.full_name)
    matches: list[ColumnElement[bool]] = [Candidate.full_name.op("%")(candidate.full_name)]
    same_email: ColumnElement[bool] = literal(False)
    same_phone: ColumnElement[bool] = literal(False)
    if candidate.email:
        same_email = Candidate.email == cast(candidate.email, CIText())
        matches.append(same_email)
    if candidate.phone_normalized:
        same_phone = Candidate.phone_normalized == candidate.phone_normalized
        matches.append(same_phone)
    rows = await session.execute(
        select(Candidate, same_email, same_phone, similarity)
        .where(
            readable_candidates(ctx),
            Candidate.organization_id == candidate.organization_id,
            Candidate.id != candidate.id,
            Candidate.merged_into_id.is_(None),
            or_(*matches),
        )
        .order_by(same_email.desc(), same_phone.desc(), similarity.desc(), Candidate.id)
        .limit(limit)
    )
    return [
        DuplicateMatch(c, bool(e), bool(p), round(float(s or 0), 3)) for c, e, p, s in rows.all()
    ]


async def existing_contacts(
    session: AsyncSession, organization_id: uuid.UUID, emails: list[str], phones: list[str]
) -> list[tuple[uuid.UUID, str | None, str | None]]:
    """Live candidates of the organization having one of these emails (compared
    case-insensitively) or normalized phones: (id, lowercased email, phone)."""
    found: list[tuple[uuid.UUID, str | None, str | None]] = []
    chunk = 2000
    for start in range(0, len(emails), chunk):
        part = emails[start : start + chunk]
        rows = await session.execute(
            select(Candidate.id, func.lower(cast(Candidate.email, Text))).where(
                Candidate.organization_id == organization_id,
                Candidate.merged_into_id.is_(None),
                Candidate.email
                == func.any(cast(bindparam("emails", part, type_=ARRAY(Text)), ARRAY(CIText()))),
            )
        )
        found.extend((i, e, None) for i, e in rows.all())
    for start in range(0, len(phones), chunk):
        part = phones[start : start + chunk]
        rows = await session.execute(
            select(Candidate.id, Candidate.phone_normalized).where(
                Candidate.organization_id == organization_id,
                Candidate.merged_into_id.is_(None),
                Candidate.phone_normalized.in_(part),
            )
        )
        found.extend((i, None, p) for i, p in rows.all())
    return found


# --- merge ----------------------------------------------------------------------------------


async def move_to(
    session: AsyncSession,
    duplicate: Candidate,
    primary: Candidate,
    application_ids: list[uuid.UUID],
) -> None:
    """Re-home the duplicate's documents, consents, events and these applications."""
    for model in (Document, CandidateConsent, CandidateEvent):
        await session.execute(
            update(model)
            .where(model.candidate_id == duplicate.id)
            .values(candidate_id=primary.id)
            .execution_options(synchronize_session=False)
        )
    if application_ids:
        await session.execute(
            update(Application)
            .where(Application.id.in_(application_ids))
            .values(candidate_id=primary.id)
            .execution_options(synchronize_session=False)
        )


# --- search ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    q: str | None = None
    job_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    tag: str | None = None
    source: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None


def _email_prefix(q: str) -> ColumnElement[bool] | None:
    """`email` starting with `q` (case-insensitively, through the (organization, email) index):
    for a query that is one word."""
    if not q or any(c.isspace() for c in q) or len(q) < 3:
        return None
    lowered = q.lower()
    return and_(
        Candidate.email >= cast(lowered, CIText()),
        Candidate.email < cast(lowered + "\uffff", CIText()),
    )


async def search(
    session: AsyncSession,
    ctx: Ctx,
    filters: SearchFilters,
    *,
    sort: str,
    after: tuple[Any, uuid.UUID] | None,
    limit: int,
) -> list[tuple[Candidate, Any]]:
    """A page of live candidates matching `filters`, in `sort` order, after the `after` key.
    Returns (candidate, sort key) pairs."""
    conditions: list[ColumnElement[bool]] = [
        readable_candidates(ctx),
        Candidate.organization_id == ctx.organization.id,
        Candidate.merged_into_id.is_(None),
    ]
    score: ColumnElement[Any] | None = None
    if filters.q:
        await _trigram_thresholds(session)
        query = func.websearch_to_tsquery(TS_CONFIG, filters.q)
        matches: list[ColumnElement[bool]] = [
            Candidate.search_vector.op("@@")(query),
            literal(filters.q).op("<%")(Candidate.full_name),
        ]
        prefix = _email_prefix(filters.q)
        if prefix is not None:
            matches.append(prefix)
        conditions.append(or_(*matches))
        # Names are in the search vector (weight A), so ranking it covers name matches; the
        # trigram similarity only ranks rows that matched on a misspelt name alone, so it is
        # not computed for every full-text match (it costs more than the ranking).
        score = cast(func.ts_rank(Candidate.search_vector, query), Float) + case(
            (
                Candidate.search_vector.op("@@")(query),
                literal(0.0, Float),
            ),
            else_=cast(func.word_similarity(filters.q, Candidate.full_name), Float),
        )
    if filters.job_id or filters.stage_id:
        on_job: list[ColumnElement[bool]] = [Application.candidate_id == Candidate.id]
        if filters.job_id:
            on_job.append(Application.job_id == filters.job_id)
        if filters.stage_id:
            on_job.append(Application.stage_id == filters.stage_id)
        on_job.append(readable_applications(ctx))
        conditions.append(exists().where(*on_job))
    if filters.tag:
        conditions.append(Candidate.tags.contains([filters.tag]))
    if filters.source:
        conditions.append(Candidate.source == filters.source)
    if filters.created_from:
        conditions.append(Candidate.created_at >= filters.created_from)
    if filters.created_before:
        conditions.append(Candidate.created_at < filters.created_before)

    if sort == "relevance" and score is not None:
        key: Any = score
        if after is not None:
            conditions.append(
                or_(score < after[0], and_(score == after[0], Candidate.id > after[1]))
            )
        order = (score.desc(), Candidate.id.asc())
    elif sort == "name":
        key = Candidate.full_name
        if after is not None:
            conditions.append(tuple_(Candidate.full_name, Candidate.id) > tuple_(*after))
        order = (Candidate.full_name.asc(), Candidate.id.asc())
    else:
        key = Candidate.created_at
        if after is not None:
            conditions.append(tuple_(Candidate.created_at, Candidate.id) < tuple_(*after))
        order = (Candidate.created_at.desc(), Candidate.id.desc())
    rows = await session.execute(
        select(Candidate, key)
        .where(*conditions)
        .order_by(*order)
        .limit(limit)
        # A page of results never shows the resume; don't carry it (or its vector) over.
        .options(defer(Candidate.resume_text, raiseload=True))
        .options(defer(Candidate.search_vector, raiseload=True))
    )
    return [(c, k) for c, k in rows.all()]


# --- timeline -------------------------------------------------------------------------------


async def timeline(
    session: AsyncSession,
    ctx: Ctx,
    candidate_id: uuid.UUID,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[dict[str, Any]]:
    candidate_events = select(
        literal("candidate").label("source"),
        CandidateEvent.id.label("id"),
        CandidateEvent.type.label("type"),
        CandidateEvent.created_at.label("created_at"),
        CandidateEvent.actor_user_id.label("actor_user_id"),
        CandidateEvent.data.label("data"),
        cast(null(), Application.id.type).label("application_id"),
        cast(null(), Application.job_id.type).label("job_id"),
        cast(null(), Job.title.type).label("job_title"),
        cast(null(), ApplicationEvent.from_stage_id.type).label("from_stage_id"),
        cast(null(), ApplicationEvent.to_stage_id.type).label("to_stage_id"),
    ).where(CandidateEvent.candidate_id == candidate_id)
    application_events = (
        select(
            literal("application").label("source"),
            ApplicationEvent.id,
            ApplicationEvent.type,
            ApplicationEvent.created_at,
            ApplicationEvent.actor_user_id,
            ApplicationEvent.data,
            Application.id,
            Application.job_id,
            Job.title,
            ApplicationEvent.from_stage_id,
            ApplicationEvent.to_stage_id,
        )
        .join(Application, Application.id == ApplicationEvent.application_id)
        .join(Job, Job.id == Application.job_id)
        .where(Application.candidate_id == candidate_id, readable_applications(ctx))
    )
    both = union_all(candidate_events, application_events).subquery("timeline")
    query = select(both)
    if after is not None:
        query = query.where(tuple_(both.c.created_at, both.c.id) < tuple_(*after))
    rows = await session.execute(
        query.order_by(both.c.created_at.desc(), both.c.id.desc()).limit(limit)
    )
    return [dict(row._mapping) for row in rows.all()]


# --- import ---------------------------------------------------------------------------------


async def insert_candidates(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    chunk = 1000
    for start in range(0, len(rows), chunk):
        await session.execute(insert(Candidate), rows[start : start + chunk])


async def insert_events(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    chunk = 2000
    for start in range(0, len(rows), chunk):
        await session.execute(insert(CandidateEvent), rows[start : start + chunk])
