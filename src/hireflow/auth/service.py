"""Signing in and out with email and password, throttled and audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import sessions
from hireflow.config import Settings
from hireflow.errors import Forbidden, NotFound, TooManyRequests, Unauthorized
from hireflow.kit import throttle
from hireflow.kit.passwords import hash_password, verify_password
from hireflow.models import SsoDomain, User, UserSession
from hireflow.users import repository as users

# Verified against when the email is unknown, so both cases take the same time.
_DUMMY_HASH = hash_password("not the password of anyone")


class EmailNotVerified(Forbidden):
    code = "email-not-verified"
    title = "Email address not verified"


class SsoRequired(Forbidden):
    code = "sso-required"
    title = "Sign in with your organization's provider"


async def required_sso(session: AsyncSession, email: str) -> SsoDomain | None:
    """The SSO rule covering `email`'s domain, if an organization set one."""
    domain = email.rpartition("@")[2].lower()
    return await session.scalar(select(SsoDomain).where(SsoDomain.domain == domain))


@dataclass(frozen=True)
class SignIn:
    user: User
    user_session: UserSession
    token: str  # raw session token, for the cookie only

    @property
    def mfa_pending(self) -> bool:
        return self.user_session.mfa_verified_at is None


async def sign_in(
    session: AsyncSession, *, email: str, password: str, origin: Origin, settings: Settings
) -> SignIn:
    address = email.strip().lower()[:320]
    window = settings.login_window_minutes * 60
    limits = {
        f"login:account:{address}": settings.login_attempts_per_account,
        f"login:ip:{origin.ip or 'unknown'}": settings.login_attempts_per_ip,
    }
    for key, limit in limits.items():
        wait = await throttle.retry_after(session, key, limit=limit, window_seconds=window)
        if wait is not None:
            await audit.record(
                session,
                "auth.login_throttled",
                origin=origin,
                actor_email=address,
                data={"limit": key.split(":")[1]},
            )
            raise TooManyRequests(
                "Too many sign-in attempts. Wait a few minutes and try again.",
                retry_after=wait,
                keep_changes=True,
            )

    rule = await required_sso(session, address)
    if rule is not None:
        raise SsoRequired(
            "Your organization requires signing in through its identity provider.",
            extra={
                "provider": rule.provider_key,
                "login_url": f"/auth/oidc/{rule.provider_key}/login",
            },
        )

    user = await users.get_by_email(session, address)
    password_hash = user.password_hash if user is not None else None
    matches = verify_password(password_hash or _DUMMY_HASH, password)
    if user is None or password_hash is None or not matches or user.disabled_at is not None:
        for key in limits:
            await throttle.record(session, key, window_seconds=window)
        await audit.record(
            session, "auth.login_failed", origin=origin, actor=user, actor_email=address
        )
        raise Unauthorized("The email address or the password is not correct.", keep_changes=True)
    if user.email_verified_at is None:
        raise EmailNotVerified("Confirm your email address first: follow the link we sent you.")

    user_session, token = await sessions.start(
        session, user, origin, settings, mfa_verified=user.mfa_enabled_at is None
    )
    await audit.record(
        session,
        "auth.login",
        origin=origin,
        actor=user,
        target_type="session",
        target_id=user_session.id,
        data={"mfa_pending": user_session.mfa_verified_at is None},
    )
    return SignIn(user, user_session, token)


async def sign_out(
    session: AsyncSession, *, user: User, user_session: UserSession, origin: Origin
) -> None:
    await sessions.revoke(session, user_session)
    await audit.record(
        session,
        "auth.logout",
        origin=origin,
        actor=user,
        target_type="session",
        target_id=user_session.id,
    )


async def revoke_session(
    session: AsyncSession, *, user: User, session_id: uuid.UUID, origin: Origin
) -> None:
    target = await sessions.get_for_user(session, user.id, session_id)
    if target is None:
        raise NotFound("You have no active session with this id.")
    await sessions.revoke(session, target)
    await audit.record(
        session,
        "auth.session_revoked",
        origin=origin,
        actor=user,
        target_type="session",
        target_id=target.id,
    )
