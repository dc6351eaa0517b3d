"""Every SQL statement of applications and pipelines. Tenant data is read through
`hireflow.authz.records` (`readable_jobs`, `readable_candidates`, `readable_applications`)."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, func, literal, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.authz.records import readable_applications, readable_candidates, readable_jobs
from hireflow.errors import Invalid
from hireflow.models import (
    Application,
    ApplicationEvent,
    ApplicationFeedback,
    ApplicationNote,
    Candidate,
    Job,
    JobStage,
    StageTemplate,
    User,
)

# --- keyset cursors over (stage_entered_at, id) ---------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    stage_entered_at: datetime
    id: uuid.UUID

    def encode(self) -> str:
        raw = f"{self.stage_entered_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            at, _, id_ = raw.partition("|")
            entered = datetime.fromisoformat(at)
            if entered.tzinfo is None:
                raise ValueError("naive")
            return cls(entered, uuid.UUID(id_))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise Invalid(
                "This cursor is not valid: use the next_cursor of the previous page.",
                extra={"field": "cursor"},
            ) from exc


def _after(cursor: Cursor) -> ColumnElement[bool]:
    """Rows after `cursor` in (stage_entered_at, id) order: a row comparison the index serves."""
    return tuple_(Application.stage_entered_at, Application.id) > tuple_(
        literal(cursor.stage_entered_at), literal(cursor.id)
    )


# --- jobs, stages, candidates ---------------------------------------------------------------------


async def readable_job(
    session: AsyncSession, ctx: Ctx, job_id: uuid.UUID, *, lock: bool = False
) -> Job | None:
    query = select(Job).where(Job.id == job_id, readable_jobs(ctx))
    if lock:
        query = query.with_for_update(key_share=True)
    return await session.scalar(query)


async def readable_candidate(
    session: AsyncSession, ctx: Ctx, candidate_id: uuid.UUID
) -> Candidate | None:
    return await session.scalar(
        select(Candidate).where(Candidate.id == candidate_id, readable_candidates(ctx))
    )


async def job_stages(session: AsyncSession, job_id: uuid.UUID) -> list[JobStage]:
    rows = await session.scalars(
        select(JobStage).where(JobStage.job_id == job_id).order_by(JobStage.position, JobStage.id)
    )
    return list(rows)


async def stages_by_id(
    session: AsyncSession, stage_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, JobStage]:
    if not stage_ids:
        return {}
    rows = await session.scalars(select(JobStage).where(JobStage.id.in_(set(stage_ids))))
    return {stage.id: stage for stage in rows}


# --- applications ---------------------------------------------------------------------------------


async def readable_application(
    session: AsyncSession, ctx: Ctx, application_id: uuid.UUID, *, lock: bool = False
) -> Application | None:
    query = select(Application).where(Application.id == application_id, readable_applications(ctx))
    if lock:
        # Concurrent moves of one application wait for each other; refresh what we hold.
        query = query.with_for_update(of=Application).execution_options(populate_existing=True)
    return await session.scalar(query)


async def readable_applications_for_update(
    session: AsyncSession, ctx: Ctx, application_ids: Sequence[uuid.UUID]
) -> list[Application]:
    """The readable ones of `application_ids`, locked in id order (no deadlocks between two
    bulk moves of overlapping sets)."""
    rows = await session.scalars(
        select(Application)
        .where(Application.id.in_(list(application_ids)), readable_applications(ctx))
        .order_by(Application.id)
        .with_for_update(of=Application)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def application_of(
    session: AsyncSession, job_id: uuid.UUID, candidate_id: uuid.UUID
) -> uuid.UUID | None:
    return await session.scalar(
        select(Application.id).where(
            Application.job_id == job_id, Application.candidate_id == candidate_id
        )
    )


async def list_applications(
    session: AsyncSession,
    job_id: uuid.UUID,
    *,
    stage_id: uuid.UUID | None,
    status: str | None,
    selected: bool | None,
    after: Cursor | None,
    limit: int,
) -> list[tuple[Application, str]]:
    """A job's applications, longest in their stage first, keyset on (stage_entered_at, id);
    one more than `limit` to tell whether there is a next page."""
    query = (
        select(Application, Candidate.full_name)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.job_id == job_id)
        .order_by(Application.stage_entered_at, Application.id)
        .limit(limit + 1)
    )
    if stage_id is not None:
        query = query.where(Application.stage_id == stage_id)
    if status is not None:
        query = query.where(Application.status == status)
    if selected is not None:
        query = query.where(Application.selected.is_(selected))
    if after is not None:
        query = query.where(_after(after))
    return [(a, name) for a, name in await session.execute(query)]


async def stage_counts(session: AsyncSession, job_id: uuid.UUID) -> dict[uuid.UUID, int]:
    """Applications per stage of a job: one GROUP BY over the pipeline index."""
    rows = await session.execute(
        select(Application.stage_id, func.count())
        .where(Application.job_id == job_id)
        .group_by(Application.stage_id)
    )
    return {stage_id: count for stage_id, count in rows}


@dataclass(frozen=True)
class CardRow:
    stage_id: uuid.UUID
    application_id: uuid.UUID
    candidate_id: uuid.UUID
    candidate_name: str
    headline: str | None
    status: str
    stage_entered_at: datetime
    score: int | None
    selected: bool
    feedback_average: float | None


def _feedback_average(application_id: Any) -> ScalarSelect[Any]:
    return (
        select(func.avg(ApplicationFeedback.overall))
        .where(ApplicationFeedback.application_id == application_id)
        .scalar_subquery()
    )


async def pipeline_cards(session: AsyncSession, job_id: uuid.UUID, per_stage: int) -> list[CardRow]:
    """The first `per_stage` + 1 cards of every stage of a job in one query: a LATERAL
    index scan of (job_id, stage_id, stage_entered_at, id) per stage, then the candidates."""
    first = (
        select(
            Application.id,
            Application.candidate_id,
            Application.status,
            Application.stage_entered_at,
            Application.score,
            Application.selected,
        )
        .where(Application.job_id == JobStage.job_id, Application.stage_id == JobStage.id)
        .order_by(Application.stage_entered_at, Application.id)
        .limit(per_stage + 1)
        .lateral("first")
    )
    query = (
        select(
            JobStage.id,
            first.c.id,
            first.c.candidate_id,
            Candidate.full_name,
            Candidate.headline,
            first.c.status,
            first.c.stage_entered_at,
            first.c.score,
            first.c.selected,
            _feedback_average(first.c.id),
        )
        .select_from(JobStage)
        .join(first, true())
        .join(Candidate, Candidate.id == first.c.candidate_id)
        .where(JobStage.job_id == job_id)
        .order_by(JobStage.position, first.c.stage_entered_at, first.c.id)
    )
    return [_card(row) for row in await session.execute(query)]


def _card(row: Any) -> CardRow:
    """A card from the columns both card queries select, in their order."""
    return CardRow(
        stage_id=row[0],
        application_id=row[1],
        candidate_id=row[2],
        candidate_name=row[3],
        headline=row[4],
        status=row[5],
        stage_entered_at=row[6],
        score=row[7],
        selected=row[8],
        feedback_average=float(row[9]) if row[9] is not None else None,
    )


async def stage_cards(
    session: AsyncSession, job_id: uuid.UUID, stage_id: uuid.UUID, after: Cursor | None, limit: int
) -> list[CardRow]:
    """One column's cards after `after` (the board's "load more"); `limit` + 1 rows."""
    query = (
        select(
            Application.stage_id,
            Application.id,
            Application.candidate_id,
            Candidate.full_name,
            Candidate.headline,
            Application.status,
            Application.stage_entered_at,
            Application.score,
            Application.selected,
            _feedback_average(Application.id),
        )
        .join(Candidate, Candidate.id == Application.candidate_id)
        .where(Application.job_id == job_id, Application.stage_id == stage_id)
        .order_by(Application.stage_entered_at, Application.id)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(_after(after))
    return [_card(row) for row in await session.execute(query)]


async def events_of(
    session: AsyncSession, application_id: uuid.UUID
) -> list[tuple[ApplicationEvent, str | None]]:
    rows = await session.execute(
        select(ApplicationEvent, User.name)
        .outerjoin(User, User.id == ApplicationEvent.actor_user_id)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.created_at, ApplicationEvent.id)
    )
    return [(item, name) for item, name in rows]


async def last_closing_event(
    session: AsyncSession, application_id: uuid.UUID
) -> ApplicationEvent | None:
    return await session.scalar(
        select(ApplicationEvent)
        .where(
            ApplicationEvent.application_id == application_id,
            ApplicationEvent.type.in_(("rejected", "hired")),
        )
        .order_by(ApplicationEvent.created_at.desc(), ApplicationEvent.id.desc())
        .limit(1)
    )


# --- feedback and notes ---------------------------------------------------------------------------


async def feedback_of(
    session: AsyncSession, application_id: uuid.UUID
) -> list[tuple[ApplicationFeedback, str | None]]:
    rows = await session.execute(
        select(ApplicationFeedback, User.name)
        .outerjoin(User, User.id == ApplicationFeedback.author_user_id)
        .where(ApplicationFeedback.application_id == application_id)
        .order_by(ApplicationFeedback.created_at, ApplicationFeedback.id)
    )
    return [(item, name) for item, name in rows]


async def my_feedback(
    session: AsyncSession, application_id: uuid.UUID, user_id: uuid.UUID
) -> ApplicationFeedback | None:
    return await session.scalar(
        select(ApplicationFeedback).where(
            ApplicationFeedback.application_id == application_id,
            ApplicationFeedback.author_user_id == user_id,
        )
    )


async def get_feedback(
    session: AsyncSession, application_id: uuid.UUID, feedback_id: uuid.UUID
) -> ApplicationFeedback | None:
    return await session.scalar(
        select(ApplicationFeedback).where(
            ApplicationFeedback.id == feedback_id,
            ApplicationFeedback.application_id == application_id,
        )
    )


async def notes_of(
    session: AsyncSession, application_id: uuid.UUID
) -> list[tuple[ApplicationNote, str | None]]:
    rows = await session.execute(
        select(ApplicationNote, User.name)
        .outerjoin(User, User.id == ApplicationNote.author_user_id)
        .where(ApplicationNote.application_id == application_id)
        .order_by(ApplicationNote.created_at.desc(), ApplicationNote.id.desc())
    )
    return [(item, name) for item, name in rows]


async def get_note(
    session: AsyncSession, application_id: uuid.UUID, note_id: uuid.UUID
) -> ApplicationNote | None:
    return await session.scalar(
        select(ApplicationNote).where(
            ApplicationNote.id == note_id, ApplicationNote.application_id == application_id
        )
    )


# --- stage templates ------------------------------------------------------------------------------


async def stage_templates(session: AsyncSession, organization_id: uuid.UUID) -> list[StageTemplate]:
    rows = await session.scalars(
        select(StageTemplate)
        .where(StageTemplate.organization_id == organization_id)
        .order_by(StageTemplate.is_default.desc(), StageTemplate.name)
    )
    return list(rows)


async def get_stage_template(
    session: AsyncSession, organization_id: uuid.UUID, template_id: uuid.UUID
) -> StageTemplate | None:
    return await session.scalar(
        select(StageTemplate).where(
            StageTemplate.id == template_id, StageTemplate.organization_id == organization_id
        )
    )


async def stage_template_named(
    session: AsyncSession, organization_id: uuid.UUID, name: str
) -> StageTemplate | None:
    return await session.scalar(
        select(StageTemplate).where(
            StageTemplate.organization_id == organization_id,
            func.lower(StageTemplate.name) == name.lower(),
        )
    )


async def default_stage_templates(
    session: AsyncSession, organization_id: uuid.UUID
) -> list[StageTemplate]:
    rows = await session.scalars(
        select(StageTemplate)
        .where(StageTemplate.organization_id == organization_id, StageTemplate.is_default)
        .with_for_update()
    )
    return list(rows)
