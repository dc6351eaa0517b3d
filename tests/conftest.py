"""Test fixtures: a real PostgreSQL database per xdist worker, migrated with Alembic, and one
transaction per test, rolled back at its end.

The PostgreSQL server is `HIREFLOW_TEST_DATABASE_URL` when set, else an embedded server in
`.hireflow/test` that the controlling pytest process starts and stops (its workers attach)."""

from __future__ import annotations

import io
import logging
import os
import warnings
from collections.abc import AsyncIterator, Iterator

import httpx
import psutil
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow import migrate
from hireflow.app import create_app
from hireflow.config import PROJECT_ROOT, Settings
from hireflow.db import Database, create_engine, url_with_database
from hireflow.log import configure_logging, log_handler

TEST_DB_PREFIX = "hireflow_test_"
_embedded = None


def pytest_configure(config: pytest.Config) -> None:
    global _embedded
    configure_logging("INFO", "json")
    if hasattr(config, "workerinput"):  # an xdist worker: the controller set everything up
        return
    if Settings().test_database_url:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from hireflow.kit.embedded_postgres import EmbeddedPostgres
    _embedded = EmbeddedPostgres(PROJECT_ROOT / ".hireflow" / "test", durable=False)
    _embedded.start()
    # Inherited by the xdist workers, which start after this hook.
    os.environ["HIREFLOW_TEST_DATABASE_URL"] = _embedded.url("postgres")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _embedded is None:
        return
    # Another pytest run may have attached to this server: leave it running for that run (the
    # next run adopts it) rather than pulling the database from under its tests.
    with psycopg.connect(_embedded.url("postgres"), autocommit=True) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s", [TEST_DB_PREFIX + "%"]
            )
        ]
    others = [
        n
        for n in names
        if n.removeprefix(TEST_DB_PREFIX).isdigit()
        and psutil.pid_exists(int(n.removeprefix(TEST_DB_PREFIX)))
    ]
    if not others:
        _embedded.stop()


def _drop_abandoned_databases(conn: psycopg.Connection) -> None:
    """Databases of test runs that died (their pid is gone) would pile up otherwise."""
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", [TEST_DB_PREFIX + "%"]
    ).fetchall()
    for (name,) in rows:
        pid = name.removeprefix(TEST_DB_PREFIX)
        if pid.isdigit() and not psutil.pid_exists(int(pid)):
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def test_settings() -> Settings:
    return Settings(
        environment="test",
        database_url=None,
        data_dir=PROJECT_ROOT / ".hireflow" / "test",
        log_format="json",
        log_level="INFO",
    )


@pytest.fixture(scope="session")
def database_url(test_settings: Settings) -> Iterator[str]:
    """A freshly migrated database for this xdist worker (libpq URL)."""
    server_url = test_settings.test_database_url
    assert server_url, "HIREFLOW_TEST_DATABASE_URL is set by pytest_configure"
    name = f"{TEST_DB_PREFIX}{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        _drop_abandoned_databases(conn)
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = url_with_database(server_url, name)
    migrate.upgrade(url)
    yield url
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
async def engine(database_url: str, test_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, test_settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def app(database_url: str, test_settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(database_url, test_settings)
    async with LifespanManager(application):
        yield application


@pytest.fixture
async def db(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[Database]:
    """The app's database for one test: everything the test and the app do is rolled back."""
    original = app.state.database
    async with engine.connect() as conn:
        outer = await conn.begin()
        database = Database(engine, bind=conn)
        app.state.database = database
        try:
            yield database
        finally:
            app.state.database = original
            await outer.rollback()


@pytest.fixture
async def client(app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """Every log line written while the test runs, as JSON lines."""
    stream = io.StringIO()
    handler = log_handler(stream, "json")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
