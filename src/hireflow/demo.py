"""Demo data: loaded by `make run` and `hireflow demo`; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password, verify_password
from hireflow.models import User
from hireflow.organizations import repository as organizations
from hireflow.users import repository as users
from hireflow.users.service import ensure_platform_admin

ORGANIZATIONS = [("Acme Robotics", "acme"), ("Globex Health", "globex")]
ADMIN_EMAIL = "admin@hireflow.test"
# (email, name, organization slug, role key)
MEMBERS = [
    ("owner@acme.test", "Olivia Owner", "acme", "owner"),
    ("manager@acme.test", "Hugo Manager", "acme", "hiring_manager"),
    ("recruiter@acme.test", "Rita Recruiter", "acme", "recruiter"),
    ("interviewer@acme.test", "Ivan Interviewer", "acme", "interviewer"),
    ("owner@globex.test", "Gloria Owner", "globex", "owner"),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


async def _user(session: AsyncSession, email: str, name: str, password: str) -> User:
    user = await users.get_by_email(session, email)
    if user is None:
        user = User(
            email=email, name=name, password_hash=hash_password(password), email_verified_at=now()
        )
        session.add(user)
        await session.flush()
    elif not user.password_hash or not verify_password(user.password_hash, password):
        user.password_hash = hash_password(password)
    return user


async def load_demo_data(session: AsyncSession, password: str) -> list[DemoLogin]:
    by_slug = {}
    for name, slug in ORGANIZATIONS:
        by_slug[slug] = await organizations.upsert(session, name=name, slug=slug)
    admin = await users.get_by_email(session, ADMIN_EMAIL)
    # Re-hashing on every run would change the row; only (re)set a password that differs.
    if (
        admin is None
        or not admin.password_hash
        or not verify_password(admin.password_hash, password)
    ):
        await ensure_platform_admin(
            session, email=ADMIN_EMAIL, name="Platform Admin", password=password
        )
    logins = [DemoLogin("platform admin", ADMIN_EMAIL, password)]
    for email, name, slug, role_key in MEMBERS:
        user = await _user(session, email, name, password)
        organization = by_slug[slug]
        if await organizations.membership_of(session, user.id, organization.id) is None:
            role = await organizations.system_role(session, role_key)
            await organizations.add_member(
                session, organization_id=organization.id, user_id=user.id, role_id=role.id
            )
        logins.append(DemoLogin(f"{role_key.replace('_', ' ')}, {slug}", email, password))
    return logins
