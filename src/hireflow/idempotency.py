"""Idempotent create requests (`Idempotency-Key`), one mechanism for every route that needs it.

- Same caller + same key + same body: the first response again (status and body), however
  often it is retried, for `Settings.idempotency_hours` (≥ 24 h).
- Same key + a different body: 422 `idempotency-key-reused`; nothing changes.
- Same key while the first request is still running: 409 `idempotency-key-in-flight` with
  `Retry-After`; nothing changes.

The first request holds a transaction-scoped advisory lock on the key while it works and
stores its response in the same transaction as the change it made, so exactly one change is
ever made per key, also under many concurrent identical requests: a concurrent request either
fails to take the lock (409) or takes it after the first committed and finds the stored
response.

Responses can carry a secret (an interview link). They are stored sealed with AES-GCM under a
key derived from the idempotency key itself (which is stored only as a hash), so only a client
that holds the key can read them back (docs/decisions/0007-interview-links.md).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from fastapi.responses import JSONResponse
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.authz.context import Ctx
from hireflow.config import Settings, signing_key
from hireflow.errors import AppError, Invalid
from hireflow.kit import clock, sealing
from hireflow.models import IdempotencyRecord

HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{8,255}$")  # printable ASCII, no spaces


class KeyInFlight(AppError):
    status = 409
    code = "idempotency-key-in-flight"
    title = "A request with this Idempotency-Key is still being processed"


class KeyReused(AppError):
    status = 422
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used for a different request"


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]


@dataclass(frozen=True)
class Claim:
    """A key this request holds: `save` stores the response under it."""

    principal: str
    scope: str
    key: str
    key_hash: str
    request_hash: str
    organization_id: uuid.UUID | None


def principal_of(ctx: Ctx) -> str:
    if ctx.api_token is not None and ctx.user is None:
        return f"token:{ctx.api_token.id}"
    assert ctx.user is not None
    return f"user:{ctx.user.id}"


def request_hash(payload: dict[str, Any]) -> str:
    """A stable hash of the request's meaning (its validated fields, file digests)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str) -> str:
    if not _KEY_PATTERN.match(key):
        raise Invalid(
            f"{HEADER} must be 8 to 255 printable ASCII characters without spaces "
            "(a UUID is a good choice).",
            extra={"field": HEADER},
        )
    return key


async def begin(
    session: AsyncSession,
    ctx: Ctx,
    *,
    scope: str,
    key: str,
    request_hash: str,
    settings: Settings,
) -> Claim | Replay:
    """Claim `key` for this request (→ `Claim`, then call `save`), or the stored response of
    the request that already used it (→ `Replay`)."""
    check_key(key)
    principal = principal_of(ctx)
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    lock = f"{principal}|{scope}|{key_hash}"
    got = await session.scalar(
        select(func.pg_try_advisory_xact_lock(func.hashtextextended(lock, 0)))
    )
    if not got:
        raise KeyInFlight(
            "The first request with this Idempotency-Key has not finished yet. "
            "Retry in a moment to get its response.",
            headers={"Retry-After": "1"},
        )
    where = (
        IdempotencyRecord.principal == principal,
        IdempotencyRecord.scope == scope,
        IdempotencyRecord.key_hash == key_hash,
    )
    record = await session.scalar(select(IdempotencyRecord).where(*where))
    if record is not None and record.expires_at <= clock.now():
        await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
        record = None
    if record is None:
        return Claim(principal, scope, key, key_hash, request_hash, ctx.organization.id)
    if record.request_hash != request_hash:
        raise KeyReused(
            "This Idempotency-Key was already used with a different request body. "
            "Use a new key for a new request."
        )
    try:
        body = json.loads(_open(record.response_sealed, key, settings))
    except InvalidTag:  # the installation's secret key changed since
        raise KeyReused(
            "The response stored for this Idempotency-Key can no longer be read. "
            "Use a new key for a new request."
        ) from None
    return Replay(record.response_status, body)


async def save(
    session: AsyncSession,
    claim: Claim,
    *,
    status: int,
    body: dict[str, Any],
    resource_id: uuid.UUID | None,
    settings: Settings,
) -> None:
    """Store the response for `claim`, in the transaction of the change it describes."""
    sealed = _seal(json.dumps(body, default=str).encode(), claim.key, settings)
    session.add(
        IdempotencyRecord(
            organization_id=claim.organization_id,
            principal=claim.principal,
            scope=claim.scope,
            key_hash=claim.key_hash,
            request_hash=claim.request_hash,
            response_status=status,
            response_sealed=sealed,
            resource_id=resource_id,
            expires_at=clock.now() + timedelta(hours=settings.idempotency_hours),
        )
    )
    await session.flush()


async def delete_expired(session: AsyncSession) -> int:
    result = await session.execute(text("DELETE FROM idempotency_record WHERE expires_at < now()"))
    return int(getattr(result, "rowcount", 0) or 0)


def _key(key: str, settings: Settings) -> bytes:
    return sealing.derive_key(
        key.encode(), b"hireflow idempotency response v1", salt=signing_key(settings)
    )


def _seal(data: bytes, key: str, settings: Settings) -> bytes:
    return sealing.seal(data, _key(key, settings))


def _open(sealed: bytes, key: str, settings: Settings) -> bytes:
    return sealing.unseal(sealed, _key(key, settings))


def response(status: int, body: dict[str, Any], replayed: bool) -> JSONResponse:
    """The route's answer: the stored response of a replay says so in `Idempotent-Replayed`."""
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return JSONResponse(body, status_code=status, headers=headers)
