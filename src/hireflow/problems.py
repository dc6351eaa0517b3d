"""Renders every error: `application/problem+json` (RFC 9457) for the API, an error page for
browsers, a toast fragment for htmx requests."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import psycopg
import psycopg_pool
import sqlalchemy.exc
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from hireflow.errors import AppError
from hireflow.web.templating import templates

log = structlog.get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:hireflow:problem:"
NON_PAGE_PATHS = ("/api/", "/healthz", "/readyz", "/metrics", "/static/")

# Errors meaning "the database cannot be reached right now": answered with 503 and Retry-After.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    psycopg_pool.PoolTimeout,
)

_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    413: "payload-too-large",
    415: "unsupported-media-type",
    429: "too-many-requests",
}


def problem_body(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    request_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    # Extension members never replace the standard ones (RFC 9457 §3.1): `status` stays the
    # HTTP status whatever a service puts in `extra`.
    body.update({k: v for k, v in (extra or {}).items() if k not in body})
    return body


def is_page_request(path: str, headers: Any) -> bool:
    if path.startswith(NON_PAGE_PATHS):
        return False
    return "text/html" in headers.get("accept", "")


def render_error(
    request: Request,
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    title = title or HTTPStatus(status).phrase
    request_id = getattr(request.state, "request_id", None)
    headers = dict(headers or {})
    if request.headers.get("hx-request") == "true":
        # htmx swaps the toast into the page's toast region whatever the request targeted.
        headers.update({"HX-Retarget": "#toasts", "HX-Reswap": "beforeend"})
        return templates.TemplateResponse(
            request,
            "partials/toast.html",
            {"kind": "error", "title": title, "message": detail, "request_id": request_id},
            status_code=status,
            headers=headers,
        )
    if is_page_request(request.url.path, request.headers):
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail, "request_id": request_id},
            status_code=status,
            headers=headers,
        )
    return JSONResponse(
        problem_body(
            status,
            code,
            title,
            detail,
            instance=request.url.path,
            request_id=request_id,
            extra=extra,
        ),
        status_code=status,
        headers=headers,
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return render_error(
        request,
        exc.status,
        exc.code,
        exc.detail,
        title=exc.title,
        extra=exc.extra,
        headers=exc.headers,
    )


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return render_http_exception(request, exc)


def render_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    code = _CODES.get(exc.status_code, HTTPStatus(exc.status_code).phrase.lower().replace(" ", "-"))
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).description
    if exc.status_code == 404 and exc.detail == "Not Found":
        detail = "There is nothing at this address."
    return render_error(request, exc.status_code, code, detail, headers=dict(exc.headers or {}))


def _pointer(parts: tuple[Any, ...]) -> str:
    # RFC 6901 JSON Pointer, as a URI fragment.
    return "#/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors: list[dict[str, Any]] = []
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", "parse error")
            return render_error(
                request,
                400,
                "malformed-json",
                f"The request body is not valid JSON ({reason}).",
            )
        item: dict[str, Any] = {"detail": error.get("msg", "invalid"), "code": error.get("type")}
        where = loc[0] if loc else "body"
        if where == "body":
            item["pointer"] = _pointer(loc[1:])
        else:
            item["parameter"] = str(loc[1]) if len(loc) > 1 else str(where)
            item["in"] = where
        errors.append(item)
    count = len(errors)
    detail = f"{count} field{'s' if count != 1 else ''} failed validation."
    return render_error(
        request,
        422,
        "validation-error",
        detail,
        title="Validation failed",
        extra={"errors": errors},
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    log.warning("database unavailable", error=str(exc).splitlines()[0] if str(exc) else repr(exc))
    return render_error(
        request,
        503,
        "database-unavailable",
        "The database cannot be reached right now. Try again in a few seconds.",
        headers={"Retry-After": "5"},
    )


# SQLSTATE class 22, "data exception": a value the database cannot take (text with a NUL
# byte, a number out of its column's range, a malformed date). Always caused by a value sent
# to us, so a 422 — the transaction is rolled back like for any error.
DATA_ERRORS: tuple[type[Exception], ...] = (sqlalchemy.exc.DataError, psycopg.DataError)


async def _data_error(request: Request, exc: Exception) -> Response:
    cause = getattr(exc, "orig", None) or exc
    reason = str(cause).splitlines()[0] if str(cause) else type(cause).__name__
    log.warning("value refused by the database", error=reason[:300])
    return render_error(
        request,
        422,
        "invalid-value",
        f"A value in the request cannot be stored ({reason[:200]}).",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for exc_type in DATABASE_UNAVAILABLE:
        app.add_exception_handler(exc_type, _database_unavailable)
    for exc_type in DATA_ERRORS:
        app.add_exception_handler(exc_type, _data_error)
