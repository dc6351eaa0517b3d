"""Live pushes across processes: `publish` in the caller's transaction, a `Hub` per web process
that receives them and hands them to its in-process subscribers (the WebSocket handlers).

PostgreSQL LISTEN/NOTIFY by default; Redis pub/sub when `HIREFLOW_REDIS_URL` is set
(docs/notifications-in-app.md). Nothing that must survive lives here: a push that finds no
subscriber is dropped, the rows it is about are in the database."""

from hireflow.realtime.broker import (
    MAX_PAYLOAD_BYTES,
    Broker,
    PayloadTooLarge,
    PostgresBroker,
    RedisBroker,
    broker_for,
    current,
    install,
    publish,
    user_channel,
)
from hireflow.realtime.hub import Hub

__all__ = [
    "MAX_PAYLOAD_BYTES",
    "Broker",
    "Hub",
    "PayloadTooLarge",
    "PostgresBroker",
    "RedisBroker",
    "broker_for",
    "current",
    "install",
    "publish",
    "user_channel",
]
