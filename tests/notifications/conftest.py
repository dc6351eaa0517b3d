from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.worker import run_worker
from tests.fakes.smtp_server import SmtpServer

# Committed test messages go to this domain, so the clean-up finds exactly those.
TEST_DOMAIN = "outbox.test"


@pytest.fixture
def new_address() -> Callable[[], str]:
    return lambda: f"someone-{uuid.uuid4().hex[:10]}@{TEST_DOMAIN}"


@pytest.fixture
async def committed_db(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A database whose transactions really commit (the worker reads through its own
    connections). Deletes the test messages and their delivery jobs afterwards."""
    database = Database(engine)
    yield database
    async with database.transaction() as session:
        await session.execute(
            text(
                "WITH gone AS (DELETE FROM outbox_message WHERE to_address LIKE :pattern "
                "RETURNING id::text AS id) "
                "DELETE FROM procrastinate_jobs WHERE task_name = 'notifications.deliver_email' "
                "AND args->>'message_id' IN (SELECT id FROM gone)"
            ),
            {"pattern": f"%@{TEST_DOMAIN}"},
        )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


WorkerRun = Callable[[Settings], Awaitable[None]]


@pytest.fixture
def run_worker_once(database_url: str) -> WorkerRun:
    """Run a worker in this process with `settings` (handed to its jobs) until no job is due."""

    async def run(settings: Settings) -> None:
        await asyncio.wait_for(run_worker(database_url, settings, name="test", wait=False), 30)

    return run
