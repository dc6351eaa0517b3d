"""Expected errors: each carries its HTTP status and a stable code, rendered by `problems`."""

from __future__ import annotations

from typing import Any, ClassVar


class AppError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        keep_changes: bool = False,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra or {}
        self.headers = headers or {}
        # Commit the transaction anyway: for records that must outlive a refusal, such as a
        # failed sign-in's throttle counter and audit event.
        self.keep_changes = keep_changes


class Invalid(AppError):
    status = 422
    code = "invalid"
    title = "The request is not valid"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    title = "Authentication required"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(AppError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(AppError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class PayloadTooLarge(AppError):
    status = 413
    code = "payload-too-large"
    title = "Request body too large"


class TooManyRequests(AppError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"

    def __init__(
        self, detail: str | None = None, *, retry_after: int, keep_changes: bool = False
    ) -> None:
        super().__init__(
            detail, headers={"Retry-After": str(retry_after)}, keep_changes=keep_changes
        )


class ServiceUnavailable(AppError):
    status = 503
    code = "service-unavailable"
    title = "Service temporarily unavailable"

    def __init__(self, detail: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})
