"""Web sessions: a random token in an HttpOnly cookie, only its hash in the database, with an
idle timeout, an absolute timeout, and a CSRF token per session."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit.service import Origin
from hireflow.config import Settings
from hireflow.kit.clock import now
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import User, UserSession

# last_seen_at is written at most this often, so reads don't each cost a write.
TOUCH_EVERY = timedelta(seconds=60)


async def start(
    session: AsyncSession, user: User, origin: Origin, settings: Settings, *, mfa_verified: bool
) -> tuple[UserSession, str]:
    """A new session (a fresh token at every sign-in: no session fixation). Returns the row and
    the raw token for the cookie."""
    raw = new_token()
    moment = now()
    user_session = UserSession(
        id=uuid.uuid4(),
        user_id=user.id,
        token_hash=hash_token(raw),
        csrf_token=new_token(),
        created_at=moment,
        last_seen_at=moment,
        expires_at=moment + timedelta(hours=settings.session_absolute_hours),
        mfa_verified_at=moment if mfa_verified else None,
        ip=origin.ip,
        user_agent=origin.user_agent,
    )
    session.add(user_session)
    await session.flush()
    return user_session, raw


async def find(session: AsyncSession, raw: str, settings: Settings) -> UserSession | None:
    """The live session for a cookie token, or None (unknown, revoked, idle or expired)."""
    moment = now()
    user_session = await session.scalar(
        select(UserSession).where(UserSession.token_hash == hash_token(raw))
    )
    if user_session is None or user_session.revoked_at is not None:
        return None
    idle_limit = user_session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if moment >= user_session.expires_at or moment >= idle_limit:
        return None
    if moment - user_session.last_seen_at >= TOUCH_EVERY:
        user_session.last_seen_at = moment
    return user_session


async def list_for_user(session: AsyncSession, user_id: uuid.UUID) -> list[UserSession]:
    moment = now()
    rows = await session.scalars(
        select(UserSession)
        .where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > moment,
        )
        .order_by(UserSession.last_seen_at.desc())
    )
    return list(rows)


async def get_for_user(
    session: AsyncSession, user_id: uuid.UUID, session_id: uuid.UUID
) -> UserSession | None:
    return await session.scalar(
        select(UserSession).where(
            UserSession.id == session_id,
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),
        )
    )


async def revoke(session: AsyncSession, user_session: UserSession) -> None:
    user_session.revoked_at = now()
    await session.flush()


async def revoke_all(
    session: AsyncSession, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> int:
    """Revoke every live session of a user (but `keep`); returns how many."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now())
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
