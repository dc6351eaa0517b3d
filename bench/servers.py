"""Servers under test: started as subprocesses on 127.0.0.1, awaited until they answer, and always
stopped (SIGTERM, then SIGKILL) when the block ends — on success, error or Ctrl+C."""

from __future__ import annotations

import contextlib
import http.client
import json
import shlex
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0


class ServerError(RuntimeError):
    """A server did not start or did not answer as expected; the message says where to look."""


@dataclass(frozen=True)
class ServerCommand:
    argv: list[str]
    env: Mapping[str, str]
    log_file: Path
    ready_path: str  # answers 200 once the server can serve the scenarios


@dataclass(frozen=True)
class RunningServer:
    label: str  # the command line, for messages
    process: subprocess.Popen[bytes]
    port: int
    log_file: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    """One GET on loopback (http.client: no proxy settings apply)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check_json(port: int, path: str, expect: Mapping[str, Any]) -> None:
    """Fail unless `path` answers 200 with a JSON object containing `expect`."""
    status, body = get(port, path)
    if status != 200:
        raise ServerError(f"GET {path} answered {status}: {body[:300]!r}")
    document = json.loads(body)
    wrong = {k: document.get(k) for k, v in expect.items() if document.get(k) != v}
    if wrong:
        raise ServerError(f"GET {path} answered {wrong}, expected {dict(expect)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    except KeyboardInterrupt:  # a second Ctrl+C: don't wait for a graceful stop
        process.kill()
        process.wait()
        raise


@contextlib.contextmanager
def running(command: ServerCommand, port: int, cwd: Path) -> Iterator[RunningServer]:
    command.log_file.parent.mkdir(parents=True, exist_ok=True)
    with command.log_file.open("wb") as log:
        log.write(f"=== {time.strftime('%Y-%m-%d %H:%M:%S')} {command.argv}\n".encode())
        log.flush()
        # A session of its own: Ctrl+C reaches only us, and we stop the server ourselves.
        process = subprocess.Popen(
            command.argv,
            cwd=cwd,
            env=dict(command.env),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            server = RunningServer(shlex.join(command.argv), process, port, command.log_file)
            _wait_until_ready(server, command.ready_path)
            yield server
        finally:
            stop(process)


def _wait_until_ready(server: RunningServer, path: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerError(
                f"{server.label} exited with {server.process.returncode}; see {server.log_file}"
            )
        try:
            status, body = get(server.port, path, timeout=2.0)
        except OSError as exc:
            last = str(exc)
        else:
            if status == 200:
                return
            last = f"{status}: {body[:200]!r}"
        time.sleep(0.1)
    raise ServerError(
        f"{server.label} did not answer GET {path} within {START_TIMEOUT:.0f}s "
        f"({last}); see {server.log_file}"
    )
