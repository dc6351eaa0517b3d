"""Migrations are the schema: they match the models, and they reverse cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from psycopg import sql
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from hireflow import migrate
from hireflow.config import Settings
from hireflow.db import sqlalchemy_url, url_with_database
from hireflow.models import Base


@pytest.fixture
def scratch_database(test_settings: Settings) -> Iterator[str]:
    server = test_settings.test_database_url
    assert server
    name = f"hireflow_scratch_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield url_with_database(server, name)
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def test_models_and_migrations_agree(database_url: str) -> None:
    engine = create_engine(sqlalchemy_url(database_url), poolclass=NullPool)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": lambda obj, name, *_: (
                    not (name or "").startswith("procrastinate_")
                ),
                "compare_type": True,
            },
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(scratch_database: str) -> None:
    migrate.upgrade(scratch_database)
    assert {"organization", "user", "procrastinate_jobs"} <= _tables(scratch_database)
    migrate.downgrade(scratch_database, "base")
    assert _tables(scratch_database) == {"alembic_version"}
    migrate.upgrade(scratch_database)
    assert {"organization", "user", "procrastinate_jobs"} <= _tables(scratch_database)
