"""Command line: `hireflow serve | worker | migrate | demo | createadmin | jobs | bench-data`."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import psycopg
import typer

from hireflow.config import Settings, get_settings
from hireflow.db import Database, create_engine, database_url
from hireflow.log import configure_logging

T = TypeVar("T")

cli = typer.Typer(
    name="hireflow",
    help="hireflow: the open-source hiring platform.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _settings() -> Settings:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _in_transaction(url: str, settings: Settings, work: Callable[..., Awaitable[T]]) -> T:
    async def run() -> T:
        database = Database(create_engine(url, settings))
        try:
            async with database.transaction() as session:
                return await work(session)
        finally:
            await database.dispose()

    return asyncio.run(run())


@cli.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to bind [default: HIREFLOW_HOST]")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: HIREFLOW_PORT]")] = None,
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run a queue worker in this process [default: on with the embedded database]",
        ),
    ] = None,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before serving")] = False,
    demo: Annotated[bool, typer.Option(help="Load the demo data before serving")] = False,
) -> None:
    """Start the web server (and, with the embedded database, a worker in the same process)."""
    import uvicorn

    from hireflow import migrate as migrations
    from hireflow.app import create_app
    from hireflow.demo import load_demo_data

    settings = _settings()
    host = host or settings.host
    port = port or settings.port
    # Links in emails and pages use `base_url`: without a public URL it is this host and port.
    settings = settings.model_copy(update={"host": host, "port": port})
    with database_url(settings) as url:
        if migrate:
            migrations.upgrade(url)
        logins = []
        if demo:
            logins = _in_transaction(
                url, settings, lambda s: load_demo_data(s, settings.demo_password)
            )
        with_worker = settings.embedded if worker is None else worker
        app = create_app(url, settings, run_worker=with_worker)
        print(f"\nhireflow is starting at http://{host}:{port}/", flush=True)
        where = (
            f"embedded, in {settings.data_dir}" if settings.embedded else "HIREFLOW_DATABASE_URL"
        )
        runs = "in this process" if with_worker else "run `hireflow worker`"
        print(f"  database: {where}; worker: {runs}")
        for login in logins:
            print(f"  demo login ({login.role}): {login.email} / {login.password}")
        if logins:
            print(
                "  (owners, admins and the platform admin set up an authenticator app at "
                "their first sign-in)"
            )
        print("  press Ctrl+C to stop\n", flush=True)
        # Everything imported and built so far lives as long as the process: keep it out of the
        # garbage collector's full passes, which otherwise pause requests (docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        uvicorn.run(
            app,
            host=host,
            port=port,
            log_config=None,
            server_header=False,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
        )


@cli.command()
def worker(
    concurrency: Annotated[
        int | None,
        typer.Option(min=1, max=64, help="Jobs run at once [default: HIREFLOW_WORKER_CONCURRENCY]"),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Worker name shown in logs")] = None,
) -> None:
    """Run a background-job worker until SIGINT/SIGTERM."""
    from hireflow.worker import run_worker

    settings = _settings()
    if concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})

    async def main(url: str) -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await run_worker(url, settings, name=name)

    with database_url(settings) as url:
        asyncio.run(main(url))


@cli.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision")] = "head",
) -> None:
    """Apply database migrations (creates the embedded database on first use)."""
    from hireflow import migrate as migrations

    settings = _settings()
    with database_url(settings) as url:
        migrations.upgrade(url, revision)
    print(f"database migrated to {revision}")


@cli.command()
def demo() -> None:
    """Load the demo organizations and logins (idempotent)."""
    from hireflow.demo import load_demo_data

    settings = _settings()
    with database_url(settings) as url:
        logins = _in_transaction(url, settings, lambda s: load_demo_data(s, settings.demo_password))
    for login in logins:
        print(f"demo login ({login.role}): {login.email} / {login.password}")


@cli.command("bench-data")
def bench_data(
    organizations: Annotated[int, typer.Option(min=2, help="Organizations")] = 1000,
    candidates: Annotated[int, typer.Option(min=4, help="Candidates")] = 200_000,
    applications: Annotated[int, typer.Option(min=0, help="Applications")] = 1_000_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same data)")] = 1,
) -> None:
    """Generate the large benchmark data set (see docs/benchmarks.md); once per database."""
    from hireflow import benchdata
    from hireflow import migrate as migrations

    try:
        plan = benchdata.Plan(organizations, candidates, applications, seed)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = _settings()
    with database_url(settings) as url:
        migrations.upgrade(url)
        with psycopg.connect(url) as conn:
            if benchdata.is_loaded(conn):
                print("benchmark data already loaded (organization bench-0000 exists)")
                return
            loaded = benchdata.load(conn, plan, settings.demo_password, print)
            conn.commit()
            benchdata.analyze(conn)
            conn.commit()
    print(
        f"loaded {loaded.organizations:,} organizations, {loaded.jobs:,} jobs, "
        f"{loaded.candidates:,} candidates and {loaded.applications:,} applications "
        f"in {loaded.seconds:,.0f} s; sign in as {benchdata.BENCH_EMAIL}"
    )


@cli.command()
def createadmin(
    email: Annotated[str, typer.Option(prompt=True, help="Email address of the admin")],
    name: Annotated[str, typer.Option(prompt=True, help="Full name")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input instead of a prompt"
        ),
    ] = False,
) -> None:
    """Create a platform admin (or promote an existing user and set their password)."""
    from hireflow.errors import AppError
    from hireflow.users.service import ensure_platform_admin

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    settings = _settings()
    try:
        with database_url(settings) as url:
            user, created = _in_transaction(
                url,
                settings,
                lambda s: ensure_platform_admin(s, email=email, name=name, password=password),
            )
    except AppError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        raise typer.Exit(2) from exc
    print(f"platform admin {'created' if created else 'updated'}: {user.email}")


@cli.command()
def jobs(
    status: Annotated[
        str | None,
        typer.Option(
            help="Only jobs in this state: todo, doing, succeeded, failed, cancelled, aborted"
        ),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first")] = 50,
) -> None:
    """List background jobs, e.g. `hireflow jobs --status failed`."""
    allowed = {"todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted"}
    if status is not None and status not in allowed:
        print(f"error: --status must be one of {', '.join(sorted(allowed))}", file=sys.stderr)
        raise typer.Exit(2)
    settings = _settings()
    with database_url(settings) as url, psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT id, task_name, status::text, attempts, scheduled_at, queue_name "
            "FROM procrastinate_jobs WHERE %(status)s::text IS NULL OR status::text = %(status)s "
            "ORDER BY id DESC LIMIT %(limit)s",
            {"status": status, "limit": limit},
        ).fetchall()
    if not rows:
        print("no jobs")
        return
    print(f"{'id':>8}  {'status':<10} {'attempts':>8}  {'queue':<10} task")
    for job_id, task_name, job_status, attempts, _scheduled, queue_name in rows:
        print(f"{job_id:>8}  {job_status:<10} {attempts:>8}  {queue_name:<10} {task_name}")


def main() -> None:
    cli()
