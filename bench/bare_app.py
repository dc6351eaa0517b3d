"""The baseline hireflow is compared with: one FastAPI route that runs the same SQL text as
`GET /api/v1/public/organizations/{slug}` and nothing else — no middleware, no ORM, no session
dependency, no logging, no metrics.

The SQL is not written here: `bench.run` captures the statement the ORM really sends (with
`before_cursor_execute`) and passes it in a JSON file, so the two servers can't drift apart.
Like hireflow it runs one transaction per request (psycopg_pool commits when the connection
goes back to the pool) on a pool of the same size, under the same uvicorn settings.

Run by `bench.run` as `python -m bench.bare_app --port P --query-file F`, with
HIREFLOW_DATABASE_URL set.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from psycopg import AsyncConnection
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

from hireflow.config import Settings

PUBLIC_FIELDS = ("id", "name", "slug", "created_at")  # what OrganizationPublic shows


def create_bare_app(url: str, settings: Settings, query: dict[str, Any]) -> FastAPI:
    sql: str = query["sql"]
    parameters: dict[str, Any] = query["parameters"]
    slug_parameter: str = query["slug_parameter"]
    # The same connection options and pool size as hireflow.db.create_engine.
    kwargs: dict[str, Any] = {"connect_timeout": 5, "row_factory": dict_row}
    if settings.db_statement_timeout_ms:
        kwargs["options"] = f"-c statement_timeout={settings.db_statement_timeout_ms}"
    pool = AsyncConnectionPool[AsyncConnection[DictRow]](
        url,
        connection_class=AsyncConnection[DictRow],
        min_size=settings.db_pool_size,
        max_size=settings.db_pool_size * 2,  # pool_size + max_overflow
        timeout=settings.db_pool_timeout_seconds,
        kwargs=kwargs,
        open=False,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await pool.open(wait=True)
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan, openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/api/v1/public/organizations/{slug}")
    async def read_organization(slug: str) -> dict[str, Any]:
        async with pool.connection() as conn:
            cursor = await conn.execute(sql, {**parameters, slug_parameter: slug})
            row = await cursor.fetchone()
        if row is None:
            raise HTTPException(404)
        return {name: row[name] for name in PUBLIC_FIELDS}

    return app


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--query-file", type=Path, required=True)
    args = parser.parse_args()
    settings = Settings()
    if settings.database_url is None:
        raise SystemExit("bench.bare_app needs HIREFLOW_DATABASE_URL")
    query = json.loads(args.query_file.read_text())
    # hireflow.db.libpq_url, inlined: importing hireflow.db would load SQLAlchemy, and a bigger
    # heap makes every garbage collection of the baseline slower.
    url = settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    app = create_bare_app(url, settings, query)
    # The same uvicorn settings as `hireflow serve`, minus logging: the bare app logs nothing.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_config=None,
        access_log=False,
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
    )


if __name__ == "__main__":
    main()
