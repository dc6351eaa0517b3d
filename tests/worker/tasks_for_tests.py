"""Tasks used only by the worker tests; workers import them through
HIREFLOW_WORKER_IMPORT_PATHS (in-process tests import this module directly)."""

from __future__ import annotations

import asyncio

from procrastinate import JobContext
from sqlalchemy import text

from hireflow.worker import job_database, task

SIDE_EFFECT_TABLE = """
CREATE TABLE IF NOT EXISTS test_side_effect (
    key text PRIMARY KEY,
    attempts_seen integer[] NOT NULL DEFAULT '{}'
)"""


class Boom(RuntimeError):
    pass


@task(name="tests.record_effect", pass_context=True)
async def record_effect(context: JobContext, key: str, hang_first_attempt: bool = False) -> None:
    """Idempotent: the effect is keyed, so running the job twice still leaves one row."""
    database = job_database(context)
    async with database.transaction() as session:
        await session.execute(
            text("INSERT INTO test_side_effect (key) VALUES (:key) ON CONFLICT (key) DO NOTHING"),
            {"key": key},
        )
        await session.execute(
            text(
                "UPDATE test_side_effect SET attempts_seen = attempts_seen || :attempt "
                "WHERE key = :key"
            ),
            {"key": key, "attempt": context.job.attempts},
        )
    if hang_first_attempt and context.job.attempts == 0:
        await asyncio.sleep(120)  # the test kills the worker here


@task(name="tests.always_fails")
async def always_fails(key: str) -> None:
    raise Boom(f"failing on purpose ({key})")
