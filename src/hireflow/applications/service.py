"""Application rules: applying, moving between stages, rejecting, hiring, reopening, scoring,
feedback and private notes. Every change of stage or status is an `application_event` with
the actor and the time spent in the stage left; every change is audited.

Moves lock the application row (`SELECT … FOR UPDATE`), so two recruiters moving the same
card serialize; `expected_stage_id` lets the second one's move fail (409) instead of silently
overwriting the first.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.applications import repository
from hireflow.applications.hooks import StageEntry, stage_entered
from hireflow.applications.repository import CardRow, Cursor
from hireflow.applications.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    ApplicationReadWithNotes,
    ApplicationSummary,
    ApplicationUpdate,
    CandidateSummary,
    EventRead,
    FeedbackIn,
    FeedbackList,
    FeedbackRead,
    JobStageRead,
    JobSummary,
    NoteRead,
    Pipeline,
    PipelineCard,
    PipelineColumn,
    StageVisit,
)
from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.authz.records import require_candidate_reader, require_job_reader
from hireflow.errors import Conflict, Forbidden, Invalid, NotFound
from hireflow.kit.clock import now
from hireflow.models import (
    Application,
    ApplicationEvent,
    ApplicationFeedback,
    ApplicationNote,
    Job,
    JobStage,
)

CLOSED_JOB_STATUSES = ("closed", "archived")
MAX_PER_STAGE = 100


async def create_application(
    session: AsyncSession,
    *,
    job: Job,
    candidate_id: uuid.UUID,
    source: str,
    actor_user_id: uuid.UUID | None,
) -> Application:
    """Put a candidate (of the job's organization) in the job's first stage. The caller has
    checked permissions and that the job takes applications."""
    existing = await repository.application_of(session, job.id, candidate_id)
    if existing is not None:
        raise Conflict(
            "This candidate has already applied to this job.",
            extra={"application_id": str(existing)},
        )
    first = await session.scalar(
        select(JobStage)
        .where(JobStage.job_id == job.id, JobStage.kind == "active")
        .order_by(JobStage.position)
        .limit(1)
    )
    if first is None:
        raise Invalid("This job has no pipeline stages.")
    at = now()
    application = Application(
        organization_id=job.organization_id,
        candidate_id=candidate_id,
        job_id=job.id,
        stage_id=first.id,
        status="active",
        source=source,
        applied_at=at,
        stage_entered_at=at,
    )
    session.add(application)
    await session.flush()
    session.add(
        ApplicationEvent(
            organization_id=job.organization_id,
            application_id=application.id,
            type="applied",
            to_stage_id=first.id,
            actor_user_id=actor_user_id,
            data={"source": source},
            created_at=at,
        )
    )
    await session.flush()
    await stage_entered(session, StageEntry(application, first, None, actor_user_id))
    return application


# --- helpers --------------------------------------------------------------------------------------


def _actor_id(ctx: Ctx) -> uuid.UUID | None:
    return ctx.user.id if ctx.user is not None else None


def _seconds(since: datetime, until: datetime | None = None) -> int:
    return max(0, int(((until or now()) - since).total_seconds()))


async def _audit(
    session: AsyncSession,
    ctx: Ctx,
    origin: Origin,
    action: str,
    target_id: object,
    data: dict[str, Any] | None = None,
) -> None:
    await audit.record_by(
        session,
        ctx,
        action,
        origin=origin,
        target_type="application",
        target_id=target_id,
        data=data,
    )


async def readable_job(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> Job:
    job = await repository.readable_job(session, ctx, job_id)
    if job is None:
        raise NotFound("No job has this id.")
    return job


async def readable_application(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, *, lock: bool = False
) -> Application:
    application = await repository.readable_application(session, ctx, application_id, lock=lock)
    if application is None:
        raise NotFound("No application has this id.")
    return application


async def job_stages(session: AsyncSession, ctx: Ctx, job_id: uuid.UUID) -> list[JobStage]:
    require_job_reader(ctx)
    job = await readable_job(session, ctx, job_id)
    return await repository.job_stages(session, job.id)


# --- applying -------------------------------------------------------------------------------------


async def apply(
    session: AsyncSession, ctx: Ctx, body: ApplicationCreate, origin: Origin
) -> Application:
    """A member (or key) puts a candidate of the organization on a job's pipeline."""
    ctx.require(Permission.APPLICATIONS_WRITE)
    job = await repository.readable_job(session, ctx, body.job_id, lock=True)
    if job is None:
        raise Invalid("No job has this id.", extra={"field": "job_id"})
    candidate = await repository.readable_candidate(session, ctx, body.candidate_id)
    if candidate is None:
        raise Invalid("No candidate has this id.", extra={"field": "candidate_id"})
    if candidate.merged_into_id is not None:
        raise Conflict(
            "This candidate was merged into another: apply with that one.",
            extra={"candidate_id": str(candidate.merged_into_id)},
        )
    if job.status in CLOSED_JOB_STATUSES:
        raise Conflict(f"This job is {job.status}: it takes no new applications.")
    application = await create_application(
        session,
        job=job,
        candidate_id=candidate.id,
        source=body.source,
        actor_user_id=_actor_id(ctx),
    )
    await _audit(
        session,
        ctx,
        origin,
        "application.created",
        application.id,
        {"job_id": str(job.id), "candidate_id": str(candidate.id), "source": body.source},
    )
    return application


# --- reading --------------------------------------------------------------------------------------


def _summary(application: Application, candidate_name: str) -> ApplicationSummary:
    return ApplicationSummary(
        id=application.id,
        job_id=application.job_id,
        candidate_id=application.candidate_id,
        candidate_name=candidate_name,
        stage_id=application.stage_id,
        status=application.status,
        source=application.source,
        score=application.score,
        selected=application.selected,
        rejection_reason=application.rejection_reason,
        applied_at=application.applied_at,
        stage_entered_at=application.stage_entered_at,
        seconds_in_stage=_seconds(application.stage_entered_at),
        closed_at=application.closed_at,
    )


async def list_applications(
    session: AsyncSession,
    ctx: Ctx,
    job_id: uuid.UUID,
    *,
    stage_id: uuid.UUID | None = None,
    status: str | None = None,
    selected: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> ApplicationPage:
    require_job_reader(ctx)
    require_candidate_reader(ctx)
    job = await readable_job(session, ctx, job_id)
    after = Cursor.decode(cursor) if cursor else None
    rows = await repository.list_applications(
        session,
        job.id,
        stage_id=stage_id,
        status=status,
        selected=selected,
        after=after,
        limit=limit,
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        last = page[-1][0]
        next_cursor = Cursor(last.stage_entered_at, last.id).encode()
    return ApplicationPage(items=[_summary(a, name) for a, name in page], next_cursor=next_cursor)


def _card(row: CardRow, at: datetime) -> PipelineCard:
    return PipelineCard(
        application_id=row.application_id,
        candidate_id=row.candidate_id,
        candidate_name=row.candidate_name,
        headline=row.headline,
        status=row.status,
        stage_entered_at=row.stage_entered_at,
        seconds_in_stage=_seconds(row.stage_entered_at, at),
        score=row.score,
        selected=row.selected,
        feedback_average=round(row.feedback_average, 2)
        if row.feedback_average is not None
        else None,
    )


def _page_of_cards(
    rows: list[CardRow], limit: int, at: datetime
) -> tuple[list[PipelineCard], str | None]:
    cards = [_card(row, at) for row in rows[:limit]]
    if len(rows) > limit:
        last = rows[limit - 1]
        return cards, Cursor(last.stage_entered_at, last.application_id).encode()
    return cards, None


async def pipeline(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, per_stage: int = 50
) -> Pipeline:
    """The board: every stage in order with its count and first `per_stage` cards. Three
    queries whatever the size: stages, counts (one GROUP BY), cards (one LATERAL)."""
    require_job_reader(ctx)
    require_candidate_reader(ctx)
    job = await readable_job(session, ctx, job_id)
    stages = await repository.job_stages(session, job.id)
    counts = await repository.stage_counts(session, job.id)
    rows = await repository.pipeline_cards(session, job.id, per_stage)
    by_stage: dict[uuid.UUID, list[CardRow]] = {}
    for row in rows:
        by_stage.setdefault(row.stage_id, []).append(row)
    at = now()
    columns = []
    for stage in stages:
        cards, next_cursor = _page_of_cards(by_stage.get(stage.id, []), per_stage, at)
        columns.append(
            PipelineColumn(
                stage=JobStageRead.model_validate(stage),
                count=counts.get(stage.id, 0),
                cards=cards,
                next_cursor=next_cursor,
            )
        )
    return Pipeline(
        job=JobSummary(id=job.id, title=job.title, status=job.status),
        total=sum(counts.values()),
        stages=columns,
    )


async def more_cards(
    session: AsyncSession,
    ctx: Ctx,
    job_id: uuid.UUID,
    stage_id: uuid.UUID,
    cursor: str | None,
    *,
    limit: int = 50,
) -> tuple[JobStage, list[PipelineCard], str | None]:
    """One column's next cards (the board's "load more")."""
    require_job_reader(ctx)
    require_candidate_reader(ctx)
    job = await readable_job(session, ctx, job_id)
    stage = await _stage_of(session, job, stage_id)
    after = Cursor.decode(cursor) if cursor else None
    rows = await repository.stage_cards(session, job.id, stage.id, after, limit)
    cards, next_cursor = _page_of_cards(rows, limit, now())
    return stage, cards, next_cursor


def _visits(
    events: Sequence[ApplicationEvent], stages: dict[uuid.UUID, JobStage], at: datetime
) -> list[StageVisit]:
    """The stays in each stage, from the events that entered a stage."""
    entries = [e for e in events if e.to_stage_id is not None]
    visits = []
    for index, event in enumerate(entries):
        left_at = entries[index + 1].created_at if index + 1 < len(entries) else None
        stage = stages.get(event.to_stage_id) if event.to_stage_id else None
        visits.append(
            StageVisit(
                stage_id=event.to_stage_id,
                stage_name=stage.name if stage else None,
                entered_at=event.created_at,
                left_at=left_at,
                seconds=_seconds(event.created_at, left_at or at),
            )
        )
    return visits


async def feedback_list(session: AsyncSession, ctx: Ctx, application_id: uuid.UUID) -> FeedbackList:
    application = await readable_application(session, ctx, application_id)
    return await _feedback_list(session, application)


async def _feedback_list(session: AsyncSession, application: Application) -> FeedbackList:
    rows = await repository.feedback_of(session, application.id)
    items = [
        FeedbackRead(
            id=f.id,
            author_user_id=f.author_user_id,
            author_name=name,
            overall=f.overall,
            ratings={str(k): int(v) for k, v in f.ratings.items()},
            comment=f.comment,
            created_at=f.created_at,
            updated_at=f.updated_at,
        )
        for f, name in rows
    ]
    average = round(sum(i.overall for i in items) / len(items), 2) if items else None
    return FeedbackList(items=items, average=average, count=len(items))


async def application_detail(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID
) -> ApplicationRead:
    """Everything about one application; the private notes only for `notes:read`."""
    application = await readable_application(session, ctx, application_id)
    job = await session.get_one(Job, application.job_id)
    candidate = await repository.readable_candidate(session, ctx, application.candidate_id)
    if candidate is None:  # readable applications have readable candidates
        raise NotFound("No application has this id.")
    events = await repository.events_of(session, application.id)
    stage_ids = {application.stage_id}
    for event, _ in events:
        stage_ids.update(s for s in (event.from_stage_id, event.to_stage_id) if s)
    stages = await repository.stages_by_id(session, list(stage_ids))
    at = now()

    def name_of(stage_id: uuid.UUID | None) -> str | None:
        stage = stages.get(stage_id) if stage_id else None
        return stage.name if stage else None

    fields: dict[str, Any] = {
        "id": application.id,
        "candidate": CandidateSummary(
            id=candidate.id,
            full_name=candidate.full_name,
            headline=candidate.headline,
            email=candidate.email,
        ),
        "job": JobSummary(id=job.id, title=job.title, status=job.status),
        "stage": JobStageRead.model_validate(stages[application.stage_id]),
        "status": application.status,
        "source": application.source,
        "score": application.score,
        "selected": application.selected,
        "rejection_reason": application.rejection_reason,
        "applied_at": application.applied_at,
        "stage_entered_at": application.stage_entered_at,
        "seconds_in_stage": _seconds(application.stage_entered_at, at),
        "closed_at": application.closed_at,
        "events": [
            EventRead(
                id=event.id,
                type=event.type,
                from_stage_id=event.from_stage_id,
                from_stage_name=name_of(event.from_stage_id),
                to_stage_id=event.to_stage_id,
                to_stage_name=name_of(event.to_stage_id),
                seconds_in_stage=event.seconds_in_stage,
                actor_user_id=event.actor_user_id,
                actor_name=actor_name,
                data=dict(event.data),
                created_at=event.created_at,
            )
            for event, actor_name in events
        ],
        "stages": _visits([e for e, _ in events], stages, at),
        "feedback": await _feedback_list(session, application),
    }
    if ctx.can(Permission.NOTES_READ):
        return ApplicationReadWithNotes(**fields, notes=await _notes(session, application))
    return ApplicationRead(**fields)


# --- moving ---------------------------------------------------------------------------------------


async def _stage_of(session: AsyncSession, job: Job, stage_id: uuid.UUID) -> JobStage:
    stage = await session.get(JobStage, stage_id)
    if stage is None or stage.job_id != job.id:
        raise Invalid(
            "This stage is not a stage of the application's job.", extra={"field": "stage_id"}
        )
    return stage


async def _stage_of_kind(session: AsyncSession, job_id: uuid.UUID, kind: str) -> JobStage:
    for stage in await repository.job_stages(session, job_id):
        if stage.kind == kind:
            return stage
    raise Conflict(f"This job's pipeline has no {kind} stage.")


def _require_open(application: Application) -> None:
    if application.status != "active":
        raise Conflict(
            f"This application is {application.status}: reopen it first.",
            extra={"application_status": application.status, "application_id": str(application.id)},
        )


async def _enter(
    session: AsyncSession,
    ctx: Ctx,
    application: Application,
    stage: JobStage,
    *,
    reason: str | None = None,
    reopening: bool = False,
) -> ApplicationEvent:
    """Move `application` into `stage`, applying the rules of the stage's kind (a rejected
    stage needs a reason and closes the application, a hired stage closes it), record the
    event with the time spent in the stage left, and run the stage-entry hooks."""
    at = now()
    if at < application.stage_entered_at:
        at = application.stage_entered_at
    data: dict[str, Any] = {}
    if stage.kind == "rejected":
        if reason is None:
            raise Invalid(
                "Give a reason for rejecting (up to 300 characters).", extra={"field": "reason"}
            )
        event_type = "rejected"
        application.status = "rejected"
        application.rejection_reason = reason
        application.closed_at = at
        data["reason"] = reason
    elif stage.kind == "hired":
        event_type = "hired"
        application.status = "hired"
        application.rejection_reason = None
        application.closed_at = at
    else:
        event_type = "reopened" if reopening else "moved"
        application.status = "active"
        application.rejection_reason = None
        application.closed_at = None
    from_stage_id = application.stage_id
    event = ApplicationEvent(
        organization_id=application.organization_id,
        application_id=application.id,
        type=event_type,
        from_stage_id=from_stage_id,
        to_stage_id=stage.id,
        seconds_in_stage=_seconds(application.stage_entered_at, at),
        actor_user_id=_actor_id(ctx),
        data=data,
        created_at=at,
    )
    application.stage_id = stage.id
    application.stage_entered_at = at
    session.add(event)
    await session.flush()
    await stage_entered(session, StageEntry(application, stage, from_stage_id, _actor_id(ctx)))
    return event


async def move(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    *,
    stage_id: uuid.UUID,
    expected_stage_id: uuid.UUID | None,
    reason: str | None,
    origin: Origin,
) -> Application:
    ctx.require(Permission.APPLICATIONS_WRITE)
    application = await readable_application(session, ctx, application_id, lock=True)
    if expected_stage_id is not None and application.stage_id != expected_stage_id:
        current = await session.get_one(JobStage, application.stage_id)
        raise Conflict(
            f"Someone moved this application meanwhile: it is now in {current.name}.",
            extra={"current_stage_id": str(current.id), "current_stage_name": current.name},
        )
    _require_open(application)
    job = await session.get_one(Job, application.job_id)
    stage = await _stage_of(session, job, stage_id)
    if stage.id == application.stage_id:
        return application
    event = await _enter(session, ctx, application, stage, reason=reason)
    await _audit(
        session,
        ctx,
        origin,
        f"application.{event.type}",
        application.id,
        {"from_stage_id": str(event.from_stage_id), "to_stage_id": str(stage.id)},
    )
    return application


async def _bulk_applications(
    session: AsyncSession,
    ctx: Ctx,
    application_ids: Sequence[uuid.UUID],
    job_id: uuid.UUID | None,
) -> list[Application]:
    applications = await repository.readable_applications_for_update(session, ctx, application_ids)
    found = {a.id for a in applications}
    missing = [str(i) for i in application_ids if i not in found]
    if missing:
        raise NotFound(
            f"{len(missing)} of these applications do not exist (or are not yours to see); "
            "nothing was changed.",
            extra={"missing_application_ids": missing},
        )
    jobs = {a.job_id for a in applications}
    if job_id is not None and jobs != {job_id}:
        raise Invalid(
            "These applications are not all for this job.", extra={"field": "application_ids"}
        )
    if len(jobs) > 1:
        raise Invalid(
            "These applications are for different jobs: move one job's at a time.",
            extra={"field": "application_ids"},
        )
    closed = [str(a.id) for a in applications if a.status != "active"]
    if closed:
        raise Conflict(
            f"{len(closed)} of these applications are closed (hired, rejected or withdrawn); "
            "nothing was changed.",
            extra={"closed_application_ids": closed},
        )
    return applications


async def bulk_move(
    session: AsyncSession,
    ctx: Ctx,
    application_ids: Sequence[uuid.UUID],
    *,
    stage_id: uuid.UUID,
    reason: str | None,
    origin: Origin,
    job_id: uuid.UUID | None = None,
) -> list[Application]:
    """All or nothing: any application missing, unreadable, closed or of another job refuses
    the whole move."""
    ctx.require(Permission.APPLICATIONS_WRITE)
    applications = await _bulk_applications(session, ctx, application_ids, job_id)
    job = await session.get_one(Job, applications[0].job_id)
    stage = await _stage_of(session, job, stage_id)
    moved = []
    for application in applications:
        if application.stage_id != stage.id:
            await _enter(session, ctx, application, stage, reason=reason)
            moved.append(application)
    await _audit(
        session,
        ctx,
        origin,
        "application.bulk_moved",
        None,
        {
            "job_id": str(job.id),
            "to_stage_id": str(stage.id),
            "application_ids": [str(a.id) for a in moved],
        },
    )
    return moved


async def reject(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, *, reason: str, origin: Origin
) -> Application:
    ctx.require(Permission.APPLICATIONS_WRITE)
    application = await readable_application(session, ctx, application_id, lock=True)
    _require_open(application)
    stage = await _stage_of_kind(session, application.job_id, "rejected")
    from_stage_id = application.stage_id
    await _enter(session, ctx, application, stage, reason=reason)
    await _audit(
        session,
        ctx,
        origin,
        "application.rejected",
        application.id,
        {"from_stage_id": str(from_stage_id), "reason": reason},
    )
    return application


async def bulk_reject(
    session: AsyncSession,
    ctx: Ctx,
    application_ids: Sequence[uuid.UUID],
    *,
    reason: str,
    origin: Origin,
    job_id: uuid.UUID | None = None,
) -> list[Application]:
    ctx.require(Permission.APPLICATIONS_WRITE)
    applications = await _bulk_applications(session, ctx, application_ids, job_id)
    stage = await _stage_of_kind(session, applications[0].job_id, "rejected")
    for application in applications:
        await _enter(session, ctx, application, stage, reason=reason)
    await _audit(
        session,
        ctx,
        origin,
        "application.bulk_rejected",
        None,
        {
            "job_id": str(applications[0].job_id),
            "reason": reason,
            "application_ids": [str(a.id) for a in applications],
        },
    )
    return applications


async def hire(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, *, origin: Origin
) -> Application:
    ctx.require(Permission.APPLICATIONS_WRITE)
    application = await readable_application(session, ctx, application_id, lock=True)
    _require_open(application)
    stage = await _stage_of_kind(session, application.job_id, "hired")
    from_stage_id = application.stage_id
    await _enter(session, ctx, application, stage)
    await _audit(
        session,
        ctx,
        origin,
        "application.hired",
        application.id,
        {"from_stage_id": str(from_stage_id)},
    )
    return application


async def reopen(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, *, origin: Origin
) -> Application:
    """Back to the stage it was in before it was rejected or hired (the first stage if that
    one is gone), active again."""
    ctx.require(Permission.APPLICATIONS_WRITE)
    application = await readable_application(session, ctx, application_id, lock=True)
    if application.status not in ("rejected", "hired"):
        raise Conflict(
            f"This application is {application.status}: only rejected or hired ones reopen.",
            extra={"application_status": application.status},
        )
    closing = await repository.last_closing_event(session, application.id)
    stages = await repository.job_stages(session, application.job_id)
    active = [s for s in stages if s.kind == "active"]
    if not active:
        raise Conflict("This job's pipeline has no active stage to reopen into.")
    target = next(
        (s for s in active if closing is not None and s.id == closing.from_stage_id), active[0]
    )
    previous_status = application.status
    await _enter(session, ctx, application, target, reopening=True)
    await _audit(
        session,
        ctx,
        origin,
        "application.reopened",
        application.id,
        {"previous_status": previous_status, "to_stage_id": str(target.id)},
    )
    return application


async def withdraw_application(
    session: AsyncSession,
    application: Application,
    *,
    actor_user_id: uuid.UUID | None,
    reason: str | None,
) -> ApplicationEvent:
    """The candidate withdraws: the application is closed as `withdrawn` and stays in its stage
    (the board shows it withdrawn); a `withdrawn` event records the time spent in the stage.
    The caller has checked that the application is the actor's own, locked it, and audits."""
    if application.status != "active":
        raise Conflict(
            f"This application is {application.status}: only an application in progress can "
            "be withdrawn.",
            # Not "status": that key of the problem body is the HTTP status.
            extra={
                "application_status": application.status,
                "application_id": str(application.id),
            },
        )
    at = now()
    if at < application.stage_entered_at:
        at = application.stage_entered_at
    application.status = "withdrawn"
    application.closed_at = at
    event = ApplicationEvent(
        organization_id=application.organization_id,
        application_id=application.id,
        type="withdrawn",
        from_stage_id=application.stage_id,
        seconds_in_stage=_seconds(application.stage_entered_at, at),
        actor_user_id=actor_user_id,
        data={"reason": reason} if reason else {},
        created_at=at,
    )
    session.add(event)
    await session.flush()
    return event


# --- scoring and selection ------------------------------------------------------------------------


async def update(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    body: ApplicationUpdate,
    origin: Origin,
) -> Application:
    ctx.require(Permission.APPLICATIONS_WRITE)
    application = await readable_application(session, ctx, application_id, lock=True)
    if not body.model_fields_set:
        raise Invalid("Send a score, selected, or both.")
    changes: dict[str, Any] = {}
    if "score" in body.model_fields_set and body.score != application.score:
        session.add(
            ApplicationEvent(
                organization_id=application.organization_id,
                application_id=application.id,
                type="scored",
                actor_user_id=_actor_id(ctx),
                data={"from": application.score, "to": body.score},
                created_at=now(),
            )
        )
        changes["score"] = {"from": application.score, "to": body.score}
        application.score = body.score
    if body.selected is not None and body.selected != application.selected:
        session.add(
            ApplicationEvent(
                organization_id=application.organization_id,
                application_id=application.id,
                type="selected" if body.selected else "unselected",
                actor_user_id=_actor_id(ctx),
                data={"selected": body.selected},
                created_at=now(),
            )
        )
        changes["selected"] = body.selected
        application.selected = body.selected
    await session.flush()
    if changes:
        await _audit(session, ctx, origin, "application.updated", application.id, changes)
    return application


# --- feedback -------------------------------------------------------------------------------------


async def save_feedback(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    body: FeedbackIn,
    origin: Origin,
) -> ApplicationFeedback:
    """The member's own feedback on an application: created, or replaced."""
    ctx.require(Permission.FEEDBACK_WRITE)
    user = ctx.person()
    application = await readable_application(session, ctx, application_id)
    feedback = await repository.my_feedback(session, application.id, user.id)
    created = feedback is None
    if feedback is None:
        feedback = ApplicationFeedback(
            organization_id=application.organization_id,
            application_id=application.id,
            author_user_id=user.id,
            overall=body.overall,
        )
        session.add(feedback)
    feedback.overall = body.overall
    feedback.ratings = dict(body.ratings)
    feedback.comment = body.comment
    await session.flush()
    await session.refresh(feedback)
    await _audit(
        session,
        ctx,
        origin,
        "application.feedback_saved",
        application.id,
        {"feedback_id": str(feedback.id), "overall": body.overall, "created": created},
    )
    return feedback


async def delete_feedback(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    feedback_id: uuid.UUID,
    origin: Origin,
) -> None:
    application = await readable_application(session, ctx, application_id)
    feedback = await repository.get_feedback(session, application.id, feedback_id)
    if feedback is None:
        raise NotFound("No feedback has this id.")
    if ctx.user is None or feedback.author_user_id != ctx.user.id:
        raise Forbidden("Only its author can delete feedback.")
    await session.delete(feedback)
    await session.flush()
    await _audit(
        session,
        ctx,
        origin,
        "application.feedback_deleted",
        application.id,
        {"feedback_id": str(feedback_id)},
    )


# --- private notes --------------------------------------------------------------------------------


async def _notes(session: AsyncSession, application: Application) -> list[NoteRead]:
    return [
        NoteRead(
            id=note.id,
            author_user_id=note.author_user_id,
            author_name=name,
            body=note.body,
            created_at=note.created_at,
            updated_at=note.updated_at,
        )
        for note, name in await repository.notes_of(session, application.id)
    ]


async def list_notes(session: AsyncSession, ctx: Ctx, application_id: uuid.UUID) -> list[NoteRead]:
    ctx.require(Permission.NOTES_READ)
    application = await readable_application(session, ctx, application_id)
    return await _notes(session, application)


async def add_note(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, body: str, origin: Origin
) -> ApplicationNote:
    ctx.require(Permission.NOTES_READ)
    user = ctx.person()
    application = await readable_application(session, ctx, application_id)
    note = ApplicationNote(
        organization_id=application.organization_id,
        application_id=application.id,
        author_user_id=user.id,
        body=body,
    )
    session.add(note)
    await session.flush()
    await session.refresh(note)
    # The note's text stays out of the audit log: it is private.
    await _audit(
        session, ctx, origin, "application.note_added", application.id, {"note_id": str(note.id)}
    )
    return note


async def _own_note(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, note_id: uuid.UUID
) -> ApplicationNote:
    ctx.require(Permission.NOTES_READ)
    application = await readable_application(session, ctx, application_id)
    note = await repository.get_note(session, application.id, note_id)
    if note is None:
        raise NotFound("No note has this id.")
    if ctx.user is None or note.author_user_id != ctx.user.id:
        raise Forbidden("Only its author can change or delete a note.")
    return note


async def edit_note(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    body: str,
    origin: Origin,
) -> ApplicationNote:
    note = await _own_note(session, ctx, application_id, note_id)
    note.body = body
    note.updated_at = now()
    await session.flush()
    await _audit(
        session, ctx, origin, "application.note_edited", application_id, {"note_id": str(note_id)}
    )
    return note


async def delete_note(
    session: AsyncSession,
    ctx: Ctx,
    application_id: uuid.UUID,
    note_id: uuid.UUID,
    origin: Origin,
) -> None:
    note = await _own_note(session, ctx, application_id, note_id)
    await session.delete(note)
    await session.flush()
    await _audit(
        session, ctx, origin, "application.note_deleted", application_id, {"note_id": str(note_id)}
    )


def note_read(note: ApplicationNote, author_name: str | None) -> NoteRead:
    return NoteRead(
        id=note.id,
        author_user_id=note.author_user_id,
        author_name=author_name,
        body=note.body,
        created_at=note.created_at,
        updated_at=note.updated_at,
    )


def feedback_read(feedback: ApplicationFeedback, author_name: str | None) -> FeedbackRead:
    return FeedbackRead(
        id=feedback.id,
        author_user_id=feedback.author_user_id,
        author_name=author_name,
        overall=feedback.overall,
        ratings={str(k): int(v) for k, v in feedback.ratings.items()},
        comment=feedback.comment,
        created_at=feedback.created_at,
        updated_at=feedback.updated_at,
    )
