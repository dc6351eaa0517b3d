"""Single-use, expiring tokens sent by email: address verification and password reset."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import OneTimeToken

LIFETIMES = {"verify_email": timedelta(hours=48), "reset_password": timedelta(hours=1)}


async def issue(session: AsyncSession, user_id: uuid.UUID, purpose: str) -> str:
    """A new token for `purpose`; earlier unused ones of the same purpose stop working."""
    moment = now()
    await session.execute(
        update(OneTimeToken)
        .where(
            OneTimeToken.user_id == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_(None),
        )
        .values(used_at=moment)
    )
    raw = new_token()
    session.add(
        OneTimeToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(raw),
            created_at=moment,
            expires_at=moment + LIFETIMES[purpose],
        )
    )
    await session.flush()
    return raw


async def consume(session: AsyncSession, raw: str, purpose: str) -> uuid.UUID | None:
    """The user id of a valid token, which is used up; None when unknown, used or expired."""
    token = await session.scalar(
        select(OneTimeToken)
        .where(OneTimeToken.token_hash == hash_token(raw), OneTimeToken.purpose == purpose)
        .with_for_update()
    )
    if token is None or token.used_at is not None or token.expires_at <= now():
        return None
    token.used_at = now()
    await session.flush()
    return token.user_id
