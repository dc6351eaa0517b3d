"""`/healthz` (the process is up), `/readyz` (database reachable and migrated), `/metrics`."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from hireflow import metrics
from hireflow.db import Database
from hireflow.migrate import current_revision, head_revision
from hireflow.problems import DATABASE_UNAVAILABLE, PROBLEM_MEDIA_TYPE, problem_body

log = structlog.get_logger(__name__)
router = APIRouter(tags=["operations"])

READY_TIMEOUT_SECONDS = 3.0
UNREACHABLE: tuple[type[Exception], ...] = (*DATABASE_UNAVAILABLE, TimeoutError, OSError)


@router.get("/healthz", summary="Liveness: the process answers")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: database reachable and migrations at head",
    responses={503: {"description": "Not ready; the body says why."}},
)
async def readyz(request: Request) -> Response:
    database: Database = request.app.state.database
    head = head_revision()
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), database.sessionmaker() as session:
            current = await current_revision(session)
    except UNREACHABLE as exc:
        log.warning(
            "not ready: database unreachable",
            error=str(exc).splitlines()[0] if str(exc) else repr(exc),
        )
        return _not_ready(request, "The database cannot be reached.", database="unreachable")
    if current != head:
        return _not_ready(
            request,
            f"The database schema is at {current}, not at {head}: run `hireflow migrate`.",
            database="ok",
            migrations={"current": current, "head": head},
        )
    return JSONResponse(
        {"status": "ready", "database": "ok", "migrations": {"current": current, "head": head}}
    )


def _not_ready(request: Request, detail: str, **extra: object) -> Response:
    body = problem_body(
        503,
        "not-ready",
        "Not ready",
        detail,
        instance="/readyz",
        request_id=getattr(request.state, "request_id", None),
        extra=extra,
    )
    return JSONResponse(
        body, status_code=503, media_type=PROBLEM_MEDIA_TYPE, headers={"Retry-After": "5"}
    )


JOB_COUNTS = text(
    "SELECT task_name, status::text AS status, count(*) AS n "
    "FROM procrastinate_jobs GROUP BY task_name, status"
)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
async def prometheus_metrics(request: Request) -> Response:
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), database.sessionmaker() as session:
            rows = (await session.execute(JOB_COUNTS)).all()
    except UNREACHABLE:
        metrics.JOBS_SCRAPE_ERROR.set(1)
    else:
        metrics.JOBS_SCRAPE_ERROR.set(0)
        metrics.JOBS.clear()
        for task_name, status, count in rows:
            metrics.JOBS.labels(task_name, status).set(count)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
