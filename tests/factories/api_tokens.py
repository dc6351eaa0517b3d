"""Builders for personal API tokens and organization API keys (the raw token is returned too,
to send as `Authorization: Bearer`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.auth.api_tokens import ORGANIZATION, PERSONAL, PREFIXES, SHOWN_CHARS
from hireflow.kit.clock import now
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import ApiToken


async def _make(
    session: AsyncSession,
    kind: str,
    *,
    user_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    created_by: uuid.UUID,
    name: str,
    scopes: list[str],
    expires_at: datetime | None,
    revoked_at: datetime | None,
) -> tuple[ApiToken, str]:
    raw = PREFIXES[kind] + new_token()
    row = ApiToken(
        kind=kind,
        user_id=user_id,
        organization_id=organization_id,
        name=name,
        prefix=raw[:SHOWN_CHARS],
        token_hash=hash_token(raw),
        scopes=scopes,
        created_by_user_id=created_by,
        created_at=now(),
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
    session.add(row)
    await session.flush()
    return row, raw


async def make_personal_token(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    name: str = "script",
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    return await _make(
        session,
        PERSONAL,
        user_id=user_id,
        organization_id=None,
        created_by=user_id,
        name=name,
        scopes=scopes or [],
        expires_at=expires_at,
        revoked_at=revoked_at,
    )


async def make_organization_key(
    session: AsyncSession,
    organization_id: uuid.UUID,
    created_by: uuid.UUID,
    *,
    name: str = "integration",
    scopes: list[str],
    expires_at: datetime | None = None,
    revoked_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    return await _make(
        session,
        ORGANIZATION,
        user_id=None,
        organization_id=organization_id,
        created_by=created_by,
        name=name,
        scopes=scopes,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
