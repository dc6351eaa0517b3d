"""The task queue (procrastinate on PostgreSQL) and the worker that runs it.

Domain code declares jobs with `@task(...)` in its `tasks.py` and defers them with
`enqueue(session, task, ...)`, which writes the job in the caller's own transaction: a rolled-back
change enqueues nothing, a committed one never loses its job. Delivery is at least once, so
handlers must be idempotent. A job gets the worker's `Database` through `job_database(context)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

import procrastinate
import structlog
from procrastinate.psycopg_connector import PsycopgConnector
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.config import Settings, get_settings
from hireflow.db import Database, create_engine

log = structlog.get_logger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Modules whose import registers tasks; every worker imports them.
TASK_MODULES = [
    "hireflow.worker.maintenance",
    "hireflow.notifications.tasks",
    "hireflow.notifications.sms_tasks",
    "hireflow.auth.tasks",
    "hireflow.ai_interviews.tasks",
    "hireflow.inapp.triggers",  # in-app notification hooks (no tasks of its own)
    "hireflow.invitations.tasks",
]

# Exponential backoff: a failing job waits 2, 4, 8, 16 s between its 5 attempts (procrastinate
# counts the 4 retries), then stays in the `failed` state, counted in /metrics and listed by
# `hireflow jobs --status failed`.
DEFAULT_RETRY = procrastinate.RetryStrategy(max_attempts=4, exponential_wait=2)

queue = procrastinate.App(connector=PsycopgConnector())


def task(
    *, name: str, retry: procrastinate.RetryStrategy | int | bool = DEFAULT_RETRY, **options: Any
) -> Callable[[Callable[P, Awaitable[R]]], Any]:
    """Declare a background job. `name` is stable: it is stored with every queued job."""
    return queue.task(name=name, retry=retry, **options)


async def enqueue(
    session: AsyncSession, job_task: Any, *, schedule_at: datetime | None = None, **kwargs: Any
) -> int:
    """Defer `job_task` inside `session`'s transaction (not before `schedule_at` when given);
    returns the job id."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    configured = job_task.configure(connection=raw.driver_connection, schedule_at=schedule_at)
    job = await configured.defer_async(**kwargs)
    return int(job)


def job_database(context: procrastinate.JobContext) -> Database:
    database: Database = context.additional_context["database"]
    return database


def job_settings(context: procrastinate.JobContext) -> Settings:
    """The worker's settings when it passes them to jobs, else the process's."""
    settings = context.additional_context.get("settings")
    return settings if isinstance(settings, Settings) else get_settings()


def will_retry(job_task: Any, exc: BaseException, context: procrastinate.JobContext) -> bool:
    """Whether `exc`, raised by this run of `job_task`, gets the job retried. Asks the task's own
    retry strategy, so this agrees with procrastinate by construction: with
    RetryStrategy(max_attempts=N), `job.attempts` counts earlier runs and a retry is scheduled
    while `job.attempts < N`."""
    strategy: Any = getattr(job_task, "retry_strategy", None)
    if strategy is None:
        return False
    return strategy.get_retry_exception(exception=exc, job=context.job) is not None


async def _bind_job_to_logs(
    call_next: Callable[[], Awaitable[Any]], context: procrastinate.JobContext, worker: Any
) -> Any:
    job = context.job
    with structlog.contextvars.bound_contextvars(
        job_id=job.id, task=job.task_name, attempt=job.attempts + 1
    ):
        return await call_next()


@contextlib.asynccontextmanager
async def open_queue(conninfo: str, *, max_size: int = 4) -> AsyncIterator[None]:
    """Give the queue a connection pool (needed to run a worker or defer outside a request)."""
    connector = PsycopgConnector(conninfo=conninfo, min_size=1, max_size=max_size)
    with queue.replace_connector(connector):
        async with queue.open_async():
            yield


def import_task_modules(extra: list[str]) -> None:
    for module in [*TASK_MODULES, *extra]:
        importlib.import_module(module)


async def run_worker(
    conninfo: str, settings: Settings, *, name: str | None = None, wait: bool = True
) -> None:
    """Run a worker until cancelled. If the database goes away the worker waits for it and
    starts again, so a database restart never needs a hireflow restart."""
    import_task_modules(settings.worker_import_paths)
    name = name or f"{socket.gethostname()}-worker"
    backoff = 1.0
    while True:
        database = Database(create_engine(conninfo, settings))
        try:
            async with open_queue(conninfo, max_size=settings.worker_concurrency + 2):
                log.info("worker started", worker=name, concurrency=settings.worker_concurrency)
                backoff = 1.0
                await queue.run_worker_async(
                    name=name,
                    concurrency=settings.worker_concurrency,
                    wait=wait,
                    install_signal_handlers=False,
                    update_heartbeat_interval=settings.worker_heartbeat_seconds,
                    stalled_worker_timeout=settings.worker_stalled_after_seconds,
                    additional_context={"database": database, "settings": settings},
                    worker_middleware=[_bind_job_to_logs],
                )
            if not wait:
                return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning(
                "worker lost the database; retrying",
                error=str(exc).splitlines()[0] if str(exc) else repr(exc),
                retry_in_seconds=backoff,
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 30.0)
        finally:
            await database.dispose()
