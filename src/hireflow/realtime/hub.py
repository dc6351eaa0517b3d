"""The hub of one web process: runs its broker's listener and hands each push to the
in-process subscribers of its channel (one queue per WebSocket)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import structlog

from hireflow.realtime.broker import Broker

log = structlog.get_logger(__name__)

# A subscriber that falls this far behind (a stalled socket) loses pushes rather than memory.
QUEUE_SIZE = 100


class Hub:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        # Set while the listener is connected; cleared when it is reconnecting.
        self.ready = asyncio.Event()
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen(), name="realtime-hub")

    async def _listen(self) -> None:
        try:
            await self.broker.listen(self._dispatch, self.ready.set)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("realtime listener failed")
            raise
        finally:
            self.ready.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        await self.broker.close()

    @contextlib.contextmanager
    def subscribe(self, channel: str) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        """A queue receiving every push to `channel` while the block runs."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            queues = self._subscribers.get(channel)
            if queues is not None:
                queues.discard(queue)
                if not queues:
                    del self._subscribers[channel]

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    def _dispatch(self, channel: str, payload: dict[str, Any]) -> None:
        for queue in list(self._subscribers.get(channel, ())):
            try:
                queue.put_nowait(payload)
            except asyncio.QueueFull:
                log.warning("realtime push dropped", reason="subscriber behind")
