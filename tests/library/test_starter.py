"""The starter library: valid content, loaded approved and only once, usable in interviews; the
demo loads it into Acme; reference solutions pass the challenges' tests in the sandbox."""

from __future__ import annotations

import importlib.util

import httpx
import pytest
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.demo import load_demo_data
from hireflow.library import service
from hireflow.library.starter import CHALLENGES, QUESTIONS, load_starter, starter_items
from hireflow.models import LibraryItem, Organization
from tests.factories.library import make_item
from tests.library.conftest import Team

SOLUTIONS = {
    "fizzbuzz": (
        "def fizzbuzz(n):\n"
        "    return ['FizzBuzz' if i % 15 == 0 else 'Fizz' if i % 3 == 0 else 'Buzz'"
        " if i % 5 == 0 else str(i) for i in range(1, n + 1)]\n"
    ),
    "is_balanced": (
        "def is_balanced(text):\n"
        "    pairs = {')': '(', ']': '[', '}': '{'}\n"
        "    stack = []\n"
        "    for ch in text:\n"
        "        if ch in '([{':\n"
        "            stack.append(ch)\n"
        "        elif ch in pairs:\n"
        "            if not stack or stack.pop() != pairs[ch]:\n"
        "                return False\n"
        "    return not stack\n"
    ),
    "merge_intervals": (
        "def merge_intervals(intervals):\n"
        "    out = []\n"
        "    for s, e in sorted(intervals):\n"
        "        if out and s <= out[-1][1]:\n"
        "            out[-1][1] = max(out[-1][1], e)\n"
        "        else:\n"
        "            out.append([s, e])\n"
        "    return out\n"
    ),
}


def test_starter_content_is_valid_and_varied() -> None:
    items = starter_items()
    assert len(QUESTIONS) == 12
    assert len(CHALLENGES) == 3
    assert len(items) == 15
    assert {i.category for i in items if i.kind == "question"} >= {
        "Behavioural",
        "Situational",
        "Leadership",
        "Security",
    }
    assert {c["entrypoint"] for c in CHALLENGES} == set(SOLUTIONS)


async def test_load_starter_is_approved_idempotent_and_skips_a_filled_library(
    db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        assert await load_starter(session, team.organization.id) == 15
        assert await load_starter(session, team.organization.id) == 0
        items = list(
            await session.scalars(
                select(LibraryItem).where(LibraryItem.organization_id == team.organization.id)
            )
        )
        assert len(items) == 15
        for n, item in enumerate(items, start=1):
            version = await service.approved_version(session, team.organization.id, item.id)
            assert version is not None
            assert version.source == "starter"
            question = service.to_question(version, f"q{n}")
            assert (question.kind == "coding") == (item.kind == "challenge")
        other = Organization(name="Filled", slug="filled-library")
        session.add(other)
        await session.flush()
        await make_item(session, other)
        assert await load_starter(session, other.id) == 0


async def test_demo_loads_the_starter_library_into_acme_once(db: Database) -> None:
    async with db.transaction() as session:
        await load_demo_data(session, "demo-password-123")
        await load_demo_data(session, "demo-password-123")
        acme = await session.scalar(select(Organization).where(Organization.slug == "acme"))
        assert acme is not None
        count = await session.scalar(
            select(func.count())
            .select_from(LibraryItem)
            .where(
                LibraryItem.organization_id == acme.id, LibraryItem.approved_version_id.is_not(None)
            )
        )
    assert count == 15


@pytest.mark.skipif(
    importlib.util.find_spec("hireflow.sandbox") is None, reason="hireflow.sandbox not built yet"
)
async def test_reference_solutions_pass_through_the_run_route(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    from hireflow import sandbox  # type: ignore[attr-defined,unused-ignore]

    if not sandbox.availability("python")[0]:
        pytest.skip("the sandbox cannot run Python here")
    async with db.transaction() as session:
        await load_starter(session, team.organization.id)
        challenges = list(
            await session.scalars(select(LibraryItem).where(LibraryItem.kind == "challenge"))
        )
        entrypoints = {}
        for item in challenges:
            version = await service.approved_version(session, team.organization.id, item.id)
            assert version is not None
            entrypoints[item.id] = version.content["entrypoint"]
    for item_id, entrypoint in entrypoints.items():
        response = await client.post(
            f"{team.api}/items/{item_id}/versions/1/runs",
            json={"language": "python", "code": SOLUTIONS[entrypoint]},
        )
        assert response.status_code == 201, response.text
        run = response.json()
        assert run["passed"] == run["total"], run
