"""Identity housekeeping deletes what has long stopped working, and nothing else."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import select, text

from hireflow.auth.tasks import housekeeping
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import OneTimeToken, ThrottleHit, UserSession
from hireflow.worker import enqueue, run_worker
from tests.factories.users import make_user


async def test_housekeeping_removes_only_long_dead_rows(
    engine: object, database_url: str, test_settings: Settings
) -> None:
    database = Database(engine)  # type: ignore[arg-type]
    moment = now()
    async with database.transaction() as session:
        user = await make_user(session)

        def user_session(created_days_ago: int, **extra: object) -> UserSession:
            created = moment - timedelta(days=created_days_ago)
            return UserSession(
                user_id=user.id,
                token_hash=uuid.uuid4().hex * 2,
                csrf_token="c",
                created_at=created,
                last_seen_at=created,
                expires_at=created + timedelta(days=1),
                **extra,
            )

        old = user_session(60)
        live = user_session(0)
        session.add_all([old, live])
        session.add_all(
            [
                OneTimeToken(
                    user_id=user.id,
                    purpose="reset_password",
                    token_hash=uuid.uuid4().hex * 2,
                    created_at=moment - timedelta(days=20),
                    expires_at=moment - timedelta(days=19),
                ),
                OneTimeToken(
                    user_id=user.id,
                    purpose="verify_email",
                    token_hash=uuid.uuid4().hex * 2,
                    created_at=moment,
                    expires_at=moment + timedelta(days=2),
                ),
                ThrottleHit(key=f"test:{user.id}", window_start=moment - timedelta(days=3), hits=3),
                ThrottleHit(key=f"test:{user.id}", window_start=moment, hits=1),
            ]
        )
        await enqueue(session, housekeeping, timestamp=int(moment.timestamp()))
    try:
        await asyncio.wait_for(run_worker(database_url, test_settings, wait=False), 30)
        async with database.transaction() as session:
            sessions = set(
                await session.scalars(select(UserSession.id).where(UserSession.user_id == user.id))
            )
            tokens = list(
                await session.scalars(
                    select(OneTimeToken.purpose).where(OneTimeToken.user_id == user.id)
                )
            )
            windows = list(
                await session.scalars(
                    select(ThrottleHit.hits).where(ThrottleHit.key == f"test:{user.id}")
                )
            )
        assert sessions == {live.id}
        assert tokens == ["verify_email"]
        assert windows == [1]
    finally:
        async with database.transaction() as session:
            await session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": user.id})
            await session.execute(
                text("DELETE FROM throttle_hit WHERE key = :k"), {"k": f"test:{user.id}"}
            )
            await session.execute(
                text("DELETE FROM procrastinate_jobs WHERE task_name = 'auth.housekeeping'")
            )
