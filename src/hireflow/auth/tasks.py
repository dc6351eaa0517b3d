"""Identity housekeeping: expired throttle windows, sessions and single-use tokens."""

from __future__ import annotations

from datetime import timedelta

from procrastinate import JobContext
from sqlalchemy import delete, or_

from hireflow.kit import throttle
from hireflow.kit.clock import now
from hireflow.models import OneTimeToken, UserSession
from hireflow.worker import job_database, queue, task

# Kept a while after they stop working, so an admin can still see a session's history.
KEEP_ENDED_SESSIONS = timedelta(days=30)
KEEP_SPENT_TOKENS = timedelta(days=7)
KEEP_THROTTLE_WINDOWS = timedelta(days=1)


@queue.periodic(cron="41 * * * *", periodic_id="identity-housekeeping")
@task(name="auth.housekeeping", retry=False, pass_context=True, queueing_lock="auth.housekeeping")
async def housekeeping(context: JobContext, timestamp: int) -> None:
    moment = now()
    async with job_database(context).transaction() as session:
        await throttle.delete_expired(session, moment - KEEP_THROTTLE_WINDOWS)
        await session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.expires_at < moment - KEEP_ENDED_SESSIONS,
                    UserSession.revoked_at < moment - KEEP_ENDED_SESSIONS,
                )
            )
        )
        await session.execute(
            delete(OneTimeToken).where(
                or_(
                    OneTimeToken.expires_at < moment - KEEP_SPENT_TOKENS,
                    OneTimeToken.used_at < moment - KEEP_SPENT_TOKENS,
                )
            )
        )
