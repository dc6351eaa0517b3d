"""Stage templates: validation, one default per organization, new jobs copy the default,
existing jobs keep their stages."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import StageTemplate
from tests.applications.conftest import World
from tests.factories.jobs import make_job
from tests.factories.users import make_member, sign_in

STAGES = [
    {"key": "new", "name": "New", "kind": "active"},
    {"key": "call", "name": "Phone call", "kind": "active"},
    {"key": "hired", "name": "Hired", "kind": "hired"},
    {"key": "no", "name": "Not now", "kind": "rejected"},
]


async def _count(db: Database, world: World) -> int:
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(StageTemplate)
            .where(StageTemplate.organization_id == world.org.id)
        )
        return int(count or 0)


async def test_create_a_default_template_and_new_jobs_get_its_stages(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    created = await client.post(
        world.url("/stage-templates"), json={"name": "Lean", "is_default": True, "stages": STAGES}
    )
    assert created.status_code == 201, created.text
    assert created.json()["stages"] == STAGES
    async with db.transaction() as session:
        job = await make_job(session, world.org, title="New job")
    stages = (await client.get(world.url(f"/jobs/{job.id}/stages"))).json()
    assert [s["key"] for s in stages] == ["new", "call", "hired", "no"]
    # The existing job keeps the built-in stages.
    old = (await client.get(world.url(f"/jobs/{world.job.id}/stages"))).json()
    assert old[1]["key"] == "screen"
    listed = (await client.get(world.url("/stage-templates"))).json()
    assert [t["name"] for t in listed["items"]] == ["Lean"]
    assert listed["built_in"][0]["key"] == "applied"


async def test_only_one_default(client: httpx.AsyncClient, db: Database, world: World) -> None:
    await sign_in(client, world.owner.email)
    first = await client.post(
        world.url("/stage-templates"), json={"name": "A", "is_default": True, "stages": STAGES}
    )
    second = await client.post(
        world.url("/stage-templates"), json={"name": "B", "is_default": True, "stages": STAGES}
    )
    assert second.status_code == 201
    one = (await client.get(world.url(f"/stage-templates/{first.json()['id']}"))).json()
    assert one["is_default"] is False
    put = await client.put(
        world.url(f"/stage-templates/{first.json()['id']}"),
        json={"name": "A2", "is_default": True, "stages": STAGES[:1] + STAGES[2:]},
    )
    assert put.status_code == 200
    assert put.json()["name"] == "A2"
    listed = (await client.get(world.url("/stage-templates"))).json()["items"]
    assert [(t["name"], t["is_default"]) for t in listed] == [("A2", True), ("B", False)]
    deleted = await client.delete(world.url(f"/stage-templates/{first.json()['id']}"))
    assert deleted.status_code == 204
    async with db.transaction() as session:
        job = await make_job(session, world.org, title="Fallback")
    stages = (await client.get(world.url(f"/jobs/{job.id}/stages"))).json()
    assert stages[0]["key"] == "applied"


def _with(**changes: Any) -> dict[str, Any]:
    return {"name": "Bad", "stages": STAGES, **changes}


async def test_invalid_templates_are_422_and_change_nothing(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    await sign_in(client, world.owner.email)
    hired = {"key": "hired", "name": "Hired", "kind": "hired"}
    rejected = {"key": "no", "name": "No", "kind": "rejected"}
    cases = [
        _with(stages=[hired, rejected]),  # the first stage is not active
        _with(stages=[STAGES[0]]),  # too few
        _with(stages=[{"key": f"s{i}", "name": f"S{i}"} for i in range(19)] + [hired, rejected]),
        _with(stages=[STAGES[0], {**STAGES[1], "key": "new"}, hired, rejected]),  # same key
        _with(stages=[STAGES[0], {**STAGES[1], "name": "new"}, hired, rejected]),  # same name
        _with(stages=[STAGES[0], hired, {**hired, "key": "h2", "name": "H2"}, rejected]),
        _with(stages=[STAGES[0], STAGES[1], hired]),  # no rejected stage
        _with(stages=[{**STAGES[0], "key": "New"}, *STAGES[1:]]),  # key pattern
        _with(stages=[{**STAGES[0], "key": "a" * 41}, *STAGES[1:]]),
        _with(stages=[{**STAGES[0], "name": "x" * 81}, *STAGES[1:]]),
        _with(stages=[{**STAGES[0], "kind": "waiting"}, *STAGES[1:]]),
        _with(name=""),
        _with(organization_id=str(uuid.uuid4())),
    ]
    for body in cases:
        response = await client.post(world.url("/stage-templates"), json=body)
        assert response.status_code == 422, (body, response.text)
    assert await _count(db, world) == 0
    await client.post(world.url("/stage-templates"), json={"name": "Taken", "stages": STAGES})
    duplicate = await client.post(
        world.url("/stage-templates"), json={"name": "taken", "stages": STAGES}
    )
    assert duplicate.status_code == 409
    assert await _count(db, world) == 1


async def test_templates_need_jobs_write(
    client: httpx.AsyncClient, db: Database, world: World
) -> None:
    async with db.transaction() as session:
        viewer, _ = await make_member(session, world.org, role="viewer")
    await sign_in(client, viewer.email)
    assert (await client.get(world.url("/stage-templates"))).status_code == 200
    refused = await client.post(world.url("/stage-templates"), json={"name": "V", "stages": STAGES})
    assert refused.status_code == 403
    assert await _count(db, world) == 0
