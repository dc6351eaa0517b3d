"""The one ASGI middleware around every HTTP request: request id, structured access log,
metrics, security headers, body size limit, and a problem response for any unhandled error."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hireflow import metrics
from hireflow.problems import render_error, render_http_exception

log = structlog.get_logger("hireflow.http")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

_SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), payment=(), usb=()"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'",
    ),
]


class HttpMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_upload_bytes: int | None = None,
        hsts: bool = False,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Multipart bodies carry files; every other body is held to `max_body_bytes`.
        self.max_upload_bytes = max(max_upload_bytes or max_body_bytes, max_body_bytes)
        self.headers = list(_SECURITY_HEADERS)
        if hsts:
            self.headers.append(
                (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_headers = Headers(scope=scope)
        incoming = request_headers.get("x-request-id", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        started = time.perf_counter()
        status = 500
        response_started = False
        own_headers = [(b"x-request-id", request_id.encode()), *self.headers]
        if scope["path"].startswith("/api/"):
            own_headers.append((b"cache-control", b"no-store"))

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in own_headers if h[0] not in present)
                message["headers"] = headers
            await send(message)

        received = 0
        content_type = request_headers.get("content-type", "").lower()
        limit = (
            self.max_upload_bytes
            if content_type.startswith("multipart/form-data")
            else self.max_body_bytes
        )

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise self._too_large(limit)
            return message

        try:
            declared = request_headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise self._too_large(limit)
            await self.app(scope, limited_receive, send_with_headers)
        except Exception as exc:
            if response_started:
                log.exception("error after the response started")
                raise
            request = Request(scope, receive)
            if isinstance(exc, HTTPException):  # the body limit, hit outside a route
                response = render_http_exception(request, exc)
            else:
                log.exception("unhandled error", error_type=type(exc).__name__)
                response = render_error(
                    request,
                    500,
                    "internal-error",
                    "Something went wrong on our side. It has been logged with the request id.",
                )
            await response(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or (
                "/static" if scope["path"].startswith("/static/") else "<unmatched>"
            )
            method = scope["method"]
            metrics.HTTP_REQUESTS.labels(method, template, str(status)).inc()
            metrics.HTTP_LATENCY.labels(method, template).observe(elapsed)
            log.info(
                "request",
                method=method,
                path=scope["path"],
                route=template,
                status=status,
                duration_ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.clear_contextvars()

    def _too_large(self, limit: int) -> HTTPException:
        return HTTPException(413, f"The request body is larger than the limit of {limit} bytes.")
