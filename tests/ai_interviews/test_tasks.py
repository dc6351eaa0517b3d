"""Background work of AI interviews: the sweep (`interviews.sweep` → `service.expire_overdue`)
expires unused links and closes interviews whose time ran out, idempotency records past their
retention are dropped, and a real worker runs both jobs (scoring and the sweep) on a
committing database."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hireflow import idempotency
from hireflow.ai_interviews import events, service
from hireflow.ai_interviews.service import CREATE_SCOPE
from hireflow.ai_interviews.tasks import sweep
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import IdempotencyRecord, InterviewInvite, InterviewSession, Organization, User
from hireflow.worker import enqueue, run_worker
from tests.factories.interviews import (
    STRONG_ANSWER,
    expire_link,
    make_session,
    pass_deadline,
    run_interview,
    stored_events,
)
from tests.factories.organizations import make_organization
from tests.factories.users import make_member

TASKS = ("interviews.score_session", "interviews.sweep")


async def _start(session: AsyncSession, token: str, settings: Settings) -> InterviewSession:
    _, interview = await service.open_link(session, token, settings)
    await service.give_consent(session, interview, ai_evaluation=True)
    await service.start(session, interview, settings)
    return interview


async def test_the_sweep_expires_unused_links_and_closes_timed_out_interviews(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        unused, _ = await make_session(session, org, owner, test_settings)
        fresh, _ = await make_session(session, org, owner, test_settings)
        timed_out, token = await make_session(session, org, owner, test_settings)
        running, running_token = await make_session(session, org, owner, test_settings)
        await expire_link(session, unused.id)
        started = await _start(session, token, test_settings)
        await service.answer(session, started, "q1", STRONG_ANSWER, test_settings)
        await _start(session, running_token, test_settings)
        await pass_deadline(session, timed_out.id)

        assert await service.expire_overdue(session) == 2
        assert await service.expire_overdue(session) == 0  # nothing left to do

    async with db.transaction() as session:
        by_id = {
            s.id: s
            for s in await session.scalars(
                select(InterviewSession).where(InterviewSession.organization_id == org.id)
            )
        }
        assert by_id[unused.id].status == "EXPIRED"
        assert by_id[fresh.id].status == "NOT_STARTED"
        assert by_id[running.id].status == "IN_PROGRESS"
        closed = by_id[timed_out.id]
        assert closed.status == "COMPLETED"
        assert closed.state["end_reason"] == "time_up"
        assert list(closed.state["answers"]) == ["q1"]
        expired_types = [e.type for e in await stored_events(session, unused.id)]
        assert expired_types[-1] == events.SESSION_EXPIRED
        live = await session.scalar(
            select(InterviewInvite).where(
                InterviewInvite.session_id == unused.id, InterviewInvite.revoked_at.is_(None)
            )
        )
        assert live is None
        jobs = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task "
                "AND args->>'session_id' = :id"
            ),
            {"task": "interviews.score_session", "id": str(timed_out.id)},
        )
        assert jobs == 1


async def test_expired_idempotency_records_are_deleted(db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        for hours in (-2, 2):
            session.add(
                IdempotencyRecord(
                    organization_id=organization.id,
                    principal=f"user:{uuid.uuid4()}",
                    scope=CREATE_SCOPE,
                    key_hash=uuid.uuid4().hex * 2,
                    request_hash=uuid.uuid4().hex * 2,
                    response_status=201,
                    response_sealed=b"sealed",
                    expires_at=now() + timedelta(hours=hours),
                )
            )
        await session.flush()
        assert await idempotency.delete_expired(session) == 1
        assert await idempotency.delete_expired(session) == 0
        left = list(await session.scalars(select(IdempotencyRecord.expires_at)))
    assert len(left) == 1
    assert left[0] > now()


async def test_a_worker_scores_completed_interviews_and_runs_the_sweep(
    engine: AsyncEngine, database_url: str, test_settings: Settings
) -> None:
    database = Database(engine)  # commits for real: the worker reads through its own pool
    async with database.transaction() as session:
        org = await make_organization(session, name="Worker")
        owner, _ = await make_member(session, org, role="owner")
        scored, token = await make_session(session, org, owner, test_settings, max_follow_ups=0)
        await run_interview(session, token, test_settings, score=False)
        unused, _ = await make_session(session, org, owner, test_settings)
        await expire_link(session, unused.id)
        await enqueue(session, sweep, timestamp=int(now().timestamp()))
    try:
        await asyncio.wait_for(
            run_worker(database_url, test_settings, name="interviews-test", wait=False), 60
        )
        async with database.transaction() as session:
            scored_row = await session.get(InterviewSession, scored.id)
            unused_row = await session.get(InterviewSession, unused.id)
            assert scored_row is not None
            assert unused_row is not None
            assert scored_row.state["scoring"]["status"] == "done"
            assert unused_row.status == "EXPIRED"
            statuses = list(
                await session.scalars(
                    text(
                        "SELECT status::text FROM procrastinate_jobs "
                        "WHERE task_name = ANY(:tasks) AND (args->>'session_id' = :id "
                        "OR task_name = 'interviews.sweep')"
                    ),
                    {"tasks": list(TASKS), "id": str(scored.id)},
                )
            )
        assert statuses
        assert set(statuses) == {"succeeded"}
    finally:
        await _remove(database, org, owner)


async def _remove(database: Database, organization: Organization, user: User) -> None:
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == organization.id))
        await session.execute(delete(User).where(User.id == user.id))
        await session.execute(
            text("DELETE FROM procrastinate_jobs WHERE task_name = ANY(:tasks)"),
            {"tasks": list(TASKS)},
        )
