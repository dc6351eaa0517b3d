"""AI interview scenarios for `make bench`: how long a candidate waits for the first question
(`POST /api/v1/interview/start`, which generates the questions with the offline model) and for
each next one (`POST /api/v1/interview/answers`, which may add a follow-up and, after the last
answer, completes the interview).

Unlike the GET scenarios these are flows, not one URL in a loop, so they are driven here over
one keep-alive HTTP/1.1 connection (`http.client`), one request at a time: the figures are
service times. Each session is configured through the recruiter API with the benchmark member's
session cookie and CSRF token (as a browser would), then the candidate exchanges the link's
token for access (`/access`), consents and starts, and answers every question — alternating a
detailed answer and a short one, so some answers get a follow-up. The first sessions warm up
and are not measured.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import psutil

from bench import load
from bench.servers import HOST

START_NAME = "AI interview: start → first question (offline model)"
ANSWER_NAME = "AI interview: one answer → next question (offline model)"
START_PATH = "/api/v1/interview/start"
ANSWER_PATH = "/api/v1/interview/answers"
WARMUP_SESSIONS = 3
SESSION_COOKIE = "hf_session"
MAX_ANSWERS_PER_SESSION = 60

ROLES = ("Backend Engineer", "Data Engineer", "Product Manager", "Site Reliability Engineer")
JOB_DESCRIPTION = (
    "You will build and run Python services on PostgreSQL and Kafka, deployed with Docker and "
    "Kubernetes on AWS. You review code, write tests and share on-call with the team."
)
DETAILED_ANSWER = (
    "For example, last year our checkout service was too slow. I measured the p99 latency "
    "first, then I profiled the slow queries, added an index and a cache, and I wrote tests "
    "for the change. As a result the latency dropped from 900 ms to 120 ms and conversions "
    "rose by 4%. I learned to measure before I optimise and I shared the runbook with the team."
)
SHORT_ANSWER = "I would look at the logs and fix it."
CODE_ANSWER = (
    "def chunk(items, size):\n"
    "    # consecutive slices of at most `size` items\n"
    "    if size < 1:\n"
    "        raise ValueError('size must be at least 1')\n"
    "    return [items[i : i + size] for i in range(0, len(items), size)]\n\n"
    "assert chunk([1, 2, 3], 2) == [[1, 2], [3]]\n"
)


class FlowError(RuntimeError):
    """A request of the flow did not answer as it must."""


@dataclass(frozen=True)
class Credentials:
    """The benchmark member, signed in like a browser: session cookie and CSRF token."""

    cookie: str
    csrf: str


@dataclass
class Tally:
    start: list[float] = field(default_factory=list)
    answer: list[float] = field(default_factory=list)
    errors: int = 0
    warmup_errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    sessions: int = 0

    def error(self, measuring: bool, what: str) -> None:
        if measuring:
            self.errors += 1
        else:
            self.warmup_errors += 1
        if len(self.error_samples) < load.ERROR_SAMPLES and what not in self.error_samples:
            self.error_samples.append(what)


class Connection:
    """One keep-alive connection to the server; JSON in, (status, JSON) out."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=30)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        sent = {"Accept": "application/json", "User-Agent": "hireflow-bench", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, data, headers=sent)
            response = self.conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # reconnects on the next request
            raise
        document = json.loads(raw) if raw else None
        return response.status, document, response.getheaders()

    def close(self) -> None:
        self.conn.close()


def sign_in(port: int, email: str, password: str) -> Credentials:
    conn = Connection(port)
    try:
        status, body, headers = conn.request(
            "POST", "/api/v1/auth/login", {"email": email, "password": password}
        )
    finally:
        conn.close()
    if status != 200 or not isinstance(body, dict):
        raise FlowError(f"signing in as {email} answered {status}")
    if body.get("mfa_required"):
        raise FlowError(f"{email} needs a second factor: use a member without MFA")
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith(f"{SESSION_COOKIE}="):
            cookie = value.split(";", 1)[0].split("=", 1)[1]
            return Credentials(cookie, str(body["csrf_token"]))
    raise FlowError("signing in set no session cookie")


def _configure(conn: Connection, organization_id: str, credentials: Credentials, n: int) -> str:
    """A new session through the recruiter API; the raw link token."""
    body: dict[str, Any] = {
        "target_role": ROLES[n % len(ROLES)],
        "job_description": JOB_DESCRIPTION,
        "question_count": 5,
        "max_follow_ups": 2,
        "coding_language": "python" if n % 3 == 0 else None,
    }
    status, created, _ = conn.request(
        "POST",
        f"/api/v1/organizations/{organization_id}/interview-sessions",
        body,
        {
            "Cookie": f"{SESSION_COOKIE}={credentials.cookie}",
            "X-CSRF-Token": credentials.csrf,
            "Idempotency-Key": str(uuid.uuid4()),
        },
    )
    if status != 201:
        raise FlowError(f"create answered {status}: {str(created)[:200]}")
    [token] = parse_qs(urlsplit(created["candidate_url"]).query)["token"]
    return str(token)


def _answer_for(question: dict[str, Any], turn: int) -> str:
    if question["kind"] == "coding":
        return CODE_ANSWER
    return DETAILED_ANSWER if turn % 2 == 0 else SHORT_ANSWER


def run_session(
    conn: Connection,
    organization_id: str,
    credentials: Credentials,
    n: int,
    tally: Tally,
    measuring: bool,
) -> None:
    """One whole interview; the start and every answer timed (kept when `measuring`)."""
    clock = time.perf_counter
    token = _configure(conn, organization_id, credentials, n)
    status, granted, _ = conn.request("POST", "/api/v1/interview/access", {"token": token})
    if status != 200:
        raise FlowError(f"access answered {status}")
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    status, _, _ = conn.request(
        "POST", "/api/v1/interview/consent", {"ai_evaluation": True}, bearer
    )
    if status != 200:
        raise FlowError(f"consent answered {status}")

    started = clock()
    status, now, _ = conn.request("POST", START_PATH, None, bearer)
    elapsed = clock() - started
    if status != 200 or now.get("current_question") is None:
        raise FlowError(f"start answered {status} without a question")
    if measuring:
        tally.start.append(elapsed)

    for turn in range(MAX_ANSWERS_PER_SESSION):
        question = now["current_question"]
        if question is None:
            break
        body = {"question_id": question["id"], "answer": _answer_for(question, turn)}
        started = clock()
        status, now, _ = conn.request("POST", ANSWER_PATH, body, bearer)
        elapsed = clock() - started
        if status != 200:
            raise FlowError(f"answer answered {status}: {str(now)[:200]}")
        if measuring:
            tally.answer.append(elapsed)
    if now.get("status") != "COMPLETED":
        raise FlowError(f"the interview ended {now.get('status')}, not COMPLETED")
    tally.sessions += measuring


def _figures(latencies: list[float]) -> dict[str, Any]:
    ordered = sorted(latencies)

    def ms(p: float) -> float | None:
        return round(load.percentile(ordered, p) * 1000, 3) if ordered else None

    return {
        "requests": len(ordered),
        "seconds": round(sum(ordered), 3),
        # One connection, one request at a time: requests per second of pure service time.
        "rps": round(len(ordered) / sum(ordered), 1) if ordered else 0.0,
        "p50_ms": ms(50),
        "p90_ms": ms(90),
        "p99_ms": ms(99),
        "max_ms": round(ordered[-1] * 1000, 3) if ordered else None,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3) if ordered else None,
    }


def measure(
    port: int,
    organization_id: str,
    credentials: Credentials,
    *,
    sessions: int,
    server_pid: int | None,
    database_pid: int | None,
) -> list[dict[str, Any]]:
    """Run `sessions` measured interviews (after a few unmeasured ones); one result per scenario
    in `bench.run`'s shape. The two scenarios share one window, so their CPU figures are the
    same."""
    server = psutil.Process(server_pid) if server_pid is not None else None
    database = psutil.Process(database_pid) if database_pid is not None else None
    tally = Tally()
    conn = Connection(port)
    before = load.cpu_snapshot(server, database)
    try:
        for n in range(WARMUP_SESSIONS + sessions):
            measuring = n >= WARMUP_SESSIONS
            if n == WARMUP_SESSIONS:
                before = load.cpu_snapshot(server, database)
            try:
                run_session(conn, organization_id, credentials, n, tally, measuring)
            except (FlowError, OSError, http.client.HTTPException, ValueError, KeyError) as exc:
                tally.error(measuring, f"{type(exc).__name__}: {exc}")
        after = load.cpu_snapshot(server, database)
    finally:
        conn.close()
    common = {
        "errors": tally.errors,
        "warmup_requests": 0,  # warm-up sessions are not counted
        "warmup_errors": tally.warmup_errors,
        "error_samples": tally.error_samples,
        "sessions": tally.sessions,
        **load.cpu_use(before, after),
    }
    return [
        {"name": START_NAME, "path": START_PATH, **_figures(tally.start), **common},
        {"name": ANSWER_NAME, "path": ANSWER_PATH, **_figures(tally.answer), **common},
    ]
