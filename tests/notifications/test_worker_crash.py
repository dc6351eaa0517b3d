"""The issue's done-when: a worker killed (SIGKILL) while the SMTP server holds the email does
not lose it nor make a second distinct email. A second worker re-runs the stalled job; every
copy the server received carries the one Message-ID stored in the outbox, the row ends `sent`
and the delivery log shows the attempt.

Both workers start together (a worker takes seconds to import the app) and the one whose SMTP
connection the server holds is killed; the other is the "second worker" that recovers the job."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import psutil
from sqlalchemy import select

from hireflow.config import PROJECT_ROOT
from hireflow.db import Database
from hireflow.models import OutboxAttempt, OutboxMessage
from hireflow.notifications.service import send_email
from tests.fakes.smtp_server import SmtpServer


def _worker(database_url: str, server: SmtpServer, log_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "HIREFLOW_DATABASE_URL": database_url,
        "HIREFLOW_SMTP_HOST": server.host,
        "HIREFLOW_SMTP_PORT": str(server.port),
        "HIREFLOW_SMTP_SECURITY": "none",
        # Longer than the hold: the first worker must die waiting, not give up.
        "HIREFLOW_SMTP_TIMEOUT_SECONDS": "30",
        "HIREFLOW_WORKER_HEARTBEAT_SECONDS": "0.5",
        "HIREFLOW_WORKER_STALLED_AFTER_SECONDS": "2",
        "HIREFLOW_WORKER_RECOVERY_INTERVAL_SECONDS": "1",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "hireflow", "worker", "--concurrency", "2"],
            env=env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


async def _wait_for(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _holder(workers: list[subprocess.Popen[bytes]], server: SmtpServer) -> int:
    """The index of the worker with an open connection to the SMTP server."""
    for index, worker in enumerate(workers):
        for connection in psutil.Process(worker.pid).net_connections(kind="tcp"):
            if connection.raddr and connection.raddr.port == server.port:
                return index
    raise AssertionError("no worker is connected to the SMTP server")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def test_a_worker_killed_mid_send_loses_nothing_and_sends_one_message_id(
    committed_db: Database, database_url: str, tmp_path: Path, new_address: Callable[[], str]
) -> None:
    to = new_address()
    log_path = tmp_path / "workers.log"
    with SmtpServer(hold_first=True) as server:
        async with committed_db.transaction() as session:
            stored = await send_email(
                session, to=to, subject="Interview", text="Monday at 10.", kind="welcome"
            )

        workers = [_worker(database_url, server, log_path) for _ in range(2)]
        try:
            held = await asyncio.to_thread(server.holding.wait, 45)
            assert held, "no worker handed the message over"
            holder = _holder(workers, server)
            first, second = workers[holder], workers[1 - holder]
            first.send_signal(signal.SIGKILL)  # dies while the server holds the message
            first.wait(10)
            server.release.set()

            async def row() -> OutboxMessage:
                async with committed_db.transaction() as session:
                    message = await session.get(OutboxMessage, stored.id)
                    assert message is not None
                    await session.refresh(message)
                    return message

            # The killed worker's transaction rolled back: the message is still to send.
            assert (await row()).status == "queued"

            async def sent() -> bool:
                return (await row()).status == "sent"

            await _wait_for(sent, 30, "the second worker to deliver the message")
            assert second.poll() is None  # the survivor did it
        finally:
            for worker in workers:
                _stop(worker)  # the killed one is already gone

        copies = [r for r in server.received if to in r.recipients]
        assert copies, log_path.read_text(errors="replace")[-3000:]
        assert {copy.message["Message-ID"] for copy in copies} == {stored.message_id}

    message = await row()
    assert message.status == "sent"
    assert message.sent_at is not None
    async with committed_db.transaction() as session:
        attempts = list(
            (
                await session.scalars(
                    select(OutboxAttempt).where(OutboxAttempt.message_id == stored.id)
                )
            ).all()
        )
    assert [(a.attempt, a.outcome) for a in attempts] == [(message.attempts, "sent")]
