"""The embedded server survives what a laptop does to it: a second process, a killed owner,
a killed server, a stale lock file pointing at someone else's pid."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from hireflow.kit.embedded_postgres import EmbeddedPostgres

HOLDER = """
import sys, time, warnings
from pathlib import Path
warnings.simplefilter("ignore")
from hireflow.kit.embedded_postgres import EmbeddedPostgres
server = EmbeddedPostgres(Path(sys.argv[1]), durable=False)
server.start()
print("owner" if server.owner else "attached", flush=True)
time.sleep(600)
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("embedded")
    yield path
    EmbeddedPostgres(path, durable=False).stop()
    server = EmbeddedPostgres(path, durable=False)
    server.start()
    server.stop()


def _holder(data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def _select_one(server: EmbeddedPostgres) -> int:
    with psycopg.connect(server.url("postgres"), connect_timeout=5) as conn:
        row = conn.execute("SELECT 1").fetchone()
    assert row is not None
    return int(row[0])


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "pgdata" / "postmaster.pid").read_text().splitlines()[0])
    except FileNotFoundError:
        return None


def test_listens_on_a_private_socket_only(data_dir: Path) -> None:
    with EmbeddedPostgres(data_dir, durable=False) as server:
        with psycopg.connect(server.url("postgres")) as conn:
            row = conn.execute("SHOW listen_addresses").fetchone()
            assert row == ("",)
            socket_dir = conn.execute("SHOW unix_socket_directories").fetchone()
        assert socket_dir is not None
        assert oct(Path(socket_dir[0]).stat().st_mode & 0o777) == "0o700"
    assert _postmaster_pid(data_dir) is None, "the owner stops the server when it is done"


def test_a_second_process_attaches_and_a_killed_owners_server_is_adopted(data_dir: Path) -> None:
    holder, role = _holder(data_dir)
    try:
        assert role == "owner"
        attached = EmbeddedPostgres(data_dir, durable=False)
        attached.start()
        assert not attached.owner
        assert _select_one(attached) == 1
        attached.stop()  # an attached process leaves the server running
        assert _select_one(attached) == 1

        server_pid = _postmaster_pid(data_dir)
        holder.send_signal(signal.SIGKILL)  # the owner crashes; its server lives on
        holder.wait(10)
        assert server_pid is not None
        assert _pid_alive(server_pid)

        adopter = EmbeddedPostgres(data_dir, durable=False)
        adopter.start()
        assert adopter.owner
        assert _postmaster_pid(data_dir) == server_pid
        assert _select_one(adopter) == 1
        adopter.stop()
        assert _postmaster_pid(data_dir) is None
    finally:
        if holder.poll() is None:
            holder.kill()


def _crash_server(data_dir: Path) -> int:
    """Start the server, kill -9 it and release ownership: its postmaster.pid stays behind."""
    server = EmbeddedPostgres(data_dir, durable=False)
    server.start()
    pid = _postmaster_pid(data_dir)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    _wait_gone(pid)
    server.stop()
    assert _postmaster_pid(data_dir) == pid, "postmaster.pid is left behind"
    return pid


def test_a_killed_server_leaves_a_stale_lock_that_is_cleared(data_dir: Path) -> None:
    pid = _crash_server(data_dir)

    restarted = EmbeddedPostgres(data_dir, durable=False)
    restarted.start()
    assert _postmaster_pid(data_dir) not in (None, pid)
    assert _select_one(restarted) == 1
    restarted.stop()


def test_a_lock_file_naming_a_live_unrelated_process_is_cleared(data_dir: Path) -> None:
    _crash_server(data_dir)
    lock = data_dir / "pgdata" / "postmaster.pid"
    lines = lock.read_text().splitlines()
    lines[0] = str(os.getpid())  # the pid now belongs to this (non-postgres) process
    lock.write_text("\n".join(lines) + "\n")

    restarted = EmbeddedPostgres(data_dir, durable=False)
    restarted.start()
    assert _select_one(restarted) == 1
    restarted.stop()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_gone(pid: int) -> None:
    import time

    deadline = time.monotonic() + 10
    while _pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.05)
    assert not _pid_alive(pid)
