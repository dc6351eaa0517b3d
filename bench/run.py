"""`make bench`: throughput and latency of hireflow's representative read endpoint next to a bare
FastAPI endpoint running the same SQL, and the ratio between them (docs/benchmarks.md).

The database is the embedded PostgreSQL in `.hireflow/bench` (or HIREFLOW_DATABASE_URL), up for
the whole run. Each server runs in a subprocess of its own, one at a time so they never compete
for cores, and is driven by the load generator (`bench.load`), a second process on loopback.

To add a scenario, append to SCENARIOS (and to SERVERS if it needs another server); COMPARISONS
says which scenarios are printed as a ratio of which.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import http.client
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import psutil
import psycopg
from tests.fakes.smtp_server import SmtpServer

from bench import coderuns, interviews, invitations, load
from bench.servers import HOST, RunningServer, ServerCommand, check_json, free_port, running
from hireflow import benchdata, migrate
from hireflow.benchdata import BENCH_EMAIL
from hireflow.config import Settings
from hireflow.db import Database, create_engine, database_url

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO / ".hireflow" / "bench"
PYTHON = sys.executable
ORGANIZATION_PATH = "/api/v1/public/organizations/acme"
IDLE_SAMPLE_SECONDS = 1.0
# Other processes using more than this (% of one core) make the figures noisy.
OTHERS_WARNING_PERCENT = 10.0
MAX_ROUNDS = 10
CORES = os.cpu_count() or 1
SESSION_COOKIE = "hf_session"


@dataclass(frozen=True)
class Context:
    """What every server and scenario of a run shares."""

    database_url: str  # libpq URL
    settings: Settings
    query_file: Path  # the captured organization query, for the bare app
    database_pid: int | None  # the embedded PostgreSQL's postmaster, to report its CPU use
    # The benchmark member's session cookie value, per running server's port.
    session: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Server:
    name: str
    command: Callable[[Context, int], ServerCommand]


@dataclass(frozen=True)
class Scenario:
    name: str  # the row label
    server: str  # a key of SERVERS
    path: str
    # Fields the JSON response must hold, checked once before loading: both servers must
    # answer with the same data, or the comparison means nothing.
    expect: Mapping[str, Any] = field(default_factory=dict)
    # More paths requested in turn with `path` (different jobs, different search words).
    extra_paths: tuple[str, ...] = ()
    # Signed in as the benchmark member (`hireflow.benchdata.BENCH_EMAIL`).
    signed_in: bool = False
    html: bool = False
    # Concurrent connections, when not the run's: latency scenarios use one per core, so
    # the figures are service times rather than queueing.
    connections: int | None = None


@dataclass(frozen=True)
class Comparison:
    label: str
    subject: str  # scenario names
    baseline: str


def _child_env(context: Context, **extra: str) -> dict[str, str]:
    # The children are configured through their environment, like any deployment; the rest of
    # ours (PATH, locale …) is passed on unchanged.
    return {**os.environ, "HIREFLOW_DATABASE_URL": context.database_url, **extra}


def hireflow_command(context: Context, port: int) -> ServerCommand:
    return ServerCommand(
        argv=[
            PYTHON,
            "-m",
            "hireflow",
            "serve",
            "--no-worker",
            "--host",
            HOST,
            "--port",
            str(port),
        ],
        # Access logging stays on: one JSON line per request is part of what a request costs.
        env=_child_env(context, HIREFLOW_LOG_LEVEL="INFO", HIREFLOW_LOG_FORMAT="json"),
        log_file=BENCH_DIR / "hireflow.log",
        ready_path="/healthz",
    )


def bare_command(context: Context, port: int) -> ServerCommand:
    return ServerCommand(
        argv=[
            PYTHON,
            "-m",
            "bench.bare_app",
            "--host",
            HOST,
            "--port",
            str(port),
            "--query-file",
            str(context.query_file),
        ],
        env=_child_env(context),
        log_file=BENCH_DIR / "bare.log",
        ready_path=ORGANIZATION_PATH,
    )


SERVERS = {
    "hireflow": Server("hireflow", hireflow_command),
    "bare": Server("bare", bare_command),
}

SCENARIOS = [
    Scenario(f"hireflow GET {ORGANIZATION_PATH}", "hireflow", ORGANIZATION_PATH, {"slug": "acme"}),
    Scenario("bare FastAPI, same SQL", "bare", ORGANIZATION_PATH, {"slug": "acme"}),
]

# The ATS scenarios run on the large generated data set (`hireflow bench-data`) with one
# connection by default: "p99 under 50 ms for a page of 50" is the time to serve a page. The
# server is one process; a second connection queues behind the first on its core
# (`--ats-connections 2` shows that).
# Skills, and resume words from common to rare (the generator's vocabulary is Zipf-weighted by
# position: word 10 is in about a third of the resumes, word 2500 in a handful).
_WORDS = benchdata.vocabulary()
SEARCH_WORDS = ("python", "kubernetes", "nursing", _WORDS[200], _WORDS[2500])
# The worst case: a word in about half of all resumes, so relevance ranks ~10,000 matches.
COMMON_WORD = _WORDS[10]
LATENCY_CONNECTIONS = 1


def ats_scenarios(url: str, connections: int = LATENCY_CONNECTIONS) -> list[Scenario]:
    """Pipeline and search scenarios for the heavy benchmark organization's busiest jobs."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT id FROM organization WHERE slug = %s", (benchdata.HEAVY_SLUG,)
        ).fetchone()
        if row is None:
            raise RuntimeError("the benchmark data set is missing (hireflow bench-data)")
        organization = row[0]
        jobs = [
            r[0]
            for r in conn.execute(
                """SELECT job_id FROM application WHERE organization_id = %s
                   GROUP BY job_id ORDER BY count(*) DESC, job_id LIMIT 10""",
                (organization,),
            )
        ]
    pipeline_pages = [f"/organizations/{organization}/jobs/{job}/pipeline" for job in jobs]
    pipeline_api = [
        f"/api/v1/organizations/{organization}/jobs/{job}/pipeline?per_stage=50" for job in jobs
    ]
    searches = [
        f"/api/v1/organizations/{organization}/candidates?q={word}&limit=50"
        for word in SEARCH_WORDS
    ]
    search_pages = [f"/organizations/{organization}/candidates?q={w}" for w in SEARCH_WORDS]
    common: dict[str, Any] = {"signed_in": True, "connections": connections}
    return [
        Scenario(
            "pipeline page (HTML, 50 per stage)",
            "hireflow",
            pipeline_pages[0],
            extra_paths=tuple(pipeline_pages[1:]),
            html=True,
            **common,
        ),
        Scenario(
            "pipeline API (50 per stage)",
            "hireflow",
            pipeline_api[0],
            extra_paths=tuple(pipeline_api[1:]),
            **common,
        ),
        Scenario(
            "candidate search API (50 per page)",
            "hireflow",
            searches[0],
            extra_paths=tuple(searches[1:]),
            **common,
        ),
        Scenario(
            "candidate search API, word in half the resumes",
            "hireflow",
            f"/api/v1/organizations/{organization}/candidates?q={COMMON_WORD}&limit=50",
            **common,
        ),
        Scenario(
            "candidate search page (HTML)",
            "hireflow",
            search_pages[0],
            extra_paths=tuple(search_pages[1:]),
            html=True,
            **common,
        ),
    ]


def ensure_bench_data(url: str) -> None:
    """Generate the large data set once per benchmark database (it takes a few minutes)."""
    with psycopg.connect(url) as conn:
        if benchdata.is_loaded(conn):
            return
    print("generating the benchmark data set (hireflow bench-data; once) …", flush=True)
    subprocess.run(
        [PYTHON, "-m", "hireflow", "bench-data"],
        cwd=REPO,
        env={**os.environ, "HIREFLOW_DATABASE_URL": url, "HIREFLOW_LOG_LEVEL": "WARNING"},
        check=True,
    )


def sign_in(port: int, email: str, settings: Settings) -> str:
    """Sign in over HTTP like a browser; returns the session cookie's value."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        body = json.dumps({"email": email, "password": settings.demo_password})
        conn.request(
            "POST", "/api/v1/auth/login", body, headers={"Content-Type": "application/json"}
        )
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"signing in as {email} answered {response.status}")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith(f"{SESSION_COOKIE}="):
                return value.split(";", 1)[0].split("=", 1)[1]
    finally:
        conn.close()
    raise RuntimeError("signing in set no session cookie")


def check_page(port: int, path: str, headers: list[str]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")


COMPARISONS = [
    Comparison("overhead ratio (hireflow / bare)", SCENARIOS[0].name, SCENARIOS[1].name),
]


# The AI interview scenarios (`bench.interviews`): sessions configured by the benchmark member
# (or, without the ATS data set, the demo's hiring manager), then taken by a candidate.
DEMO_INTERVIEW_EMAIL = "manager@acme.test"
MAX_INTERVIEW_SESSIONS = 1000


def interview_member(url: str, ats: bool) -> tuple[str, str]:
    """The member who configures the interview sessions, and their organization's id."""
    email = BENCH_EMAIL if ats else DEMO_INTERVIEW_EMAIL
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """SELECT m.organization_id FROM membership m JOIN "user" u ON u.id = m.user_id
               WHERE u.email = %s LIMIT 1""",
            (email,),
        ).fetchone()
    if row is None:
        raise RuntimeError(f"{email} is missing from the benchmark database")
    return email, str(row[0])


def run_invitation_delivery(context: Context, options: LoadOptions) -> dict[str, Any]:
    """One bulk invitation of `options.invitations` candidates of the heavy organization, then
    the time until a worker process has delivered every email to an SMTP server on loopback."""
    email, organization_id = interview_member(context.database_url, ats=True)
    port = free_port()
    print(f"starting hireflow on {HOST}:{port} and a worker for the invitations …", flush=True)
    with SmtpServer() as smtp:
        env = _child_env(context, HIREFLOW_LOG_LEVEL="WARNING", **invitations.smtp_env(smtp))
        worker_argv = [PYTHON, "-m", "hireflow", "worker", "--name", "bench"]
        with (
            running(hireflow_command(context, port), port, REPO),
            invitations.worker_process(worker_argv, env, BENCH_DIR / "worker.log") as worker_pid,
        ):
            credentials = interviews.sign_in(port, email, context.settings.demo_password)
            print(f"  invitations: {options.invitations} candidates in one request", flush=True)
            return invitations.measure(
                url=context.database_url,
                port=port,
                organization_id=organization_id,
                credentials=credentials,
                count=options.invitations,
                smtp=smtp,
                worker_pid=worker_pid,
                database_pid=context.database_pid,
            )


def run_interview_scenarios(
    context: Context, options: LoadOptions, email: str, organization_id: str
) -> list[dict[str, Any]]:
    """Start → first question and answer → next question, timed over whole interviews."""
    rounds: dict[str, list[dict[str, Any]]] = {
        interviews.START_NAME: [],
        interviews.ANSWER_NAME: [],
    }
    for number in range(1, options.rounds + 1):
        port = free_port()
        counter = f" (round {number}/{options.rounds})" if options.rounds > 1 else ""
        print(f"starting hireflow on {HOST}:{port} for the AI interviews{counter} …", flush=True)
        with running(hireflow_command(context, port), port, REPO) as server:
            credentials = interviews.sign_in(port, email, context.settings.demo_password)
            print(
                f"  AI interviews: {options.interview_sessions} sessions "
                f"(+{interviews.WARMUP_SESSIONS} warm-up) as {email}, 1 connection",
                flush=True,
            )
            busy = psutil.cpu_percent(interval=IDLE_SAMPLE_SECONDS) * CORES
            results = interviews.measure(
                port,
                organization_id,
                credentials,
                sessions=options.interview_sessions,
                server_pid=server.process.pid,
                database_pid=context.database_pid,
            )
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited during the run; see {server.log_file}")
        for result in results:
            rounds[result["name"]].append({**result, "busy_before_cpu_percent": busy})
    return [
        {
            "server": "hireflow",
            "paths": 1,
            "connections": 1,
            **combine(measured),
            "name": name,
            "path": measured[0]["path"],
        }
        for name, measured in rounds.items()
    ]


# -- database ---------------------------------------------------------------------------------


async def _load_data_and_capture_query(url: str, settings: Settings, slug: str) -> dict[str, Any]:
    """Load the demo data (idempotent), then run the endpoint's repository query once and
    capture the SQL text and parameters the ORM sends, for the bare app to run verbatim."""
    from sqlalchemy import event

    from hireflow.demo import load_demo_data
    from hireflow.organizations import repository

    database = Database(create_engine(url, settings))
    try:
        async with database.transaction() as session:
            await load_demo_data(session, settings.demo_password)
        captured: list[tuple[str, Any]] = []

        def capture(conn, cursor, statement, parameters, context, executemany) -> None:
            captured.append((statement, parameters))

        async with database.transaction() as session:
            await session.connection()  # connect first: only the query itself is captured
            event.listen(database.engine.sync_engine, "before_cursor_execute", capture)
            try:
                organization = await repository.get_by_slug(session, slug)
            finally:
                event.remove(database.engine.sync_engine, "before_cursor_execute", capture)
    finally:
        await database.dispose()
    if organization is None or len(captured) != 1:
        raise RuntimeError(f"capturing the organization query failed: {captured!r}")
    sql, parameters = captured[0]
    if not isinstance(parameters, dict):
        raise RuntimeError(f"expected named parameters, got {parameters!r}")
    slug_parameters = [name for name, value in parameters.items() if value == slug]
    if len(slug_parameters) != 1:
        raise RuntimeError(f"cannot tell which parameter is the slug: {parameters!r}")
    return {"sql": sql, "parameters": parameters, "slug_parameter": slug_parameters[0]}


def postmaster_pid(settings: Settings) -> int | None:
    """The embedded server's pid (first line of postmaster.pid), or None."""
    if not settings.embedded:
        return None
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((settings.data_dir / "pgdata" / "postmaster.pid").read_text().split()[0])
    return None


def prepare_database(url: str, settings: Settings, query_file: Path) -> dict[str, Any]:
    migrate.upgrade(url)
    query = asyncio.run(_load_data_and_capture_query(url, settings, "acme"))
    query_file.write_text(json.dumps(query, indent=2) + "\n")
    return query


# -- measuring --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadOptions:
    connections: int
    warmup: float
    duration: float
    rounds: int
    ats: bool = True
    ats_connections: int = LATENCY_CONNECTIONS
    interview_sessions: int = 30
    code_runs: int = 100
    invitations: int = 1000


def drive(
    context: Context, server: RunningServer, scenario: Scenario, options: LoadOptions
) -> dict[str, Any]:
    """Run the load generator against `server` in a second process; return its summary."""
    headers = []
    if scenario.signed_in:
        headers.append(f"Cookie: {SESSION_COOKIE}={context.session[server.port]}")
    if scenario.html:
        headers.append("Accept: text/html")
    for path in (scenario.path, *scenario.extra_paths):
        if headers:
            check_page(server.port, path, headers)
        else:
            check_json(server.port, path, scenario.expect)
    paths_file = BENCH_DIR / "paths.json"
    paths_file.write_text(json.dumps(list(scenario.extra_paths)))
    argv = [
        PYTHON,
        "-m",
        "bench.load",
        server.url(scenario.path),
        "--paths-file",
        str(paths_file),
        *(f"--header={header}" for header in headers),
        "--connections",
        str(scenario.connections or options.connections),
        "--warmup",
        str(options.warmup),
        "--duration",
        str(options.duration),
        "--server-pid",
        str(server.process.pid),
    ]
    if context.database_pid is not None:
        argv += ["--database-pid", str(context.database_pid)]
    timeout = options.warmup + options.duration + load.GRACE_SECONDS + 30
    with subprocess.Popen(
        argv, cwd=REPO, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True
    ) as process:
        try:
            out, _ = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed (exit {process.returncode})")
    result: dict[str, Any] = json.loads(out)
    if server.process.poll() is not None:
        raise RuntimeError(f"the server exited during the run; see {server.log_file}")
    return result


def run_scenarios(
    context: Context, options: LoadOptions, scenarios: list[Scenario]
) -> list[dict[str, Any]]:
    rounds: dict[str, list[dict[str, Any]]] = {s.name: [] for s in scenarios}
    for number in range(1, options.rounds + 1):
        # One server at a time, each started once per round for all of its scenarios.
        for server_name in dict.fromkeys(s.server for s in scenarios):
            server = SERVERS[server_name]
            port = free_port()
            counter = f" (round {number}/{options.rounds})" if options.rounds > 1 else ""
            print(f"starting {server.name} on {HOST}:{port}{counter} …", flush=True)
            with running(server.command(context, port), port, REPO) as process:
                mine = [s for s in scenarios if s.server == server_name]
                if any(s.signed_in for s in mine):
                    context.session[port] = sign_in(port, BENCH_EMAIL, context.settings)
                for scenario in mine:
                    print(
                        f"  {scenario.name}: "
                        f"{scenario.connections or options.connections} connections, "
                        f"{options.warmup:g}s warm-up + {options.duration:g}s measured",
                        flush=True,
                    )
                    # How busy other processes keep the machine while ours idle (% of one
                    # core): a benchmark on a shared machine measures its neighbours too.
                    busy = psutil.cpu_percent(interval=IDLE_SAMPLE_SECONDS) * CORES
                    result = drive(context, process, scenario, options)
                    rounds[scenario.name].append({**result, "busy_before_cpu_percent": busy})
    return [
        {
            "name": s.name,
            "server": s.server,
            "path": s.path,
            "paths": 1 + len(s.extra_paths),
            "connections": s.connections or options.connections,
            **combine(rounds[s.name]),
        }
        for s in scenarios
    ]


def combine(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """One round as is; several as the median of each figure (and the sum of the counts)."""
    if len(rounds) == 1:
        return rounds[0]
    combined: dict[str, Any] = {}
    for key, value in rounds[0].items():
        values = [r[key] for r in rounds]
        if key in ("requests", "errors", "warmup_requests", "warmup_errors", "seconds"):
            combined[key] = round(sum(values), 3)
        elif key == "error_samples":
            combined[key] = sorted({e for r in rounds for e in r[key]})[: load.ERROR_SAMPLES]
        elif key == "busy_before_cpu_percent":
            combined[key] = max(values)
        elif isinstance(value, int | float) and None not in values:
            combined[key] = round(statistics.median(values), 3)
        else:
            combined[key] = value
    combined["rounds"] = [
        {k: r[k] for k in ("rps", "p50_ms", "p99_ms", "errors", "others_cpu_percent")}
        for r in rounds
    ]
    return combined


def compare(scenarios: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {s["name"]: s for s in scenarios}

    def ratio(a: float | None, b: float | None) -> float | None:
        return round(a / b, 2) if a is not None and b else None

    comparisons = []
    for comparison in COMPARISONS:
        subject, baseline = by_name[comparison.subject], by_name[comparison.baseline]
        comparisons.append(
            {
                "label": comparison.label,
                "subject": comparison.subject,
                "baseline": comparison.baseline,
                "throughput": ratio(subject["rps"], baseline["rps"]),
                "p50": ratio(subject["p50_ms"], baseline["p50_ms"]),
                "p99": ratio(subject["p99_ms"], baseline["p99_ms"]),
            }
        )
    return comparisons


# -- reporting --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model or platform.processor() or platform.machine(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
    }


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def render(report: dict[str, Any]) -> str:
    scenarios = report["scenarios"]
    width = max(len("endpoint"), *(len(s["name"]) for s in scenarios))
    columns = (
        f"{'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>7}"
    )
    lines = [f"{'endpoint':<{width}} {columns}"]
    for s in scenarios:
        lines.append(
            f"{s['name']:<{width}} {s['connections']:>5} {_number(s['rps'], 0):>9} "
            f"{_number(s['p50_ms']):>8} "
            f"{_number(s['p90_ms']):>8} {_number(s['p99_ms']):>8} {_number(s['max_ms']):>8} "
            f"{s['errors']:>7}"
        )
    for c in report["comparisons"]:
        lines.append(
            f"{c['label']}: throughput {_number(c['throughput'])}, "
            f"p50 {_number(c['p50'])}, p99 {_number(c['p99'])}"
        )
    m, o = report["machine"], report["options"]
    lines += ["", f"CPU while measuring, % of one core ({m['cores']} cores = {m['cores'] * 100}%):"]
    cpu_columns = ("server", "PostgreSQL", "load gen.", "others")
    lines.append(f"  {'':<{width}} " + " ".join(f"{c:>10}" for c in cpu_columns))
    for s in scenarios:
        figures = (
            s["server_cpu_percent"],
            s["database_cpu_percent"],
            s["client_cpu_percent"],
            s["others_cpu_percent"],
        )
        lines.append(f"  {s['name']:<{width}} " + " ".join(f"{_number(f, 0):>10}" for f in figures))
    if any(s["database_cpu_percent"] is None for s in scenarios):
        lines.append("  (PostgreSQL is not the embedded one: its CPU use counts in others)")
    rounds = f", {o['rounds']} rounds (medians shown)" if o["rounds"] > 1 else ""
    lines += [
        "",
        f"machine: {m['cores']} cores, {m['cpu']}, {m['memory_gb']} GB, {m['python']}, "
        f"{m['platform']}",
        f"load: keep-alive connections ({o['connections']} unless shown) from a second process, "
        f"{o['warmup']:g}s warm-up, {o['duration']:g}s measured per endpoint{rounds}; "
        f"database: {report['database']}",
    ]
    if o["rounds"] > 1:
        for s in scenarios:
            each = ", ".join(f"{r['rps']:,.0f}" for r in s["rounds"])
            lines.append(f"req/s per round, {s['name']}: {each}")
    lines.append(f"{report['date']}; JSON in {report['json']}")
    for s in scenarios:
        others = s["busy_before_cpu_percent"]
        if s["database_cpu_percent"] is not None:  # else `others` includes PostgreSQL
            others = max(others, s["others_cpu_percent"] or 0.0)
        if others > OTHERS_WARNING_PERCENT:
            lines.append(
                f"NOTE: other processes used up to {others:.0f}% of a core around "
                f"{s['name']}: its figures are disturbed (see docs/benchmarks.md)"
            )
    for s in scenarios:
        if s["errors"] or s["warmup_errors"]:
            lines.append(
                f"ERRORS in {s['name']}: {s['errors']} while measuring, {s['warmup_errors']} "
                f"in warm-up, e.g. {s['error_samples']} — these figures are not valid"
            )
    return "\n".join(lines)


# -- entry point ------------------------------------------------------------------------------


@contextlib.contextmanager
def _signals_end_the_run() -> Iterator[None]:
    """SIGTERM/SIGHUP unwind like Ctrl+C, so servers and the database are stopped."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def parse_options(argv: list[str] | None) -> LoadOptions:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="hireflow vs bare FastAPI on the same SQL"
    )
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="run every scenario this many times, alternating servers, and report medians",
    )
    parser.add_argument(
        "--ats-connections",
        type=int,
        default=LATENCY_CONNECTIONS,
        help="concurrent connections for the pipeline and search scenarios",
    )
    parser.add_argument(
        "--interview-sessions",
        type=int,
        default=30,
        help="AI interviews taken for the interview scenarios (0 skips them)",
    )
    parser.add_argument(
        "--code-runs",
        type=int,
        default=100,
        help="sandboxed code runs per language for the code-run latency (0 skips them)",
    )
    parser.add_argument(
        "--invitations",
        type=int,
        default=1000,
        help="candidates bulk-invited for the invitation delivery throughput (0 skips it)",
    )
    parser.add_argument(
        "--no-ats",
        action="store_true",
        help="skip the pipeline and search scenarios (and generating their data set)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= MAX_ROUNDS:
        parser.error(f"--rounds must be within 1..{MAX_ROUNDS}")
    if not 1 <= args.connections <= load.MAX_CONNECTIONS:
        parser.error(f"--connections must be within 1..{load.MAX_CONNECTIONS}")
    if not (0 <= args.warmup <= load.MAX_SECONDS and 0 < args.duration <= load.MAX_SECONDS):
        parser.error(f"--warmup and --duration must be within 0..{load.MAX_SECONDS:.0f} seconds")
    if not 1 <= args.ats_connections <= load.MAX_CONNECTIONS:
        parser.error(f"--ats-connections must be within 1..{load.MAX_CONNECTIONS}")
    if not 0 <= args.interview_sessions <= MAX_INTERVIEW_SESSIONS:
        parser.error(f"--interview-sessions must be within 0..{MAX_INTERVIEW_SESSIONS}")
    if not 0 <= args.code_runs <= 10_000:
        parser.error("--code-runs must be within 0..10000")
    if not 0 <= args.invitations <= 1000:
        parser.error("--invitations must be within 0..1000 (one bulk request holds 1,000)")
    return LoadOptions(
        args.connections,
        args.warmup,
        args.duration,
        args.rounds,
        not args.no_ats,
        args.ats_connections,
        args.interview_sessions,
        args.code_runs,
        args.invitations,
    )


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=BENCH_DIR)
    where = (
        "HIREFLOW_DATABASE_URL"
        if settings.database_url
        else f"embedded PostgreSQL in {BENCH_DIR.relative_to(REPO)}"
    )
    with _signals_end_the_run():
        print(f"database: {where} (migrating, loading the demo data) …", flush=True)
        # Not durable: nothing here needs to survive a crash (the read path doesn't write).
        with database_url(settings, durable=False) as url:
            query_file = BENCH_DIR / "bare-query.json"
            query = prepare_database(url, settings, query_file)
            context = Context(url, settings, query_file, postmaster_pid(settings))
            chosen = list(SCENARIOS)
            if options.ats:
                ensure_bench_data(url)
                chosen += ats_scenarios(url, options.ats_connections)
            scenarios = run_scenarios(context, options, chosen)
            if options.interview_sessions:
                email, organization_id = interview_member(url, options.ats)
                scenarios += run_interview_scenarios(context, options, email, organization_id)
            delivery = None
            if options.invitations and options.ats:
                delivery = run_invitation_delivery(context, options)
            elif options.invitations:
                print("invitations: skipped (they invite the ATS data's candidates; drop --no-ats)")
    # The sandbox's own latency, in-process (bench.coderuns), with no server running.
    code_runs = coderuns.measure(options.code_runs) if options.code_runs else []
    json_file = BENCH_DIR / "last.json"
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {
            "connections": options.connections,
            "warmup": options.warmup,
            "duration": options.duration,
            "rounds": options.rounds,
            "interview_sessions": options.interview_sessions,
        },
        "database": where,
        "sql": query["sql"],
        "scenarios": scenarios,
        "comparisons": compare(scenarios),
        "code_runs": code_runs,
        "invitation_delivery": delivery,
        "json": str(json_file.relative_to(REPO)),
    }
    json_file.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(render(report))
    if code_runs:
        print()
        print(coderuns.render(code_runs))
    if delivery is not None:
        print()
        print(invitations.render(delivery, context.settings.worker_concurrency))
    failed = any(s["errors"] or s["warmup_errors"] for s in scenarios) or (
        delivery is not None
        and not delivery["received"] == delivery["distinct_message_ids"] == delivery["accepted"]
    )
    return 1 if failed or any(r.get("errors") for r in code_runs) else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the servers and the database are already stopped
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
