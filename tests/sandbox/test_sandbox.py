"""Sandboxed code runs: results, and containment of everything a candidate's code may try.

Each containment test checks both sides: what the code saw (its error) and that the host is
unchanged (no connection reached the listener, no file was written, no process is left).
When the sandbox cannot be set up here, these tests are skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import resource
import secrets
import socket
import tempfile
from pathlib import Path
from typing import cast
from urllib.parse import parse_qs, urlsplit

import pytest

from hireflow.config import PROJECT_ROOT, Settings
from hireflow.sandbox import (
    Language,
    Limits,
    TestCase,
    active_runs,
    availability,
    run_marker,
    run_tests,
)

ADD_TESTS = [
    TestCase("small", [1, 2], 3),
    TestCase("negative", [-4, 1], -3),
    TestCase("hidden big", [10**6, 1], 1_000_001, hidden=True),
]
FAST = Limits(cpu_seconds=1.0, wall_seconds=3.0)


@pytest.fixture(params=["python", "javascript"])
def language(request: pytest.FixtureRequest) -> Language:
    ok, reason = availability(request.param)
    if not ok:
        pytest.skip(f"code runs are unavailable on this server: {reason}")
    return cast(Language, request.param)


def code(language: Language, python: str, javascript: str) -> str:
    return python if language == "python" else javascript


def sandbox_processes() -> list[int]:
    """Processes of this test process's sandbox runs still alive (found by the marker in their
    argv: launchers, harnesses and their forks; the JavaScript fork bomb passes it on)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if run_marker().encode() in cmdline.split(b"\0"):
            found.append(int(entry.name))
    return found


def exists(path: str | Path) -> bool:
    return os.path.exists(path)


def leftover_roots() -> list[str]:
    return [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(f"{run_marker()}-")]


# -- results -----------------------------------------------------------------------------------


async def test_correct_solution_passes(language: Language) -> None:
    source = code(
        language,
        "def add(a, b):\n    print('working')\n    return a + b\n",
        "function add(a, b) { console.log('working'); return a + b; }",
    )
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status == "ok", result.detail
    assert (result.passed, result.total) == (3, 3)
    assert [r.passed for r in result.results] == [True, True, True]
    assert result.results[0].got == "3"
    assert "working" in result.stdout


async def test_wrong_solution_fails_per_test_and_hides_hidden_details(language: Language) -> None:
    source = code(
        language,
        "def add(a, b):\n    if a < 0:\n        raise ValueError('negative')\n    return a * b\n",
        "function add(a, b) { if (a < 0) throw new Error('negative'); return a * b; }",
    )
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status == "failed"
    assert (result.passed, result.total) == (0, 3)
    small, negative, hidden = result.results
    assert (small.name, small.passed, small.hidden, small.got) == ("small", False, False, "2")
    assert negative.error is not None
    assert "negative" in negative.error
    assert hidden.hidden
    assert not hidden.passed
    assert hidden.got is None
    assert hidden.error is None


async def test_async_and_json_shapes(language: Language) -> None:
    source = code(
        language,
        "def pair(x):\n    return {'x': x, 'list': [x, True]}\n",
        "async function pair(x) { return { list: [x, true], x }; }",
    )
    tests = [TestCase("shape", [1], {"x": 1, "list": [1, True]}), TestCase("bool", [1], {"x": 1})]
    result = await run_tests(language, source, "pair", tests)
    assert [r.passed for r in result.results] == [True, False]


async def test_syntax_error_is_an_error(language: Language) -> None:
    source = code(language, "def add(a, b) return a\n", "function add(a, b) { return a + }")
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status == "error"
    assert "SyntaxError" in result.detail
    assert result.passed == 0


async def test_missing_entrypoint_is_an_error(language: Language) -> None:
    result = await run_tests(language, "x = 1", "add", ADD_TESTS)
    assert result.status == "error"
    assert "no function named add" in result.detail


async def test_invalid_entrypoint_name_runs_nothing() -> None:
    result = await run_tests("javascript", "", "a;process.exit(1)", ADD_TESTS)
    assert result.status == "error"
    assert result.results == ()


async def test_forged_result_lines_do_not_count(language: Language) -> None:
    # The candidate prints harness-looking lines and writes to the result channel directly,
    # without the run's nonce; its real answers are wrong.
    source = code(
        language,
        "import os\n"
        "def add(a, b):\n"
        '    line = \'{"test": 0, "value": "3", "nonce": "guess"}\\n\'\n'
        "    print(line)\n"
        "    os.write(3, line.encode())\n"
        "    os.write(3, b'{\"done\": true}\\n')\n"
        "    return 0\n",
        "const fs = require('fs');\n"
        "function add(a, b) {\n"
        '  const line = \'{"test": 0, "value": "3", "nonce": "guess"}\\n\';\n'
        "  console.log(line); fs.writeSync(3, line); fs.writeSync(3, '{\"done\": true}\\n');\n"
        "  return 0;\n"
        "}",
    )
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status == "failed"
    assert result.passed == 0
    assert result.results[0].got == "0"


# -- containment -------------------------------------------------------------------------------


async def test_infinite_loop_times_out(language: Language) -> None:
    source = code(
        language,
        "def add(a, b):\n    while True:\n        pass\n",
        "function add() { for (;;) {} }",
    )
    result = await run_tests(language, source, "add", ADD_TESTS, FAST)
    assert result.status == "timeout", result.detail
    assert sandbox_processes() == []


async def test_sleeping_forever_hits_the_wall_limit(language: Language) -> None:
    source = code(
        language,
        "import time\ndef add(a, b):\n    time.sleep(60)\n",
        "function add() { return new Promise(() => setInterval(() => {}, 1000)); }",
    )
    limits = Limits(wall_seconds=1.0)
    result = await run_tests(language, source, "add", ADD_TESTS, limits)
    assert result.status == "timeout"
    assert "longer than 1 s" in result.detail
    assert sandbox_processes() == []


async def test_fork_bomb_is_stopped_and_leaves_no_process(language: Language) -> None:
    source = code(
        language,
        "import os\n"
        "def add(a, b):\n"
        "    while True:\n"
        "        try:\n"
        "            os.fork()\n"
        "        except OSError:\n"
        "            pass\n",
        "const cp = require('child_process');\n"
        "function add() {\n"
        "  for (;;) {\n"
        "    try {\n"
        "      const args = ['-e', 'setInterval(() => {}, 1000)', process.argv[2]];\n"
        "      cp.spawn(process.execPath, args).on('error', () => {});\n"
        "    } catch (e) {}\n"
        "  }\n"
        "}",
    )
    result = await run_tests(language, source, "add", ADD_TESTS, FAST)
    assert result.status in ("timeout", "error"), result.detail
    assert sandbox_processes() == []
    after = await run_tests(
        language,
        code(
            language,
            "def add(a, b): return a + b",
            "const add = (a, b) => a + b;",
        ),
        "add",
        ADD_TESTS,
    )
    assert after.status == "ok"


async def test_fork_is_limited_by_the_process_limit() -> None:
    if not availability("python")[0]:
        pytest.skip(f"code runs are unavailable on this server: {availability('python')[1]}")
    source = (
        "import os, time\n"
        "def count():\n"
        "    n = 0\n"
        "    try:\n"
        "        while n < 1000:\n"
        "            if os.fork() == 0:\n"
        "                time.sleep(30)\n"
        "                os._exit(0)\n"
        "            n += 1\n"
        "    except OSError:\n"
        "        pass\n"
        "    return n\n"
    )
    result = await run_tests(
        "python", source, "count", [TestCase("forks", [], 0)], Limits(processes=8)
    )
    assert result.results[0].got is not None
    assert 0 <= int(result.results[0].got) < 8  # the harness itself is one of the eight
    assert sandbox_processes() == []


async def test_memory_hog_is_stopped_and_the_host_unharmed(language: Language) -> None:
    source = code(
        language,
        "def add(a, b):\n    hog = []\n    while True:\n        hog.append(' ' * 10**7)\n",
        "function add() { const hog = [];"
        " for (;;) hog.push(Buffer.alloc(1e7, 1), new Array(1e6).fill(1.5)); }",
    )
    limits_before = resource.getrlimit(resource.RLIMIT_AS)
    result = await run_tests(language, source, "add", ADD_TESTS, FAST)
    assert result.status in ("memory", "error"), result.detail
    assert resource.getrlimit(resource.RLIMIT_AS) == limits_before
    assert len(bytearray(64 * 1024 * 1024)) == 64 * 1024 * 1024  # we can still allocate
    assert sandbox_processes() == []


def _database_socket() -> Path | None:
    url = Settings().test_database_url or os.environ.get("HIREFLOW_TEST_DATABASE_URL") or ""
    hosts = parse_qs(urlsplit(url).query).get("host", [])
    for host in hosts:
        sockets = sorted(Path(host).glob(".s.PGSQL.*"))
        sockets = [s for s in sockets if not s.name.endswith(".lock")]
        if sockets:
            return sockets[0]
    return None


async def test_network_is_unreachable(language: Language) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.setblocking(False)
    port = listener.getsockname()[1]
    database = _database_socket()
    targets = [["127.0.0.1", port]]
    if database is not None:
        assert exists(database)
        targets.append([str(database), 0])
    source = code(
        language,
        "import socket\n"
        "def reach(host, port):\n"
        "    if port:\n"
        "        socket.create_connection((host, port), timeout=1)\n"
        "    else:\n"
        "        s = socket.socket(socket.AF_UNIX)\n"
        "        s.connect(host)\n"
        "    return 'connected'\n",
        "const net = require('net');\n"
        "function reach(host, port) {\n"
        "  return new Promise((resolve, reject) => {\n"
        "    const s = port ? net.connect(port, host) : net.connect(host);\n"
        "    s.on('connect', () => resolve('connected'));\n"
        "    s.on('error', reject);\n"
        "  });\n"
        "}",
    )
    tests = [TestCase(f"reach {t[0]}", t, "connected") for t in targets]
    try:
        result = await run_tests(language, source, "reach", tests)
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        listener.close()
    assert result.status == "failed", result.detail
    assert result.passed == 0
    assert all(r.error for r in result.results), result.results


async def test_host_files_are_not_readable(language: Language) -> None:
    project_file = PROJECT_ROOT / "AGENTS.md"
    assert exists(project_file)
    assert exists("/etc/passwd")
    source = code(
        language,
        "def read(path):\n    with open(path) as f:\n        return f.read()[:20]\n",
        "const fs = require('fs');\n"
        "function read(path) { return fs.readFileSync(path, 'utf8').slice(0, 20); }",
    )
    paths = ["/etc/passwd", str(project_file), "/root/.bashrc", "/proc/1/environ"]
    tests = [TestCase(p, [p], "") for p in paths]
    result = await run_tests(language, source, "read", tests)
    assert result.status == "failed"
    for r in result.results:
        assert r.got is None, r
        assert r.error, r


async def test_writes_outside_scratch_fail(language: Language) -> None:
    name = f"hireflow-sandbox-escape-{secrets.token_hex(4)}"
    targets = [f"/tmp/{name}", str(PROJECT_ROOT / name), f"/{name}"]
    source = code(
        language,
        "def write(path):\n    with open(path, 'w') as f:\n        f.write('x')\n"
        "    return 'written'\n",
        "const fs = require('fs');\n"
        "function write(path) { fs.writeFileSync(path, 'x'); return 'written'; }",
    )
    tests = [TestCase(t, [t], "written") for t in [*targets, "/scratch/ok.txt"]]
    result = await run_tests(language, source, "write", tests)
    assert [r.passed for r in result.results] == [False, False, False, True]
    for target in targets:
        assert not exists(target)


async def test_huge_output_is_cut_quickly(language: Language) -> None:
    source = code(
        language,
        "import sys\ndef add(a, b):\n    while True:\n        sys.stdout.write('x' * 4096)\n",
        "function add() { for (;;) process.stdout.write('x'.repeat(4096)); }",
    )
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status == "output_limit", result.detail
    assert len(result.stdout) < 10_000
    assert sandbox_processes() == []


async def test_big_file_is_stopped(language: Language) -> None:
    source = code(
        language,
        "def add(a, b):\n    with open('/scratch/big', 'w') as f:\n        while True:\n"
        "            f.write('x' * 65536)\n",
        "const fs = require('fs');\nfunction add() { const fd = fs.openSync('/scratch/big', 'w');"
        " for (;;) fs.writeSync(fd, 'x'.repeat(65536)); }",
    )
    result = await run_tests(language, source, "add", ADD_TESTS)
    assert result.status in ("error", "failed"), result.detail
    assert result.passed == 0


async def test_scratch_is_fresh_and_gone_after_the_run(language: Language) -> None:
    before = leftover_roots()
    source = code(
        language,
        "import os\ndef mark(path):\n    seen = os.path.exists(path)\n"
        "    open(path, 'w').write('x')\n    return seen\n",
        "const fs = require('fs');\nfunction mark(path) { const seen = fs.existsSync(path);"
        " fs.writeFileSync(path, 'x'); return seen; }",
    )
    tests = [TestCase("mark", ["/scratch/left-behind"], False)]
    first = await run_tests(language, source, "mark", tests)
    second = await run_tests(language, source, "mark", tests)
    assert (first.status, second.status) == ("ok", "ok")  # the second run did not see the file
    assert leftover_roots() == before == []


async def test_concurrent_runs_are_limited() -> None:
    if not availability("python")[0]:
        pytest.skip(f"code runs are unavailable on this server: {availability('python')[1]}")
    source = "import time\ndef nap():\n    time.sleep(0.8)\n    return 1\n"
    most = 0

    async def watch() -> None:
        nonlocal most
        while True:
            most = max(most, active_runs())
            await asyncio.sleep(0.02)

    watcher = asyncio.create_task(watch())
    try:
        results = await asyncio.gather(
            *(run_tests("python", source, "nap", [TestCase("nap", [], 1)]) for _ in range(4))
        )
    finally:
        watcher.cancel()
    assert [r.status for r in results] == ["ok"] * 4
    assert most == Settings().sandbox_concurrency == 2


async def test_oversized_or_invalid_code_runs_nothing() -> None:
    too_long = await run_tests("python", "#" * 300_000, "add", ADD_TESTS)
    surrogate = await run_tests("python", "def add(a, b): return '\ud800'", "add", ADD_TESTS)
    for result in (too_long, surrogate):
        assert result.status == "error"
        assert result.results == ()
