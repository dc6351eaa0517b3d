"""Sandboxed code runs: a candidate's Python or JavaScript against a challenge's tests.

`run_tests` runs the code in its own process tree, isolated by `hireflow.sandbox.launch` (user,
mount, network and PID namespaces, a minimal read-only root, Landlock, resource limits), and
compares what the entrypoint returned with the expected values — which never enter the sandbox.
It never raises for anything the code does. When the isolation cannot be set up here, nothing
runs and the status is "unavailable" (`availability` says why up front). See docs/sandbox.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import math
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import structlog

from hireflow.config import get_settings
from hireflow.sandbox import launch

log = structlog.get_logger(__name__)

Language = Literal["python", "javascript"]
Status = Literal["ok", "failed", "timeout", "memory", "output_limit", "error", "unavailable"]
LANGUAGES: tuple[str, ...] = ("python", "javascript")
HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "launch.py"
HARNESSES = {
    "python": HERE / "harness" / "harness.py",
    "javascript": HERE / "harness" / "harness.js",
}
MARKER = "hireflow-sandbox"
TEXT_LIMIT = 8 * 1024  # stdout/stderr kept in a result
DETAIL_LIMIT = 1000  # one test's got/error
MIN_NODE_MAJOR = 20
SCRATCH_MIN_BYTES = 4 * 1024 * 1024
MAX_CODE_BYTES = 256 * 1024  # and as much again for the tests' arguments
_DRAIN_SECONDS = 2.0
_JS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float = 5.0
    memory_bytes: int = 256 * 1024 * 1024
    processes: int = 32
    file_bytes: int = 1024 * 1024
    output_bytes: int = 64 * 1024
    open_files: int = 64


@dataclass(frozen=True)
class TestCase:
    __test__ = False  # not a pytest class

    name: str
    args: list[Any]  # JSON values passed to the entrypoint function
    expected: Any  # JSON value it must return (compared as JSON)
    hidden: bool = False


@dataclass(frozen=True)
class TestResult:
    __test__ = False

    name: str
    passed: bool
    hidden: bool
    got: str | None  # JSON (or repr) of what came back, truncated; None for hidden tests
    error: str | None  # exception text, truncated; None for hidden tests


@dataclass(frozen=True)
class RunResult:
    status: Status
    results: tuple[TestResult, ...]
    passed: int
    total: int
    duration_ms: int
    stdout: str  # truncated
    stderr: str  # truncated
    detail: str  # a human sentence: what happened


# -- availability ------------------------------------------------------------------------------


def node_path() -> str | None:
    configured = get_settings().sandbox_node
    if configured is not None:
        return str(configured) if os.access(configured, os.X_OK) else None
    return shutil.which("node")


def _python_path() -> str:
    return os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)


def _runtime_folders(language: str) -> tuple[list[str], list[str]]:
    """(binds, links): the host folders and files the sandbox's root holds, read-only."""
    binds, links = [], []
    for path in ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(path):
            links.append(path)
        elif os.path.isdir(path):
            binds.append(path)
    if os.path.exists("/etc/ld.so.cache"):
        binds.append("/etc/ld.so.cache")
    if language == "python":
        prefix = os.path.realpath(sys.base_prefix)
    else:
        node = node_path()
        prefix = os.path.dirname(os.path.dirname(os.path.realpath(node))) if node else "/usr"
    if not any(prefix == b or prefix.startswith(b + "/") for b in binds):
        binds.append(prefix)
    return binds, links


def run_marker() -> str:
    """In the argv of this process's launchers and harnesses and in their root folders' names
    (with our pid, so `ps` tells whose runs they are)."""
    return f"{MARKER}-{os.getpid()}"


def _argv(language: str, limits: Limits) -> list[str]:
    if language == "python":
        # -I: no user site, no environment, no script folder on sys.path; -S: no site-packages.
        return [_python_path(), "-I", "-S", "-B", "/scratch/harness.py", run_marker()]
    heap_mb = max(16, limits.memory_bytes // (1024 * 1024) // 2)
    return [
        str(node_path()),
        f"--max-old-space-size={heap_mb}",
        "--disable-proto=throw",
        "/scratch/harness.js",
        run_marker(),
    ]


def _node_version(node: str) -> tuple[int, str]:
    try:
        out = subprocess.run(  # noqa: S603 - the configured or PATH node, no shell
            [node, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return 0, str(exc)
    match = re.match(r"v(\d+)\.", out)
    return (int(match.group(1)), out) if match else (0, out)


@functools.cache
def _availability(language: str, node: str | None) -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return False, "the sandbox needs Linux (namespaces and Landlock)"
    if language not in LANGUAGES:
        return False, f"{language} is not a supported language"
    if launch.landlock_abi() < 1:
        return False, "Landlock is not enabled in this kernel"
    if language == "javascript":
        if node is None:
            return False, "node (Node.js >= 20) is not installed"
        major, version = _node_version(node)
        if major < MIN_NODE_MAJOR:
            return False, f"node {version or '?'} is too old: Node.js >= 20 is needed"
    probe = _job(language, "", "f", [], Limits(), "", None)
    root = _make_root()
    try:
        probe["root"] = root
        probe["argv"] = [*_argv(language, Limits())[:1], "--version"]
        result = subprocess.run(  # noqa: S603 - our interpreter and launcher, no shell
            [sys.executable, "-I", "-S", str(LAUNCHER), run_marker()],
            input=json.dumps(probe).encode(),
            capture_output=True,
            timeout=20,
            start_new_session=True,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return False, f"the sandbox could not start: {exc}"
    finally:
        _remove_root(root)
    if result.returncode != 0:
        reason = _setup_failure(result.stderr.decode(errors="replace")) or (
            f"the sandbox probe exited with {result.returncode}"
        )
        return False, reason
    return True, "isolated by namespaces, Landlock and resource limits"


def availability(language: str) -> tuple[bool, str]:
    """Whether code in `language` can run safely here, and why not (checked once)."""
    return _availability(language, node_path() if language == "javascript" else None)


# -- one run -----------------------------------------------------------------------------------


_semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
_active = 0


def active_runs() -> int:
    """Sandboxed runs going on in this process now."""
    return _active


def _semaphore() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    semaphore = _semaphores.get(loop)
    if semaphore is None:
        semaphore = _semaphores[loop] = asyncio.Semaphore(get_settings().sandbox_concurrency)
    return semaphore


def _make_root() -> str:
    # An empty folder the sandbox mounts its own root on (in its mount namespace only): it stays
    # empty for everyone else and is removed after the run.
    return tempfile.mkdtemp(prefix=f"{run_marker()}-")


def _remove_root(root: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(root)


def _setup_failure(stderr: str) -> str | None:
    for line in stderr.splitlines():
        if line.startswith(launch.SETUP_PREFIX):
            return "the sandbox could not be set up: " + line[len(launch.SETUP_PREFIX) :]
    return None


def _job(
    language: str,
    code: str,
    entrypoint: str,
    tests: Sequence[TestCase],
    limits: Limits,
    nonce: str,
    result_fd: int | None,
) -> dict[str, Any]:
    binds, links = _runtime_folders(language)
    inner = json.dumps({"nonce": nonce, "entrypoint": entrypoint, "tests": [t.args for t in tests]})
    if language == "python":
        files = {
            "solution.py": code,
            "harness.py": HARNESSES["python"].read_text(),
            "job.json": inner,
        }
    else:
        # Exported after the candidate's code, whether it is a declaration or an export.
        solution = (
            f"{code}\n;module.exports.__hireflowEntry = typeof {entrypoint} !== 'undefined' "
            f"? {entrypoint} : module.exports.{entrypoint};\n"
        )
        files = {"solution.js": solution, "harness.js": HARNESSES["javascript"].read_text()}
        files["job.json"] = inner
    return {
        "root": "",
        "binds": binds,
        "links": links,
        "files": files,
        "scratch_bytes": max(SCRATCH_MIN_BYTES, 4 * limits.file_bytes),
        "limits": {
            "cpu_seconds": max(1, math.ceil(limits.cpu_seconds)),
            "memory_bytes": limits.memory_bytes,
            "memory_kind": "data" if language == "javascript" else "as",
            "processes": limits.processes,
            "file_bytes": limits.file_bytes,
            "open_files": limits.open_files,
        },
        "argv": _argv(language, limits),
        "env": {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": "/scratch",
            "TMPDIR": "/scratch",
            "LANG": "C.UTF-8",
        },
        "result_fd": result_fd,
    }


def _same_json(got: Any, expected: Any) -> bool:
    """JSON equality: numbers by value (1 == 1.0), but true is not 1."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return type(got) is type(expected) and got == expected
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return got == expected
    if isinstance(expected, list) and isinstance(got, list):
        return len(got) == len(expected) and all(map(_same_json, got, expected))
    if isinstance(expected, dict) and isinstance(got, dict):
        return got.keys() == expected.keys() and all(_same_json(got[k], expected[k]) for k in got)
    return type(got) is type(expected) and bool(got == expected)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " …(truncated)"


def _decode(data: bytes, limit: int = TEXT_LIMIT) -> str:
    return _truncate(data.decode("utf-8", errors="replace"), limit)


@dataclass
class _Streams:
    stdout: bytearray
    stderr: bytearray
    results: bytearray
    over_limit: bool = False


async def _pump(
    reader: asyncio.StreamReader, sink: bytearray, streams: _Streams, budget: int, kill: Any
) -> None:
    while chunk := await reader.read(65536):
        if streams.over_limit:
            continue
        sink += chunk
        if len(sink) > budget:
            streams.over_limit = True
            kill()


def _kill_group(pid: int) -> None:
    # The launcher leads its own session; the namespace dies with it (PR_SET_PDEATHSIG) even
    # for processes that left the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def run_tests(
    language: Language,
    code: str,
    entrypoint: str,
    tests: Sequence[TestCase],
    limits: Limits = Limits(),  # frozen: a safe default
) -> RunResult:
    """Run `code`'s `entrypoint` on every test's arguments in the sandbox; never raises for
    anything the code does."""
    tests = tuple(tests)
    if language not in LANGUAGES:
        return _nothing_ran(tests, "error", f"{language!r} is not a supported language.")
    valid_name = (
        entrypoint.isidentifier() if language == "python" else _JS_IDENTIFIER.match(entrypoint)
    )
    if not valid_name:
        return _nothing_ran(tests, "error", f"{entrypoint!r} is not a valid function name.")
    try:
        too_big = len(code.encode()) > MAX_CODE_BYTES or (
            len(json.dumps([t.args for t in tests])) > MAX_CODE_BYTES
        )
    except (UnicodeError, TypeError, ValueError):
        return _nothing_ran(tests, "error", "The code or the tests' arguments are not valid.")
    if too_big:
        return _nothing_ran(
            tests, "error", f"The code or the tests exceed {MAX_CODE_BYTES:,} bytes."
        )
    available, reason = await asyncio.to_thread(availability, language)
    if not available:
        return _nothing_ran(tests, "unavailable", f"Code runs are unavailable: {reason}.")
    global _active
    async with _semaphore():
        _active += 1
        try:
            return await _run(language, code, entrypoint, tests, limits)
        except OSError as exc:  # no pipe, no temporary folder …: this server's trouble
            log.error("sandbox run failed to start", error=str(exc))
            return _nothing_ran(tests, "error", f"The sandbox could not start: {exc.strerror}.")
        finally:
            _active -= 1


def _nothing_ran(tests: Sequence[TestCase], status: Status, detail: str) -> RunResult:
    return RunResult(status, (), 0, len(tests), 0, "", "", detail)


async def _run(
    language: str, code: str, entrypoint: str, tests: tuple[TestCase, ...], limits: Limits
) -> RunResult:
    nonce = secrets.token_hex(16)
    root = _make_root()
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    streams = _Streams(bytearray(), bytearray(), bytearray())
    timed_out = False
    try:
        job = _job(language, code, entrypoint, tests, limits, nonce, write_fd)
        job["root"] = root
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-I",
            "-S",
            str(LAUNCHER),
            run_marker(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        write_fd = -1
        loop = asyncio.get_running_loop()
        results_reader = asyncio.StreamReader()
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(results_reader), os.fdopen(read_fd, "rb", 0)
        )
        read_fd = -1

        def kill() -> None:
            _kill_group(process.pid)

        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        try:
            process.stdin.write(json.dumps(job).encode())
            await process.stdin.drain()
            process.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            pass
        pumps = asyncio.gather(
            _pump(process.stdout, streams.stdout, streams, limits.output_bytes, kill),
            _pump(process.stderr, streams.stderr, streams, limits.output_bytes, kill),
            # Results have their own room: returned values may be large.
            _pump(results_reader, streams.results, streams, 4 * limits.output_bytes, kill),
        )
        try:
            await asyncio.wait_for(asyncio.shield(process.wait()), limits.wall_seconds)
        except TimeoutError:
            timed_out = True
            kill()
            await process.wait()
        try:
            await asyncio.wait_for(pumps, _DRAIN_SECONDS)
        except TimeoutError:
            kill()
        transport.close()
        returncode = process.returncode
    finally:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)
        _remove_root(root)
    duration_ms = int((time.monotonic() - started) * 1000)
    return _outcome(
        tests,
        nonce,
        streams,
        timed_out,
        returncode if returncode is not None else -1,
        duration_ms,
        limits,
    )


def _outcome(
    tests: tuple[TestCase, ...],
    nonce: str,
    streams: _Streams,
    timed_out: bool,
    returncode: int,
    duration_ms: int,
    limits: Limits,
) -> RunResult:
    stdout, stderr = _decode(bytes(streams.stdout)), _decode(bytes(streams.stderr))
    reports: dict[int, dict[str, Any]] = {}
    load_error: str | None = None
    memory = done = False
    for line in bytes(streams.results).splitlines():
        try:
            report = json.loads(line)
        except ValueError:
            continue
        if not isinstance(report, dict) or report.get("nonce") != nonce:
            continue  # not from the harness: a forgery or noise
        if "load_error" in report:
            load_error = str(report["load_error"])
        elif report.get("memory"):
            memory = True
        elif report.get("done"):
            done = True
        elif isinstance(report.get("test"), int) and 0 <= report["test"] < len(tests):
            reports.setdefault(report["test"], report)

    results = tuple(_result(test, reports.get(i)) for i, test in enumerate(tests))
    passed = sum(r.passed for r in results)

    def result(status: Status, detail: str, keep_results: bool = True) -> RunResult:
        return RunResult(
            status,
            results if keep_results else (),
            passed if keep_results else 0,
            len(tests),
            duration_ms,
            stdout,
            stderr,
            detail,
        )

    setup = _setup_failure(stderr) if returncode == launch.SETUP_FAILED else None
    if setup is not None:
        log.warning("sandbox setup failed", reason=setup)
        return RunResult("unavailable", (), 0, len(tests), duration_ms, "", "", setup + ".")
    if streams.over_limit:
        return result(
            "output_limit",
            f"The program wrote more than {limits.output_bytes:,} bytes of output and was stopped.",
        )
    if timed_out:
        return result(
            "timeout", f"The program ran longer than {limits.wall_seconds:g} s and was stopped."
        )
    signal_number = returncode - 128 if returncode > 128 else 0
    if signal_number == signal.SIGXCPU or (signal_number == signal.SIGKILL and not done):
        return result(
            "timeout",
            f"The program used more than {limits.cpu_seconds:g} s of CPU time and was stopped.",
        )
    if memory or "heap out of memory" in stderr or (not done and "MemoryError" in stderr):
        return result(
            "memory",
            f"The program used more than {limits.memory_bytes // 2**20} MiB of memory "
            "and was stopped.",
        )
    if load_error is not None:
        return result("error", f"The code could not be loaded: {load_error}", keep_results=False)
    if signal_number == signal.SIGXFSZ:
        return result(
            "error",
            f"The program wrote a file larger than {limits.file_bytes:,} bytes and was stopped.",
        )
    if not done:
        how = f"signal {signal_number}" if signal_number else f"exit code {returncode}"
        return result("error", f"The program ended before every test ran ({how}).")
    if passed == len(tests):
        return result("ok", f"All {len(tests)} tests passed.")
    return result("failed", f"{passed} of {len(tests)} tests passed.")


def _result(test: TestCase, report: dict[str, Any] | None) -> TestResult:
    got: str | None = None
    error: str | None = None
    passed = False
    if report is None:
        error = "did not run"
    elif "error" in report:
        error = _truncate(str(report["error"]), DETAIL_LIMIT)
    elif "value" in report:
        got = _truncate(str(report["value"]), DETAIL_LIMIT)
        try:
            passed = _same_json(json.loads(str(report["value"])), test.expected)
        except ValueError:
            passed = False
    else:
        got = _truncate(str(report.get("repr")), DETAIL_LIMIT)
        error = "returned a value that is not JSON"
    if test.hidden:
        got = error = None
    return TestResult(test.name, passed, test.hidden, got, error)


__all__ = [
    "Limits",
    "RunResult",
    "TestCase",
    "TestResult",
    "active_runs",
    "availability",
    "run_marker",
    "run_tests",
]
