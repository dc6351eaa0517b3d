"""Builders for users, memberships and signed-in clients."""

from __future__ import annotations

import time
import uuid

import httpx
import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password
from hireflow.models import Membership, Organization, User
from hireflow.organizations import repository as organizations

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashing is deliberately slow: do it once
# The TOTP secret of members whose role requires MFA (owners, admins): `sign_in` uses it.
MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_MFA_ROLES = {"owner", "admin"}


async def make_user(
    session: AsyncSession,
    *,
    email: str | None = None,
    name: str = "Test User",
    verified: bool = True,
    mfa_secret: str | None = None,
) -> User:
    user = User(
        email=email or f"user-{uuid.uuid4().hex[:10]}@example.test",
        name=name,
        password_hash=_HASH,
        email_verified_at=now() if verified else None,
        mfa_secret=mfa_secret,
        mfa_enabled_at=now() if mfa_secret else None,
    )
    session.add(user)
    await session.flush()
    return user


async def make_member(
    session: AsyncSession,
    organization: Organization,
    *,
    role: str = "owner",
    email: str | None = None,
) -> tuple[User, Membership]:
    user = await make_user(
        session, email=email, mfa_secret=MFA_SECRET if role in _MFA_ROLES else None
    )
    system_role = await organizations.system_role(session, role)
    membership = await organizations.add_member(
        session, organization_id=organization.id, user_id=user.id, role_id=system_role.id
    )
    return user, membership


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Sign `client` in; returns the CSRF token and sets it as a default header."""
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    csrf = str(response.json()["csrf_token"])
    client.headers["X-CSRF-Token"] = csrf
    if response.json()["mfa_required"]:
        # Each code is accepted once: if this user signed in during this period already, the
        # next period's code (inside the accepted window) is still unused.
        totp = pyotp.TOTP(MFA_SECRET)
        for at in (time.time(), time.time() + totp.interval):
            verified = await client.post("/api/v1/auth/mfa/verify", json={"code": totp.at(at)})
            if verified.status_code == 200:
                break
        else:
            raise AssertionError(f"second factor refused: {verified.text}")
    return csrf
