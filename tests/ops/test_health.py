from __future__ import annotations

import httpx
from sqlalchemy import text

from hireflow.db import Database
from hireflow.migrate import head_revision


async def test_healthz_answers_without_the_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_reports_migrations_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["migrations"] == {"current": head_revision(), "head": head_revision()}


async def test_readyz_is_503_when_migrations_are_behind(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["migrations"] == {"current": "0001", "head": head_revision()}
