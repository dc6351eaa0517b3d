"""Brokers: how a push made in one process reaches the hubs of every web process.

Every push travels on one wire channel (`WIRE_CHANNEL`) as `{"c": channel, "p": payload}`;
each hub keeps what its own subscribers asked for. `publish` is bound to the caller's
transaction: PostgreSQL queues a NOTIFY that the server delivers only on COMMIT; the Redis
broker keeps the message on the session and publishes it after the commit."""

from __future__ import annotations

import asyncio
import json
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

import psycopg
import redis.asyncio as redis
import structlog
from redis.exceptions import RedisError
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from hireflow.config import Settings, get_settings
from hireflow.db import libpq_url

log = structlog.get_logger(__name__)

WIRE_CHANNEL = "hireflow_realtime"
# PostgreSQL refuses a NOTIFY payload of 8,000 bytes or more; keep a margin.
MAX_PAYLOAD_BYTES = 7_900
BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 30.0
# How long the PostgreSQL listener waits for a notification before checking its connection.
IDLE_CHECK_SECONDS = 30.0
_PENDING = "hireflow.realtime.pending"

Deliver = Callable[[str, dict[str, Any]], None]
Ready = Callable[[], None]


class PayloadTooLarge(ValueError):
    """A push over `MAX_PAYLOAD_BYTES`: send ids and let the receiver read the rows."""


def user_channel(user_id: uuid.UUID) -> str:
    """The channel of everything live for one user."""
    return f"user:{user_id}"


def encode(channel: str, payload: dict[str, Any]) -> str:
    message = json.dumps(
        {"c": channel, "p": payload}, ensure_ascii=False, separators=(",", ":"), default=str
    )
    size = len(message.encode())
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadTooLarge(f"a live push is {size} bytes, over {MAX_PAYLOAD_BYTES}")
    return message


def decode(raw: str | bytes, deliver: Deliver) -> None:
    try:
        message = json.loads(raw)
        channel, payload = message["c"], message["p"]
    except (ValueError, TypeError, KeyError):
        log.warning("realtime message ignored", reason="malformed")
        return
    if isinstance(channel, str) and isinstance(payload, dict):
        deliver(channel, payload)


class Broker(ABC):
    name: str

    @abstractmethod
    async def publish(self, session: AsyncSession, channel: str, payload: dict[str, Any]) -> None:
        """Deliver `payload` to `channel`'s subscribers in every process, if and when the
        transaction of `session` commits."""

    @abstractmethod
    async def listen(self, deliver: Deliver, ready: Ready) -> None:
        """Receive every push until cancelled, calling `deliver(channel, payload)`; reconnects
        with backoff, calling `ready()` each time it listens again."""

    async def close(self) -> None:
        return None


async def _backoff(delay: float, backend: str, exc: BaseException) -> float:
    log.warning("realtime listener lost", backend=backend, error=str(exc), retry_in=delay)
    await asyncio.sleep(delay)
    return min(delay * 2, BACKOFF_MAX_SECONDS)


class PostgresBroker(Broker):
    """NOTIFY in the caller's transaction; one dedicated LISTEN connection per process."""

    name = "postgresql"

    def __init__(self, conninfo: str | None = None) -> None:
        # Only listening needs a connection URL.
        self.conninfo = libpq_url(conninfo) if conninfo else None

    async def publish(self, session: AsyncSession, channel: str, payload: dict[str, Any]) -> None:
        await session.execute(
            text("SELECT pg_notify(:wire, :message)"),
            {"wire": WIRE_CHANNEL, "message": encode(channel, payload)},
        )

    async def listen(self, deliver: Deliver, ready: Ready) -> None:
        if self.conninfo is None:
            raise RuntimeError("PostgresBroker needs a connection URL to listen")
        delay = BACKOFF_FIRST_SECONDS
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.conninfo, autocommit=True, connect_timeout=5
                ) as conn:
                    await conn.execute(f"LISTEN {WIRE_CHANNEL}")
                    log.info("realtime listening", backend=self.name)
                    delay = BACKOFF_FIRST_SECONDS
                    ready()
                    while True:
                        async for note in conn.notifies(timeout=IDLE_CHECK_SECONDS):
                            decode(note.payload, deliver)
                        await conn.execute("SELECT 1")  # a dead connection raises here
            except (psycopg.Error, OSError) as exc:
                delay = await _backoff(delay, self.name, exc)


class RedisBroker(Broker):
    """Redis pub/sub: the message waits on the session and is published after COMMIT (a
    rolled-back transaction publishes nothing)."""

    name = "redis"

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: redis.Redis | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url, socket_connect_timeout=5)
        return self._client

    async def publish(self, session: AsyncSession, channel: str, payload: dict[str, Any]) -> None:
        message = encode(channel, payload)
        sync_session = session.sync_session
        if _PENDING not in sync_session.info:
            sync_session.info[_PENDING] = []
            event.listen(sync_session, "after_commit", self._after_commit)
            event.listen(sync_session, "after_rollback", _forget)
        sync_session.info[_PENDING].append(message)

    def _after_commit(self, sync_session: Session) -> None:
        messages: list[str] = sync_session.info.get(_PENDING, [])
        sync_session.info[_PENDING] = []
        if not messages:
            return
        # Runs in the event loop's thread (SQLAlchemy's async bridge), so a task can be made.
        task = asyncio.get_running_loop().create_task(self._send(messages))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, messages: list[str]) -> None:
        try:
            for message in messages:
                await self._redis().publish(WIRE_CHANNEL, message)
        except (RedisError, OSError) as exc:
            log.warning("realtime publish failed", backend=self.name, error=str(exc))

    async def listen(self, deliver: Deliver, ready: Ready) -> None:
        delay = BACKOFF_FIRST_SECONDS
        while True:
            client = redis.Redis.from_url(
                self.url, socket_connect_timeout=5, health_check_interval=IDLE_CHECK_SECONDS
            )
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.subscribe(WIRE_CHANNEL)
                    log.info("realtime listening", backend=self.name)
                    delay = BACKOFF_FIRST_SECONDS
                    ready()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            decode(message["data"], deliver)
            except (RedisError, OSError) as exc:
                delay = await _backoff(delay, self.name, exc)
            finally:
                await client.aclose()

    async def close(self) -> None:
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _forget(sync_session: Session) -> None:
    sync_session.info[_PENDING] = []


def broker_for(settings: Settings, conninfo: str | None = None) -> Broker:
    """Redis when `settings.redis_url` is set, else PostgreSQL (listening through
    `conninfo`, the libpq URL of the application database)."""
    if settings.redis_url:
        return RedisBroker(settings.redis_url)
    return PostgresBroker(conninfo)


_installed: Broker | None = None


def install(broker: Broker | None) -> None:
    """Make `broker` the one `publish` uses in this process (the app's lifespan does)."""
    global _installed
    _installed = broker


def current() -> Broker:
    """The process's broker: the installed one, else one from the settings (a worker process
    publishing with PostgreSQL needs no connection of its own)."""
    global _installed
    if _installed is None:
        _installed = broker_for(get_settings())
    return _installed


async def publish(session: AsyncSession, channel: str, payload: dict[str, Any]) -> None:
    """Push `payload` (small JSON: ids and short texts, ≤ 7,900 bytes encoded) to `channel`'s
    subscribers in every web process, once the transaction of `session` commits."""
    await current().publish(session, channel, payload)
