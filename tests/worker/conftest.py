from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.db import Database
from tests.worker.tasks_for_tests import SIDE_EFFECT_TABLE


@pytest.fixture
async def committed_db(engine: AsyncEngine) -> AsyncIterator[Database]:
    """A database whose transactions really commit (workers in other connections or processes
    must see the data). Cleans the tables the worker tests write."""
    database = Database(engine)
    async with database.transaction() as session:
        await session.execute(text(SIDE_EFFECT_TABLE))
    yield database
    async with database.transaction() as session:
        await session.execute(text("DELETE FROM test_side_effect"))
        await session.execute(text("DELETE FROM procrastinate_jobs WHERE task_name LIKE 'tests.%'"))
