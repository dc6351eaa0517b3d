"""Alembic environment: runs migrations on a synchronous psycopg connection."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from hireflow.config import get_settings
from hireflow.db import database_url, sqlalchemy_url
from hireflow.models import Base
from hireflow.models.base import CIText

config = context.config


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # procrastinate owns its tables; its schema is applied by a migration of ours, not diffed.
    return not (name or "").startswith("procrastinate_")


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Our own column types render with an import, so generated migrations run as they are.
    if type_ == "type" and isinstance(obj, CIText):
        autogen_context.imports.add("from hireflow.models.base import CIText")
        return "CIText()"
    return False


@contextlib.contextmanager
def _url() -> Iterator[str]:
    if "url" in config.attributes:
        yield config.attributes["url"]
    else:  # a developer running `alembic …`: the configured or embedded database
        with database_url(get_settings()) as url:
            yield url


def run_migrations_online() -> None:
    with _url() as url:
        engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                include_object=include_object,
                render_item=render_item,
                compare_type=True,
                transaction_per_migration=True,
            )
            with context.begin_transaction():
                context.run_migrations()
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `hireflow migrate`")
run_migrations_online()
