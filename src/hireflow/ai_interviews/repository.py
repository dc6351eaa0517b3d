"""Every SQL statement of AI interview sessions. Recruiter reads go through
`authz.records.readable_sessions`; candidate reads find a session by its link's hash only."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.authz.records import readable_jobs, readable_sessions
from hireflow.models import (
    InterviewEvent,
    InterviewInvite,
    InterviewSession,
    InterviewSessionNote,
    Job,
    Organization,
)


async def readable_session(
    session: AsyncSession, ctx: Ctx, session_id: uuid.UUID, *, lock: bool = False
) -> InterviewSession | None:
    query = select(InterviewSession).where(
        InterviewSession.id == session_id, readable_sessions(ctx)
    )
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def session_by_id(
    session: AsyncSession, session_id: uuid.UUID, *, lock: bool = False
) -> InterviewSession | None:
    """Unscoped: for the candidate's side (reached through a link) and for jobs."""
    query = select(InterviewSession).where(InterviewSession.id == session_id)
    if lock:
        query = query.with_for_update()
    return await session.scalar(query)


async def list_sessions(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None,
    job_id: uuid.UUID | None,
    application_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> Sequence[InterviewSession]:
    query = select(InterviewSession).where(readable_sessions(ctx))
    if status is not None:
        query = query.where(InterviewSession.status == status)
    if job_id is not None:
        query = query.where(InterviewSession.job_id == job_id)
    if application_id is not None:
        query = query.where(InterviewSession.application_id == application_id)
    if after is not None:
        created_at, last_id = after
        query = query.where(
            or_(
                InterviewSession.created_at < created_at,
                and_(InterviewSession.created_at == created_at, InterviewSession.id < last_id),
            )
        )
    query = query.order_by(InterviewSession.created_at.desc(), InterviewSession.id.desc())
    return (await session.scalars(query.limit(limit))).all()


async def note_of(session: AsyncSession, session_id: uuid.UUID) -> str | None:
    return await session.scalar(
        select(InterviewSessionNote.body).where(InterviewSessionNote.session_id == session_id)
    )


async def events(
    session: AsyncSession, session_id: uuid.UUID, *, after: int = 0, limit: int | None = None
) -> Sequence[InterviewEvent]:
    query = (
        select(InterviewEvent)
        .where(InterviewEvent.session_id == session_id, InterviewEvent.seq > after)
        .order_by(InterviewEvent.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return (await session.scalars(query)).all()


async def latest_invite(session: AsyncSession, session_id: uuid.UUID) -> InterviewInvite | None:
    """The session's newest link, working or not (at most one is live)."""
    return await session.scalar(
        select(InterviewInvite)
        .where(InterviewInvite.session_id == session_id)
        .order_by(InterviewInvite.created_at.desc(), InterviewInvite.id.desc())
        .limit(1)
    )


async def latest_invites(
    session: AsyncSession, session_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, InterviewInvite]:
    if not session_ids:
        return {}
    rows = await session.scalars(
        select(InterviewInvite)
        .where(InterviewInvite.session_id.in_(session_ids))
        .order_by(
            InterviewInvite.session_id,
            InterviewInvite.created_at.desc(),
            InterviewInvite.id.desc(),
        )
        .ext(distinct_on(InterviewInvite.session_id))
    )
    return {invite.session_id: invite for invite in rows}


async def invite_by_hash(session: AsyncSession, token_hash: str) -> InterviewInvite | None:
    return await session.scalar(
        select(InterviewInvite).where(InterviewInvite.token_hash == token_hash)
    )


async def revoke_invites(
    session: AsyncSession, session_id: uuid.UUID, at: datetime
) -> list[uuid.UUID]:
    result = await session.execute(
        update(InterviewInvite)
        .where(InterviewInvite.session_id == session_id, InterviewInvite.revoked_at.is_(None))
        .values(revoked_at=at)
        .returning(InterviewInvite.id)
    )
    return [row[0] for row in result]


async def organization_name(session: AsyncSession, organization_id: uuid.UUID) -> str:
    name = await session.scalar(select(Organization.name).where(Organization.id == organization_id))
    return name or ""


async def overdue_session_ids(session: AsyncSession, now: datetime, limit: int) -> list[uuid.UUID]:
    """Sessions whose link ran out before they started, or whose time ran out while running."""
    rows = await session.scalars(
        select(InterviewSession.id)
        .where(
            or_(
                and_(InterviewSession.status == "NOT_STARTED", InterviewSession.expires_at < now),
                and_(
                    InterviewSession.status == "IN_PROGRESS",
                    InterviewSession.state["deadline"].astext < now.isoformat(),
                ),
            )
        )
        .limit(limit)
    )
    return list(rows)


async def job_titles(
    session: AsyncSession, ctx: Ctx, job_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """The titles of those of `job_ids` the caller may read (the recruiter pages show them)."""
    if not job_ids:
        return {}
    rows = await session.execute(
        select(Job.id, Job.title).where(Job.id.in_(list(job_ids)), readable_jobs(ctx))
    )
    return {job_id: title for job_id, title in rows}
