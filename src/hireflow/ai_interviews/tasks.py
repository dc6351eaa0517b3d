"""Background work of AI interviews: scoring a completed session (AI calls go through jobs),
and the periodic sweep that expires unused links and closes interviews whose time ran out."""

from __future__ import annotations

import uuid

from procrastinate import JobContext

from hireflow import idempotency
from hireflow.ai_interviews import service
from hireflow.worker import job_database, job_settings, queue, task


@task(name="interviews.score_session", pass_context=True)
async def score_session(context: JobContext, session_id: str) -> None:
    async with job_database(context).transaction() as session:
        await service.score_session(session, uuid.UUID(session_id), job_settings(context))


@queue.periodic(cron="* * * * *", periodic_id="interviews-sweep")
@task(name="interviews.sweep", retry=False, pass_context=True, queueing_lock="interviews.sweep")
async def sweep(context: JobContext, timestamp: int) -> int:
    """Every minute: expire links and close timed-out interviews nobody opened since; drop
    idempotency keys past their retention."""
    async with job_database(context).transaction() as session:
        count = await service.expire_overdue(session)
        await idempotency.delete_expired(session)
    return count
