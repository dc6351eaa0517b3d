"""Service rules that need no HTTP: stage-entry hooks run once per entry in the move's
transaction, and a hook's refusal rolls the move back; concurrent moves serialize."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from hireflow.applications import service
from hireflow.applications.hooks import StageEntry, on_stage_entered, remove_stage_hook
from hireflow.audit.service import SYSTEM
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import ALL
from hireflow.db import Database
from hireflow.errors import Conflict
from hireflow.models import Application, ApplicationEvent, Organization, User
from tests.applications.conftest import World
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import job_stage, make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member


def _ctx(world: World) -> Ctx:
    return Ctx(world.owner, world.org, None, None, ALL)


async def test_a_hook_runs_once_per_entry_in_the_same_transaction(
    db: Database, world: World
) -> None:
    seen: list[tuple[str, int]] = []

    async def hook(session: AsyncSession, entry: StageEntry) -> None:
        # The move's event is already flushed in this transaction.
        events = await session.scalars(
            ApplicationEvent.__table__.select().where(
                ApplicationEvent.application_id == entry.application.id
            )
        )
        seen.append((entry.stage.key, len(list(events))))

    on_stage_entered(hook)
    on_stage_entered(hook)  # registering twice has no effect
    try:
        application_id = world.applications[0].id
        async with db.transaction() as session:
            for key in ("screen", "interview"):
                await service.move(
                    session,
                    _ctx(world),
                    application_id,
                    stage_id=world.stages[key].id,
                    expected_stage_id=None,
                    reason=None,
                    origin=SYSTEM,
                )
            await service.reject(session, _ctx(world), application_id, reason="No", origin=SYSTEM)
    finally:
        remove_stage_hook(hook)
    assert seen == [("screen", 2), ("interview", 3), ("rejected", 4)]


async def test_a_hook_refusing_rolls_the_move_back(db: Database, world: World) -> None:
    async def hook(session: AsyncSession, entry: StageEntry) -> None:
        if entry.stage.key == "offer":
            raise Conflict("No offers this quarter.")

    on_stage_entered(hook)
    try:
        application_id = world.applications[0].id
        with pytest.raises(Conflict):
            async with db.transaction() as session:
                await service.move(
                    session,
                    _ctx(world),
                    application_id,
                    stage_id=world.stages["offer"].id,
                    expected_stage_id=None,
                    reason=None,
                    origin=SYSTEM,
                )
    finally:
        remove_stage_hook(hook)
    async with db.transaction() as session:
        application = await session.get_one(Application, application_id, populate_existing=True)
        assert application.stage_id == world.stages["applied"].id


async def test_two_moves_expecting_the_same_stage_one_wins(db: Database, world: World) -> None:
    """Sequential within the test's connection (the row lock makes real concurrent moves run
    one after the other, which ends the same way): the second sees the first's stage."""
    application_id = world.applications[0].id
    expected = world.stages["applied"].id
    async with db.transaction() as session:
        await service.move(
            session,
            _ctx(world),
            application_id,
            stage_id=world.stages["screen"].id,
            expected_stage_id=expected,
            reason=None,
            origin=SYSTEM,
        )
    with pytest.raises(Conflict) as refused:
        async with db.transaction() as session:
            await service.move(
                session,
                _ctx(world),
                application_id,
                stage_id=world.stages["interview"].id,
                expected_stage_id=expected,
                reason=None,
                origin=SYSTEM,
            )
    assert refused.value.extra["current_stage_id"] == str(world.stages["screen"].id)


async def test_concurrent_moves_serialize_on_the_row_lock(engine: AsyncEngine) -> None:
    """Two transactions on two connections, really committed: both expect the first stage,
    exactly one moves the application and the other gets a 409 naming where it went."""
    database = Database(engine)
    async with database.transaction() as session:
        org = await make_organization(session, name="Concurrent")
        owner, _ = await make_member(session, org, role="owner")
        job = await make_job(session, org)
        application = await make_application(session, job, await make_candidate(session, org))
        applied = await job_stage(session, job, "applied")
        targets = [await job_stage(session, job, k) for k in ("screen", "interview")]
    ctx = Ctx(owner, org, None, None, ALL)

    async def attempt(stage_id: uuid.UUID) -> str:
        try:
            async with database.transaction() as session:
                await service.move(
                    session,
                    ctx,
                    application.id,
                    stage_id=stage_id,
                    expected_stage_id=applied.id,
                    reason=None,
                    origin=SYSTEM,
                )
                await asyncio.sleep(0.05)  # hold the lock while the other one waits
            return "moved"
        except Conflict:
            return "409"

    try:
        outcomes = await asyncio.gather(*(attempt(t.id) for t in targets))
        assert sorted(outcomes) == ["409", "moved"]
        async with database.transaction() as session:
            stored = await session.get_one(Application, application.id)
            winner = targets[outcomes.index("moved")]
            assert stored.stage_id == winner.id
            events = await session.scalars(
                select(ApplicationEvent.type).where(
                    ApplicationEvent.application_id == application.id
                )
            )
            assert sorted(events) == ["applied", "moved"]
    finally:
        async with database.transaction() as session:
            await session.execute(delete(Application).where(Application.job_id == job.id))
            await session.execute(delete(Organization).where(Organization.id == org.id))
            await session.execute(delete(User).where(User.id == owner.id))
