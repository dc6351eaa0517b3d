"""Load generator: C keep-alive HTTP/1.1 connections sending GETs back to back, one latency per
request, a JSON summary on stdout.

It runs in its own process (`python -m bench.load`, started by `bench.run`), so it never shares an
interpreter with the server it measures. It speaks raw HTTP/1.1 over asyncio streams rather than
through an HTTP client library: httpx or requests spend more CPU per request than the server under
test, and the client would become the bottleneck. It only targets 127.0.0.1, and it is bounded in
time (warm-up + duration + a grace period) and in count (`--max-requests`).

Protocol with the caller: one JSON object on stdout once the run is over.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import json
import math
import resource
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

MAX_CONNECTIONS = 512
MAX_SECONDS = 600.0
DEFAULT_MAX_REQUESTS = 5_000_000  # 40 MB of latencies at most
# How long requests still in flight at the end may take before they count as errors.
GRACE_SECONDS = 10.0
ERROR_SAMPLES = 5


class ProtocolError(Exception):
    """The server's answer is not an HTTP/1.1 response this client can delimit."""


@dataclass
class Window:
    """Requests started before `measure_start` are warm-up; none start at or after `end`."""

    measure_start: float
    end: float
    max_requests: int
    full: asyncio.Event = field(default_factory=asyncio.Event)  # set when max_requests is hit


@dataclass
class Tally:
    latencies: array.array[float] = field(default_factory=lambda: array.array("d"))
    errors: int = 0
    warmup_requests: int = 0
    warmup_errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, measuring: bool, what: str) -> None:
        if measuring:
            self.errors += 1
        else:
            self.warmup_errors += 1
        if len(self.error_samples) < ERROR_SAMPLES and what not in self.error_samples:
            self.error_samples.append(what)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 ") or len(head) < 12:
        raise ProtocolError(f"not an HTTP/1.1 response: {head[:40]!r}")
    status = int(head[9:12])
    lower = head.lower()
    keep_alive = b"\r\nconnection: close\r\n" not in lower
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.index(b"\r\n", at + 2)
        await reader.readexactly(int(head[at + 17 : end]))
    elif b"\r\ntransfer-encoding: chunked\r\n" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                # No trailers expected: the last chunk is followed by an empty line.
                await reader.readuntil(b"\r\n")
                break
            await reader.readexactly(size + 2)
    elif status not in (204, 304) and status >= 200:
        raise ProtocolError("response without Content-Length or chunked encoding")
    return status, keep_alive


async def drive(
    host: str, port: int, requests: list[bytes], offset: int, window: Window, tally: Tally
) -> None:
    """One connection: send, read the whole response, repeat until the window ends. With
    several requests, each connection cycles through them from its own starting point."""
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    clock = time.perf_counter
    latencies = tally.latencies
    try:
        while True:
            started = clock()
            if started >= window.end:
                return
            measuring = started >= window.measure_start
            if writer is None or reader is None:
                try:
                    reader, writer = await asyncio.open_connection(host, port)
                except OSError as exc:
                    tally.error(measuring, f"connect: {exc}")
                    await asyncio.sleep(0.05)  # a server that is down: don't spin
                    continue
            request = requests[offset % len(requests)]
            offset += 1
            try:
                writer.write(request)
                status, keep_alive = await read_response(reader)
            except (OSError, EOFError, asyncio.LimitOverrunError, ValueError, ProtocolError) as exc:
                tally.error(measuring, f"{type(exc).__name__}: {exc}")
                writer.close()
                reader = writer = None
                continue
            elapsed = clock() - started
            if not measuring:
                tally.warmup_requests += 1
                if status != 200:
                    tally.error(False, f"status {status}")
            elif status != 200:
                tally.error(True, f"status {status}")
            else:
                latencies.append(elapsed)
                if len(latencies) >= window.max_requests:
                    window.end = min(window.end, clock())
                    window.full.set()
            if not keep_alive:
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


@dataclass(frozen=True)
class CpuSnapshot:
    """CPU seconds used so far, by whom."""

    at: float
    client: float
    server: float | None
    database: float | None
    machine: float  # all processes, all cores


def process_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def tree_seconds(root: psutil.Process) -> float:
    """A server and its children, including the children it has already reaped (PostgreSQL
    forks a backend per connection: one closed during the window still counts)."""
    times = root.cpu_times()
    seconds = times.user + times.system + times.children_user + times.children_system
    for child in root.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            seconds += process_seconds(child)
    return seconds


def cpu_snapshot(server: psutil.Process | None, database: psutil.Process | None) -> CpuSnapshot:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    server_seconds = database_seconds = None
    with contextlib.suppress(psutil.Error):
        server_seconds = process_seconds(server) if server is not None else None
    with contextlib.suppress(psutil.Error):
        database_seconds = tree_seconds(database) if database is not None else None
    machine = psutil.cpu_times()
    idle = machine.idle + getattr(machine, "iowait", 0.0)
    return CpuSnapshot(
        at=time.perf_counter(),
        client=usage.ru_utime + usage.ru_stime,
        server=server_seconds,
        database=database_seconds,
        machine=sum(machine) - idle,
    )


def cpu_use(before: CpuSnapshot, after: CpuSnapshot) -> dict[str, float | None]:
    """Percent of one core (100 = one core fully busy) over the measuring window; `others` is
    what the rest of the machine used, so a run disturbed by other work shows as such."""
    wall = after.at - before.at

    def percent(start: float | None, end: float | None) -> float | None:
        if start is None or end is None or wall <= 0:
            return None
        return round((end - start) / wall * 100, 1)

    use = {
        "client_cpu_percent": percent(before.client, after.client),
        "server_cpu_percent": percent(before.server, after.server),
        "database_cpu_percent": percent(before.database, after.database),
        "machine_cpu_percent": percent(before.machine, after.machine),
    }
    machine = use["machine_cpu_percent"]
    known = [use["client_cpu_percent"], use["server_cpu_percent"], use["database_cpu_percent"]]
    # Without a database pid (a server not started by us), the database counts in `others`.
    use["others_cpu_percent"] = (
        None
        if machine is None or None in known[:2]
        else round(max(0.0, machine - sum(p for p in known if p is not None)), 1)
    )
    return use


def percentile(ordered: array.array[float] | list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(
    tally: Tally, measured: float, before: CpuSnapshot, after: CpuSnapshot
) -> dict[str, Any]:
    ordered = sorted(tally.latencies)
    count = len(ordered)

    def ms(p: float) -> float | None:
        return round(percentile(ordered, p) * 1000, 3) if count else None

    return {
        "requests": count,
        "seconds": round(measured, 3),
        "rps": round(count / measured, 1) if measured > 0 else 0.0,
        "p50_ms": ms(50),
        "p90_ms": ms(90),
        "p99_ms": ms(99),
        "max_ms": round(ordered[-1] * 1000, 3) if count else None,
        "errors": tally.errors,
        "warmup_requests": tally.warmup_requests,
        "warmup_errors": tally.warmup_errors,
        "error_samples": tally.error_samples,
        **cpu_use(before, after),
    }


async def run(
    url: str,
    extra_paths: list[str],
    headers: list[str],
    connections: int,
    warmup: float,
    duration: float,
    max_requests: int,
    server_pid: int | None,
    database_pid: int | None,
) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1" or parts.port is None:
        raise SystemExit("bench.load only targets http://127.0.0.1:PORT/…")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    extra = "".join(f"{header}\r\n" for header in headers)
    if not any(h.lower().startswith("accept:") for h in headers):
        extra += "Accept: application/json\r\n"
    requests = [
        (
            f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1:{parts.port}\r\n"
            f"User-Agent: hireflow-bench\r\n{extra}\r\n"
        ).encode()
        for p in [path, *extra_paths]
    ]
    server = psutil.Process(server_pid) if server_pid is not None else None
    database = psutil.Process(database_pid) if database_pid is not None else None

    now = time.perf_counter()
    window = Window(
        measure_start=now + warmup, end=now + warmup + duration, max_requests=max_requests
    )
    tally = Tally()
    tasks = [
        asyncio.create_task(drive("127.0.0.1", parts.port, requests, n * 7919, window, tally))
        for n in range(connections)
    ]
    await asyncio.sleep(max(0.0, window.measure_start - time.perf_counter()))
    before = cpu_snapshot(server, database)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(window.full.wait(), max(0.0, window.end - time.perf_counter()))
    after = cpu_snapshot(server, database)
    measured = window.end - window.measure_start
    _, stuck = await asyncio.wait(tasks, timeout=GRACE_SECONDS)
    for task in stuck:
        task.cancel()
        tally.error(True, f"no response within {GRACE_SECONDS:.0f}s after the end")
    await asyncio.gather(*stuck, return_exceptions=True)
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]  # a bug in this module: fail loudly
    return summarize(tally, measured, before, after)


def new_event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("url", help="http://127.0.0.1:PORT/path")
    parser.add_argument(
        "--paths-file", help="a JSON list of more paths on the same server, requested in turn"
    )
    parser.add_argument(
        "--header", action="append", default=[], help="'Name: value', sent with every request"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not measured")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds measured")
    parser.add_argument("--max-requests", type=int, default=DEFAULT_MAX_REQUESTS)
    parser.add_argument("--server-pid", type=int, help="the server, for its CPU use")
    parser.add_argument(
        "--database-pid",
        type=int,
        help="the PostgreSQL postmaster, for its (and its backends') CPU",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= MAX_CONNECTIONS:
        parser.error(f"--connections must be within 1..{MAX_CONNECTIONS}")
    if not (0 <= args.warmup <= MAX_SECONDS and 0 < args.duration <= MAX_SECONDS):
        parser.error(f"--warmup and --duration must be within 0..{MAX_SECONDS:.0f} seconds")
    if not 1 <= args.max_requests <= DEFAULT_MAX_REQUESTS:
        parser.error(f"--max-requests must be within 1..{DEFAULT_MAX_REQUESTS}")
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        result = runner.run(
            run(
                args.url,
                json.loads(Path(args.paths_file).read_text()) if args.paths_file else [],
                args.header,
                args.connections,
                args.warmup,
                args.duration,
                args.max_requests,
                args.server_pid,
                args.database_pid,
            )
        )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
