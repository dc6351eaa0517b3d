"""The task queue: jobs written in the caller's transaction, retries with backoff ending in a
visible failed state, and recovery of jobs whose worker was killed."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from hireflow.app import create_app
from hireflow.config import PROJECT_ROOT, Settings
from hireflow.db import Database, DbSession
from hireflow.errors import Conflict
from hireflow.worker import enqueue, run_worker
from tests.worker.tasks_for_tests import always_fails, record_effect


async def _jobs_for(database: Database, key: str) -> list[dict[str, object]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT id, status::text AS status, attempts, scheduled_at "
                "FROM procrastinate_jobs WHERE args->>'key' = :key ORDER BY id"
            ),
            {"key": key},
        )
        return [dict(row._mapping) for row in rows]


async def test_a_job_enqueued_in_a_rolled_back_transaction_does_not_exist(
    committed_db: Database,
) -> None:
    key = uuid.uuid4().hex

    async def enqueue_then_fail() -> None:
        async with committed_db.transaction() as session:
            await enqueue(session, record_effect, key=key)
            raise RuntimeError("abandon the change")

    with pytest.raises(RuntimeError, match="abandon"):
        await enqueue_then_fail()
    assert await _jobs_for(committed_db, key) == []


async def test_a_job_enqueued_in_a_committed_transaction_exists_once(
    committed_db: Database,
) -> None:
    key = uuid.uuid4().hex
    async with committed_db.transaction() as session:
        job_id = await enqueue(session, record_effect, key=key)
    jobs = await _jobs_for(committed_db, key)
    assert [(job["id"], job["status"]) for job in jobs] == [(job_id, "todo")]


@pytest.fixture
async def enqueueing_client(database_url: str, test_settings: Settings, committed_db: Database):
    """The real app plus one route that enqueues a job and then succeeds or fails."""
    app = create_app(database_url, test_settings)
    router = APIRouter()

    @router.post("/api/v1/_test/enqueue/{key}")
    async def enqueue_then(key: str, fail: bool, session: DbSession) -> dict[str, int]:
        job_id = await enqueue(session, record_effect, key=key)
        if fail:
            raise Conflict("the business change failed after enqueueing")
        return {"job_id": job_id}

    app.include_router(router)
    app.state.database = committed_db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_a_request_that_fails_enqueues_nothing(
    enqueueing_client: httpx.AsyncClient, committed_db: Database
) -> None:
    key = uuid.uuid4().hex
    response = await enqueueing_client.post(f"/api/v1/_test/enqueue/{key}", params={"fail": True})
    assert response.status_code == 409
    assert await _jobs_for(committed_db, key) == []


async def test_a_request_that_succeeds_enqueues_exactly_one_job(
    enqueueing_client: httpx.AsyncClient, committed_db: Database
) -> None:
    key = uuid.uuid4().hex
    response = await enqueueing_client.post(f"/api/v1/_test/enqueue/{key}", params={"fail": False})
    assert response.status_code == 200
    jobs = await _jobs_for(committed_db, key)
    assert [job["id"] for job in jobs] == [response.json()["job_id"]]


async def _run_worker_once(database_url: str, settings: Settings) -> None:
    await asyncio.wait_for(run_worker(database_url, settings, name="test", wait=False), 30)


async def test_a_failing_job_backs_off_exponentially_then_stays_failed(
    committed_db: Database, database_url: str, test_settings: Settings
) -> None:
    key = uuid.uuid4().hex
    async with committed_db.transaction() as session:
        await enqueue(session, always_fails, key=key)

    waits = []
    for attempt in range(1, 6):
        await _run_worker_once(database_url, test_settings)
        [job] = await _jobs_for(committed_db, key)
        assert job["attempts"] == attempt
        if attempt < 5:
            assert job["status"] == "todo"
            async with committed_db.transaction() as session:
                wait = await session.scalar(
                    text(
                        "SELECT extract(epoch FROM scheduled_at - now()) FROM procrastinate_jobs "
                        "WHERE id = :id"
                    ),
                    {"id": job["id"]},
                )
                # Pretend the wait is over, so the next run picks the job up.
                await session.execute(
                    text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id"),
                    {"id": job["id"]},
                )
            waits.append(round(float(wait)))
    assert waits == [2, 4, 8, 16]
    [job] = await _jobs_for(committed_db, key)
    assert job["status"] == "failed"


def _worker_process(database_url: str, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HIREFLOW_DATABASE_URL": database_url,
        "HIREFLOW_WORKER_IMPORT_PATHS": json.dumps(["tests.worker.tasks_for_tests"]),
        "HIREFLOW_WORKER_HEARTBEAT_SECONDS": "0.5",
        "HIREFLOW_WORKER_STALLED_AFTER_SECONDS": "2",
        "HIREFLOW_WORKER_RECOVERY_INTERVAL_SECONDS": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "hireflow", "worker", "--concurrency", "2"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


async def test_a_job_whose_worker_is_killed_runs_again_and_its_effect_happens_once(
    committed_db: Database, database_url: str, tmp_path: Path
) -> None:
    key = uuid.uuid4().hex
    async with committed_db.transaction() as session:
        job_id = await enqueue(session, record_effect, key=key, hang_first_attempt=True)

    async def effect_rows() -> list[list[int]]:
        async with committed_db.transaction() as session:
            rows = await session.execute(
                text("SELECT attempts_seen FROM test_side_effect WHERE key = :key"), {"key": key}
            )
            return [list(row[0]) for row in rows]

    log_path = tmp_path / "workers.log"
    first = _worker_process(database_url, log_path)
    try:
        await _wait_for(lambda: _has(effect_rows), 30, "the first attempt's side effect")
        first.send_signal(signal.SIGKILL)  # dies mid-job: the job stays `doing`
        first.wait(10)
        [job] = await _jobs_for(committed_db, job_id_key := key)
        assert job["status"] == "doing"

        second = _worker_process(database_url, log_path)
        try:

            async def succeeded() -> bool:
                return [j["status"] for j in await _jobs_for(committed_db, job_id_key)] == [
                    "succeeded"
                ]

            await _wait_for(succeeded, 45, "the job to be retried and succeed")
        finally:
            second.terminate()
            second.wait(15)
    finally:
        if first.poll() is None:
            first.kill()
    assert log_path.exists()
    # It ran twice (attempt 0 was killed, attempt 1 finished) and left exactly one effect.
    assert await effect_rows() == [[0, 1]]
    [job] = await _jobs_for(committed_db, key)
    assert job["id"] == job_id


async def _has(rows_fn) -> bool:
    return bool(await rows_fn())
