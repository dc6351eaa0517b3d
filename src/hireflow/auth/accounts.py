"""Accounts: employer registration with email verification, password reset and change.

Answers never reveal whether an address has an account: registering a taken address, asking
to resend a verification or to reset a password all answer the same way, and the email (if
any) goes to the address's owner.
"""

from __future__ import annotations

import re
import secrets
from functools import partial

import anyio
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import one_time_tokens, sessions
from hireflow.auth.password_policy import require_strong_password
from hireflow.config import Settings
from hireflow.errors import Invalid, TooManyRequests, Unauthorized
from hireflow.kit import throttle
from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password, verify_password
from hireflow.models import Organization, User, UserSession
from hireflow.notifications.service import send_templated
from hireflow.organizations import repository as organizations
from hireflow.users import repository as users
from hireflow.users.service import normalize_email

HOURLY = 3600


class InvalidLink(Invalid):
    code = "invalid-token"
    title = "Invalid or expired link"


async def strong_password(password: str, *inputs: str) -> None:
    """Strength check (CPU-heavy, so in a worker thread)."""
    await anyio.to_thread.run_sync(
        partial(require_strong_password, password, user_inputs=[i for i in inputs if i])
    )


async def _throttle(session: AsyncSession, key: str, limit: int, window: int) -> None:
    wait = await throttle.retry_after(session, key, limit=limit, window_seconds=window)
    if wait is not None:
        raise TooManyRequests("Too many requests of this kind. Try again later.", retry_after=wait)
    await throttle.record(session, key, window_seconds=window)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-")
    return slug or "organization"


async def _free_slug(session: AsyncSession, name: str) -> str:
    base = _slug(name)
    candidate = base
    while await organizations.get_by_slug(session, candidate) is not None:
        candidate = f"{base}-{secrets.token_hex(2)}"
    return candidate


async def _send_verification(session: AsyncSession, user: User, settings: Settings) -> None:
    token = await one_time_tokens.issue(session, user.id, "verify_email")
    link = f"{settings.base_url}/verify-email?token={token}"
    await send_templated(
        session,
        kind="verify_email",
        to=user.email,
        variables={"user_name": user.name, "link": link},
        organization_id=None,
        settings=settings,
    )


async def register_employer(
    session: AsyncSession,
    *,
    company: str,
    name: str,
    email: str,
    password: str,
    phone: str | None,
    origin: Origin,
    settings: Settings,
) -> None:
    address = normalize_email(email)
    await _throttle(session, f"register:ip:{origin.ip or 'unknown'}", 20, HOURLY)
    await strong_password(password, address, name, company)
    existing = await users.get_by_email(session, address)
    if existing is not None:
        await send_templated(
            session,
            kind="account_exists",
            to=existing.email,
            variables={
                "user_name": existing.name,
                "login_url": f"{settings.base_url}/login",
                "attempted": f"register “{company}” on hireflow",
            },
            organization_id=None,
            settings=settings,
        )
        await audit.record(session, "auth.register_existing", origin=origin, actor=existing)
        return
    user = User(
        email=address, name=name.strip(), phone=phone, password_hash=hash_password(password)
    )
    session.add(user)
    organization = Organization(name=company.strip(), slug=await _free_slug(session, company))
    session.add(organization)
    await session.flush()
    owner = await organizations.system_role(session, "owner")
    await organizations.add_member(
        session, organization_id=organization.id, user_id=user.id, role_id=owner.id
    )
    await audit.record(
        session,
        "organization.registered",
        origin=origin,
        actor=user,
        organization_id=organization.id,
        target_type="organization",
        target_id=organization.id,
        data={"name": organization.name},
    )
    await _send_verification(session, user, settings)


async def verify_email(session: AsyncSession, token: str, origin: Origin) -> User:
    user_id = await one_time_tokens.consume(session, token, "verify_email")
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise InvalidLink("This confirmation link is invalid, used or expired. Ask for a new one.")
    if user.email_verified_at is None:
        user.email_verified_at = now()
    await audit.record(session, "auth.email_verified", origin=origin, actor=user)
    return user


async def resend_verification(
    session: AsyncSession, email: str, origin: Origin, settings: Settings
) -> None:
    address = normalize_email(email)
    await _throttle(session, f"verify:account:{address}", 5, HOURLY)
    await _throttle(session, f"verify:ip:{origin.ip or 'unknown'}", 30, HOURLY)
    user = await users.get_by_email(session, address)
    if user is not None and user.email_verified_at is None:
        await _send_verification(session, user, settings)


async def request_password_reset(
    session: AsyncSession, email: str, origin: Origin, settings: Settings
) -> None:
    address = normalize_email(email)
    await _throttle(session, f"reset:account:{address}", 5, HOURLY)
    await _throttle(session, f"reset:ip:{origin.ip or 'unknown'}", 30, HOURLY)
    user = await users.get_by_email(session, address)
    if user is None or user.disabled_at is not None:
        return
    token = await one_time_tokens.issue(session, user.id, "reset_password")
    await send_templated(
        session,
        kind="reset_password",
        to=user.email,
        variables={
            "user_name": user.name,
            "link": f"{settings.base_url}/reset-password?token={token}",
        },
        organization_id=None,
        settings=settings,
    )
    await audit.record(session, "auth.password_reset_requested", origin=origin, actor=user)


async def reset_password(session: AsyncSession, token: str, password: str, origin: Origin) -> None:
    user_id = await one_time_tokens.consume(session, token, "reset_password")
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise InvalidLink("This reset link is invalid, used or expired. Ask for a new one.")
    await strong_password(password, user.email, user.name)
    user.password_hash = hash_password(password)
    # Whoever had a session (perhaps the reason for the reset) is signed out everywhere.
    revoked = await sessions.revoke_all(session, user.id)
    if user.email_verified_at is None:
        user.email_verified_at = now()  # the link proved the inbox is theirs
    await audit.record(
        session,
        "auth.password_reset",
        origin=origin,
        actor=user,
        data={"sessions_revoked": revoked},
    )


async def change_password(
    session: AsyncSession,
    *,
    user: User,
    current: UserSession,
    current_password: str,
    new_password: str,
    origin: Origin,
) -> None:
    key = f"password-change:account:{user.id}"
    wait = await throttle.retry_after(session, key, limit=10, window_seconds=900)
    if wait is not None:
        raise TooManyRequests("Too many wrong passwords. Try again later.", retry_after=wait)
    if not user.password_hash or not verify_password(user.password_hash, current_password):
        await throttle.record(session, key, window_seconds=900)
        await audit.record(session, "auth.password_change_failed", origin=origin, actor=user)
        raise Unauthorized("The current password is not correct.", keep_changes=True)
    await strong_password(new_password, user.email, user.name)
    user.password_hash = hash_password(new_password)
    revoked = await sessions.revoke_all(session, user.id, keep=current.id)
    await audit.record(
        session,
        "auth.password_changed",
        origin=origin,
        actor=user,
        data={"other_sessions_revoked": revoked},
    )
