"""Brokers and hubs: a push is delivered only if its transaction commits (PostgreSQL NOTIFY and
Redis after-commit alike), reaches every hub (fan-out between processes: two hubs here, each
with its own listener connection), and only the subscribers of its channel."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.db import Database
from hireflow.realtime import Hub, PayloadTooLarge, PostgresBroker, RedisBroker
from hireflow.realtime.broker import MAX_PAYLOAD_BYTES, encode

REDIS_URL = "redis://127.0.0.1:6379/0"
WAIT = 10.0


class RolledBack(Exception):
    pass


async def started(broker: PostgresBroker | RedisBroker) -> Hub:
    hub = Hub(broker)
    await hub.start()
    await asyncio.wait_for(hub.ready.wait(), WAIT)
    return hub


async def publish_then_roll_back(
    database: Database, broker: PostgresBroker | RedisBroker, channel: str, payload: dict[str, Any]
) -> None:
    # The transaction fails after publishing, so it rolls back.
    with contextlib.suppress(RolledBack):
        async with database.transaction() as session:
            await broker.publish(session, channel, payload)
            raise RolledBack


async def publish_and_commit(
    database: Database, broker: PostgresBroker | RedisBroker, channel: str, payload: dict[str, Any]
) -> None:
    async with database.transaction() as session:
        await broker.publish(session, channel, payload)


@pytest.fixture
async def pg_hubs(database_url: str) -> AsyncIterator[tuple[Hub, Hub]]:
    first = await started(PostgresBroker(database_url))
    second = await started(PostgresBroker(database_url))
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()


async def test_postgres_delivers_only_what_commits_to_every_hub(
    engine: AsyncEngine, pg_hubs: tuple[Hub, Hub]
) -> None:
    database = Database(engine)  # really commits
    broker = PostgresBroker()  # publishing needs no connection of its own
    channel = f"user:{uuid.uuid4()}"
    first, second = pg_hubs
    with first.subscribe(channel) as a, second.subscribe(channel) as b:
        await publish_then_roll_back(database, broker, channel, {"n": "rolled back"})
        await publish_and_commit(database, broker, channel, {"n": "committed"})
        # NOTIFYs arrive in commit order: the first one seen is the committed one.
        assert await asyncio.wait_for(a.get(), WAIT) == {"n": "committed"}
        assert await asyncio.wait_for(b.get(), WAIT) == {"n": "committed"}
        assert a.empty()
        assert b.empty()


async def test_a_hub_hands_a_push_to_its_channels_subscribers_only(
    engine: AsyncEngine, pg_hubs: tuple[Hub, Hub]
) -> None:
    database = Database(engine)
    broker = PostgresBroker()
    mine, theirs = f"user:{uuid.uuid4()}", f"user:{uuid.uuid4()}"
    hub, _ = pg_hubs
    with hub.subscribe(mine) as my_queue, hub.subscribe(theirs) as their_queue:
        await publish_and_commit(database, broker, theirs, {"for": "them"})
        await publish_and_commit(database, broker, mine, {"for": "me"})
        assert await asyncio.wait_for(my_queue.get(), WAIT) == {"for": "me"}
        assert await asyncio.wait_for(their_queue.get(), WAIT) == {"for": "them"}
        assert my_queue.empty()
    assert hub.subscriber_count(mine) == 0


def test_a_payload_over_the_notify_limit_is_refused() -> None:
    assert len(encode("user:x", {"title": "é" * 1000}).encode()) < MAX_PAYLOAD_BYTES
    with pytest.raises(PayloadTooLarge):
        encode("user:x", {"body": "x" * MAX_PAYLOAD_BYTES})


async def _redis_reachable() -> str | None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return f"Redis at {REDIS_URL} is unreachable ({exc}); start redis-server to run this test"
    finally:
        await client.aclose()
    return None


async def test_redis_fans_out_between_two_hubs_after_commit_only(engine: AsyncEngine) -> None:
    unreachable = await _redis_reachable()
    if unreachable:
        pytest.skip(unreachable)
    database = Database(engine)
    publisher = RedisBroker(REDIS_URL)
    first = await started(RedisBroker(REDIS_URL))
    second = await started(RedisBroker(REDIS_URL))
    channel = f"user:{uuid.uuid4()}"
    try:
        with first.subscribe(channel) as a, second.subscribe(channel) as b:
            await publish_then_roll_back(database, publisher, channel, {"n": "rolled back"})
            await publish_and_commit(database, publisher, channel, {"n": "committed"})
            assert await asyncio.wait_for(a.get(), WAIT) == {"n": "committed"}
            assert await asyncio.wait_for(b.get(), WAIT) == {"n": "committed"}
            assert a.empty()
            assert b.empty()
    finally:
        await first.stop()
        await second.stop()
        await publisher.close()
