"""Every SQL statement of invitations and invitation rules. Recruiter reads are scoped like AI
interview sessions: the organization's for those who read every job, otherwise the ones they
sent and those of their assigned jobs."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    false,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.authz.records import readable_applications, readable_jobs
from hireflow.invitations.status import UNSUBSCRIBED, StatusFacts
from hireflow.models import (
    Application,
    Candidate,
    InterviewInvitation,
    InterviewInvite,
    InterviewKit,
    InterviewSession,
    InvitationRule,
    Job,
    JobStage,
    OutboxMessage,
)

OPEN_SESSION_STATUSES = ("NOT_STARTED", "IN_PROGRESS")


def readable_invitations(ctx: Ctx) -> ColumnElement[bool]:
    if not ctx.can(Permission.SESSIONS_READ):
        return false()
    in_org = InterviewInvitation.organization_id == ctx.organization.id
    if ctx.can(Permission.JOBS_READ):
        return in_org
    if ctx.user is None:
        return false()
    return and_(
        in_org,
        or_(
            InterviewInvitation.created_by_user_id == ctx.user.id,
            InterviewInvitation.job_id.in_(select(Job.id).where(readable_jobs(ctx))),
        ),
    )


# --- the facts a status is derived from -------------------------------------------------------


def _link_opened() -> ColumnElement[bool]:
    """The candidate opened a link of the invitation's session since it was recorded."""
    return exists().where(
        InterviewInvite.session_id == InterviewInvitation.session_id,
        InterviewInvite.opened_at >= InterviewInvitation.created_at,
    )


def _with_facts(query: Any) -> Any:
    return query.outerjoin(
        InterviewSession, InterviewSession.id == InterviewInvitation.session_id
    ).outerjoin(OutboxMessage, OutboxMessage.id == InterviewInvitation.outbox_message_id)


_FACT_COLUMNS = (
    InterviewSession.status,
    OutboxMessage.status,
    OutboxMessage.opened_at,
    OutboxMessage.clicked_at,
    _link_opened().label("link_opened"),
)


def _facts(invitation: InterviewInvitation, row: Any) -> StatusFacts:
    return StatusFacts(
        state=invitation.state,
        failure_reason=invitation.failure_reason,
        session_status=row[1],
        email_status=row[2],
        email_opened_at=row[3],
        email_clicked_at=row[4],
        link_opened=bool(row[5]),
    )


def status_expression() -> ColumnElement[str]:
    """`status.derive_status` in SQL, for the status filter (the tests check both agree)."""
    inv, sess, mail = InterviewInvitation, InterviewSession, OutboxMessage
    return case(
        (inv.state == "cancelled", literal("cancelled")),
        (
            inv.state == "skipped",
            case((inv.failure_reason == UNSUBSCRIBED, "unsubscribed"), else_="skipped"),
        ),
        (inv.state == "scheduled", literal("scheduled")),
        (sess.status == "COMPLETED", literal("completed")),
        (sess.status == "IN_PROGRESS", literal("started")),
        (sess.status == "EXPIRED", literal("expired")),
        (sess.status == "CANCELLED", literal("cancelled")),
        (mail.status == "failed", literal("failed")),
        (or_(mail.clicked_at.is_not(None), _link_opened()), literal("clicked")),
        (mail.opened_at.is_not(None), literal("opened")),
        (mail.status.in_(("sent", "stored")), literal("sent")),
        else_=literal("queued"),
    )


@dataclass(frozen=True)
class InvitationRow:
    invitation: InterviewInvitation
    facts: StatusFacts


async def readable_invitation(
    session: AsyncSession, ctx: Ctx, invitation_id: uuid.UUID
) -> InvitationRow | None:
    query = _with_facts(
        select(InterviewInvitation, *_FACT_COLUMNS).where(
            InterviewInvitation.id == invitation_id, readable_invitations(ctx)
        )
    )
    row = (await session.execute(query)).first()
    return InvitationRow(row[0], _facts(row[0], row)) if row is not None else None


async def lock_readable_invitation(
    session: AsyncSession, ctx: Ctx, invitation_id: uuid.UUID
) -> InterviewInvitation | None:
    return await session.scalar(
        select(InterviewInvitation)
        .where(InterviewInvitation.id == invitation_id, readable_invitations(ctx))
        .with_for_update()
    )


async def list_invitations(
    session: AsyncSession,
    ctx: Ctx,
    *,
    status: str | None,
    job_id: uuid.UUID | None,
    batch_id: uuid.UUID | None,
    application_id: uuid.UUID | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[InvitationRow]:
    query = _with_facts(select(InterviewInvitation, *_FACT_COLUMNS)).where(
        readable_invitations(ctx)
    )
    if status is not None:
        query = query.where(status_expression() == status)
    if job_id is not None:
        query = query.where(InterviewInvitation.job_id == job_id)
    if batch_id is not None:
        query = query.where(InterviewInvitation.batch_id == batch_id)
    if application_id is not None:
        query = query.where(InterviewInvitation.application_id == application_id)
    if after is not None:
        created_at, last_id = after
        query = query.where(
            or_(
                InterviewInvitation.created_at < created_at,
                and_(
                    InterviewInvitation.created_at == created_at,
                    InterviewInvitation.id < last_id,
                ),
            )
        )
    query = query.order_by(
        InterviewInvitation.created_at.desc(), InterviewInvitation.id.desc()
    ).limit(limit)
    rows = (await session.execute(query)).all()
    return [InvitationRow(r[0], _facts(r[0], r)) for r in rows]


async def latest_by_application(
    session: AsyncSession, ctx: Ctx, application_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, StatusFacts]:
    """Each application's newest invitation's facts: one query for a whole board."""
    if not application_ids:
        return {}
    query = _with_facts(
        select(InterviewInvitation, *_FACT_COLUMNS)
        .ext(distinct_on(InterviewInvitation.application_id))
        .where(
            InterviewInvitation.application_id.in_(list(application_ids)),
            readable_invitations(ctx),
        )
    ).order_by(
        InterviewInvitation.application_id,
        InterviewInvitation.created_at.desc(),
        InterviewInvitation.id.desc(),
    )
    rows = (await session.execute(query)).all()
    return {r[0].application_id: _facts(r[0], r) for r in rows}


# --- creating ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invitee:
    application_id: uuid.UUID
    job_id: uuid.UUID
    full_name: str
    email: str | None


async def invitees(
    session: AsyncSession, ctx: Ctx, application_ids: Collection[uuid.UUID]
) -> list[Invitee]:
    """The readable applications among `application_ids`, with their candidates' names and
    addresses (columns only: a batch of 1,000 loads no ORM objects)."""
    rows = await session.execute(
        select(Application.id, Application.job_id, Candidate.full_name, Candidate.email)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.id.in_(list(application_ids)), readable_applications(ctx))
    )
    return [Invitee(r[0], r[1], r[2], r[3]) for r in rows.all()]


async def jobs_with_unapproved_kits(
    session: AsyncSession, organization_id: uuid.UUID, job_ids: Collection[uuid.UUID]
) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(InterviewKit.job_id).where(
            InterviewKit.organization_id == organization_id,
            InterviewKit.job_id.in_(list(job_ids)),
            InterviewKit.status != "approved",
        )
    )
    return list(rows)


def _open_invitation() -> ColumnElement[bool]:
    """Not yet prepared, or prepared with a session that has not ended."""
    return or_(
        InterviewInvitation.state == "scheduled",
        and_(
            InterviewInvitation.state == "prepared",
            exists().where(
                InterviewSession.id == InterviewInvitation.session_id,
                InterviewSession.status.in_(OPEN_SESSION_STATUSES),
            ),
        ),
    )


async def applications_with_open_invitations(
    session: AsyncSession, organization_id: uuid.UUID, application_ids: Collection[uuid.UUID]
) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(InterviewInvitation.application_id).where(
            InterviewInvitation.organization_id == organization_id,
            InterviewInvitation.application_id.in_(list(application_ids)),
            _open_invitation(),
        )
    )
    return {r for r in rows if r is not None}


async def insert_invitations(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT (no ORM objects: a batch of 1,000 stays one fast statement)."""
    if rows:
        await session.execute(insert(InterviewInvitation), rows)


# --- jobs -------------------------------------------------------------------------------------


async def lock_scheduled(
    session: AsyncSession, invitation_ids: Collection[uuid.UUID]
) -> Sequence[InterviewInvitation]:
    """The invitations still scheduled, locked; those another job holds are left to it."""
    return (
        await session.scalars(
            select(InterviewInvitation)
            .where(
                InterviewInvitation.id.in_(list(invitation_ids)),
                InterviewInvitation.state == "scheduled",
            )
            .order_by(InterviewInvitation.created_at, InterviewInvitation.id)
            .with_for_update(skip_locked=True)
        )
    ).all()


async def due_reminders(
    session: AsyncSession,
    *,
    now: datetime,
    expiring_before: datetime,
    sent_before: datetime,
    limit: int,
) -> Sequence[tuple[InterviewInvitation, InterviewSession]]:
    rows = await session.execute(
        select(InterviewInvitation, InterviewSession)
        .join(InterviewSession, InterviewSession.id == InterviewInvitation.session_id)
        .join(OutboxMessage, OutboxMessage.id == InterviewInvitation.outbox_message_id)
        .where(
            InterviewInvitation.state == "prepared",
            InterviewInvitation.reminded_at.is_(None),
            InterviewInvitation.link_sealed.is_not(None),
            InterviewSession.status == "NOT_STARTED",
            InterviewSession.expires_at > now,
            InterviewSession.expires_at <= expiring_before,
            OutboxMessage.status.in_(("sent", "stored")),
            OutboxMessage.sent_at <= sent_before,
        )
        .order_by(InterviewSession.expires_at)
        .limit(limit)
        .with_for_update(of=InterviewInvitation, skip_locked=True)
    )
    return [(r[0], r[1]) for r in rows.all()]


async def clear_spent_links(session: AsyncSession) -> int:
    """Drop the sealed link once the session left NOT_STARTED: no reminder will need it."""
    result = await session.execute(
        update(InterviewInvitation)
        .where(
            InterviewInvitation.link_sealed.is_not(None),
            exists().where(
                InterviewSession.id == InterviewInvitation.session_id,
                InterviewSession.status != "NOT_STARTED",
            ),
        )
        .values(link_sealed=None)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- rules ------------------------------------------------------------------------------------


async def list_rules(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID | None
) -> Sequence[InvitationRule]:
    query = (
        select(InvitationRule)
        .join(Job, Job.id == InvitationRule.job_id)
        .join(JobStage, JobStage.id == InvitationRule.stage_id)
        .where(readable_jobs(ctx))
    )
    if job_id is not None:
        query = query.where(InvitationRule.job_id == job_id)
    return (
        await session.scalars(query.order_by(Job.title, JobStage.position, InvitationRule.id))
    ).all()


async def readable_rule(
    session: AsyncSession, ctx: Ctx, rule_id: uuid.UUID, *, lock: bool = False
) -> InvitationRule | None:
    query = (
        select(InvitationRule)
        .join(Job, Job.id == InvitationRule.job_id)
        .where(InvitationRule.id == rule_id, readable_jobs(ctx))
    )
    if lock:
        query = query.with_for_update(of=InvitationRule)
    return await session.scalar(query)


async def rule_of_stage(session: AsyncSession, stage_id: uuid.UUID) -> InvitationRule | None:
    return await session.scalar(select(InvitationRule).where(InvitationRule.stage_id == stage_id))


async def stage_of_job(
    session: AsyncSession, organization_id: uuid.UUID, stage_id: uuid.UUID
) -> JobStage | None:
    return await session.scalar(
        select(JobStage).where(JobStage.id == stage_id, JobStage.organization_id == organization_id)
    )


async def kit_of_job(
    session: AsyncSession, organization_id: uuid.UUID, job_id: uuid.UUID
) -> InterviewKit | None:
    return await session.scalar(
        select(InterviewKit).where(
            InterviewKit.organization_id == organization_id, InterviewKit.job_id == job_id
        )
    )


@dataclass(frozen=True)
class JobApplicant:
    application_id: uuid.UUID
    candidate_name: str
    email: str | None
    stage_id: uuid.UUID
    status: str


async def job_applicants(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, limit: int
) -> list[JobApplicant]:
    """A job's active applications (readable ones), by stage, for the bulk invite page."""
    rows = await session.execute(
        select(Application.id, Candidate.full_name, Candidate.email, Application.stage_id)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(JobStage, JobStage.id == Application.stage_id)
        .where(
            Application.job_id == job_id,
            Application.status == "active",
            readable_applications(ctx),
        )
        .order_by(JobStage.position, Candidate.full_name, Application.id)
        .limit(limit)
    )
    return [JobApplicant(r[0], r[1], r[2], r[3], "active") for r in rows.all()]
