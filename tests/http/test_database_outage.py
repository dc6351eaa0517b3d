"""With the database down the API answers 503 problems, and both the web app and the worker
recover by themselves when it returns."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import text

from hireflow import migrate
from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database, create_engine, ensure_database
from hireflow.worker import enqueue, run_worker
from tests.worker.tasks_for_tests import SIDE_EFFECT_TABLE, record_effect

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from hireflow.kit.embedded_postgres import EmbeddedPostgres


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    """A server of this test's own, so stopping it disturbs no other test."""
    server = EmbeddedPostgres(tmp_path / "pg", durable=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_outage_gives_503_then_everything_recovers(
    own_server: EmbeddedPostgres, test_settings: Settings
) -> None:
    ensure_database(own_server.url("postgres"), "hireflow")
    url = own_server.url("hireflow")
    migrate.upgrade(url)
    settings = test_settings.model_copy(
        update={"worker_import_paths": ["tests.worker.tasks_for_tests"]}
    )
    app = create_app(url, settings)
    worker = asyncio.create_task(run_worker(url, settings, name="outage"))
    org_url = "/api/v1/public/organizations/acme"
    try:
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get(org_url)).status_code == 404  # reachable, no such org

                own_server.stop()
                response = await client.get(org_url)
                assert response.status_code == 503
                assert response.headers["content-type"] == "application/problem+json"
                assert response.headers["retry-after"] == "5"
                assert response.json()["code"] == "database-unavailable"
                assert (await client.get("/readyz")).status_code == 503
                assert (await client.get("/healthz")).status_code == 200
                metrics = (await client.get("/metrics")).text
                assert "hireflow_jobs_scrape_error 1.0" in metrics

                own_server.start()
                assert (await client.get(org_url)).status_code == 404
                assert (await client.get("/readyz")).status_code == 200

        # The worker, started before the outage, picks up a job enqueued after it.
        database = Database(create_engine(url, settings))
        key = uuid.uuid4().hex
        async with database.transaction() as session:
            await session.execute(text(SIDE_EFFECT_TABLE))
            await enqueue(session, record_effect, key=key)
        for _ in range(300):
            async with database.transaction() as session:
                status = await session.scalar(
                    text("SELECT status::text FROM procrastinate_jobs WHERE args->>'key' = :key"),
                    {"key": key},
                )
            if status == "succeeded":
                break
            await asyncio.sleep(0.1)
        assert status == "succeeded"
        assert not worker.done()
        await database.dispose()
    finally:
        worker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await worker
