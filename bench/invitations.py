"""Invitation delivery for `make bench`: one bulk request invites N candidates to AI interviews,
then a worker process prepares every invitation (configures the session, issues its link,
renders the email) and delivers it to a real SMTP server on loopback (aiosmtpd, in this
process). The figures are the time the request took to accept the batch and the delivery
throughput: emails received by the SMTP server per second, from the accepted request to the
last one received.

The worker runs as `hireflow worker` does in production (a process of its own, its own pool),
started before the request and left to drain earlier jobs first, so only this batch is timed.
Invitations of earlier runs are deleted first (else every candidate would already be invited).
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import psutil
import psycopg
from tests.fakes.smtp_server import SmtpServer

from bench import load
from bench.interviews import SESSION_COOKIE, Connection, Credentials, FlowError
from bench.servers import stop

NAME = "Invitations: 1 bulk request → emails delivered over SMTP"
DRAIN_TIMEOUT_SECONDS = 120.0
DELIVERY_TIMEOUT_SECONDS = 600.0
POLL_SECONDS = 0.1


def pick_applications(url: str, organization_id: str, count: int) -> list[str]:
    """`count` applications of the organization whose candidate has an email address, after
    removing the invitations of earlier runs."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM interview_invitation WHERE organization_id = %s", (organization_id,)
        )
        rows = conn.execute(
            """SELECT a.id FROM application a JOIN candidate c ON c.id = a.candidate_id
               WHERE a.organization_id = %s AND c.email IS NOT NULL
               ORDER BY a.created_at, a.id LIMIT %s""",
            (organization_id, count),
        ).fetchall()
    if len(rows) < count:
        raise FlowError(f"only {len(rows)} applications with an email address, {count} wanted")
    return [str(row[0]) for row in rows]


def _pending_jobs(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM procrastinate_jobs
               WHERE status = 'doing' OR (status = 'todo' AND scheduled_at IS NULL)
                  OR (status = 'todo' AND scheduled_at <= now())"""
        ).fetchone()
    return int(row[0]) if row else 0


def _wait_drained(url: str) -> None:
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while _pending_jobs(url):
        if time.monotonic() > deadline:
            raise FlowError("the worker did not drain the earlier jobs in time")
        time.sleep(0.5)


def _batch_state(url: str, batch_id: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT i.state, coalesce(m.status, '-'), count(*) FROM interview_invitation i
               LEFT JOIN outbox_message m ON m.id = i.outbox_message_id
               WHERE i.batch_id = %s GROUP BY 1, 2""",
            (batch_id,),
        ).fetchall()
    return {f"{state}/{status}": int(n) for state, status, n in rows}


@contextlib.contextmanager
def worker_process(argv: list[str], env: Mapping[str, str], log_file: Path) -> Iterator[int]:
    """`hireflow worker` in a subprocess; its pid."""
    with log_file.open("ab") as log:
        process = subprocess.Popen(argv, env=dict(env), stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process.pid
        finally:
            stop(process)


def smtp_env(server: SmtpServer) -> dict[str, str]:
    return {
        "HIREFLOW_SMTP_HOST": server.host,
        "HIREFLOW_SMTP_PORT": str(server.port),
        "HIREFLOW_SMTP_SECURITY": "none",
    }


def measure(
    *,
    url: str,
    port: int,
    organization_id: str,
    credentials: Credentials,
    count: int,
    smtp: SmtpServer,
    worker_pid: int,
    database_pid: int | None,
) -> dict[str, Any]:
    """Invite `count` candidates in one request and wait until the SMTP server has them all."""
    application_ids = pick_applications(url, organization_id, count)
    _wait_drained(url)
    received_before = len(smtp.received)
    worker = psutil.Process(worker_pid)
    database = psutil.Process(database_pid) if database_pid is not None else None
    conn = Connection(port)
    before = load.cpu_snapshot(worker, database)
    started = time.perf_counter()
    try:
        status, body, _ = conn.request(
            "POST",
            f"/api/v1/organizations/{organization_id}/interview-invitations",
            {"application_ids": application_ids},
            {
                "Cookie": f"{SESSION_COOKIE}={credentials.cookie}",
                "X-CSRF-Token": credentials.csrf,
                "Idempotency-Key": str(uuid.uuid4()),
            },
        )
    finally:
        conn.close()
    accepted_at = time.perf_counter()
    if status != 202 or not isinstance(body, dict):
        raise FlowError(f"the bulk invite answered {status}: {str(body)[:300]}")
    accepted = int(body["accepted"])
    deadline = accepted_at + DELIVERY_TIMEOUT_SECONDS
    while len(smtp.received) - received_before < accepted:
        if time.perf_counter() > deadline:
            raise FlowError(
                f"{len(smtp.received) - received_before} of {accepted} emails arrived in "
                f"{DELIVERY_TIMEOUT_SECONDS:.0f} s: {_batch_state(url, body['batch_id'])}"
            )
        time.sleep(POLL_SECONDS)
    done = time.perf_counter()
    after = load.cpu_snapshot(worker, database)
    emails = smtp.received[received_before:]
    message_ids = {str(e.message["Message-ID"]) for e in emails}
    seconds = done - started
    return {
        "name": NAME,
        "requested": count,
        "accepted": accepted,
        "skipped": len(body.get("skipped", [])),
        "received": len(emails),
        "distinct_message_ids": len(message_ids),
        "accept_ms": round((accepted_at - started) * 1000, 1),
        "seconds": round(seconds, 2),
        "emails_per_second": round(len(emails) / seconds, 1) if seconds > 0 else None,
        "batch": _batch_state(url, body["batch_id"]),
        **load.cpu_use(before, after),
    }


def render(result: Mapping[str, Any], concurrency: int) -> str:
    lines = [
        f"{result['name']}",
        f"  {result['accepted']} of {result['requested']} invitations accepted in one request "
        f"in {result['accept_ms']:,.0f} ms ({result['skipped']} skipped)",
        f"  {result['received']} emails received ({result['distinct_message_ids']} distinct "
        f"Message-IDs) {result['seconds']:,.1f} s after the request: "
        f"{result['emails_per_second']:,.1f} emails/s",
        f"  one worker process (concurrency {concurrency}): "
        f"{_percent(result['server_cpu_percent'])} of a core; PostgreSQL "
        f"{_percent(result['database_cpu_percent'])}; this process (SMTP server) "
        f"{_percent(result['client_cpu_percent'])}",
    ]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} %"
