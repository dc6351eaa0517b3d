"""Demo data: loaded by `make run` and `hireflow demo`; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.kit.passwords import verify_password
from hireflow.organizations import repository as organizations
from hireflow.users import repository as users
from hireflow.users.service import ensure_platform_admin

ORGANIZATIONS = [("Acme Robotics", "acme"), ("Globex Health", "globex")]
ADMIN_EMAIL = "admin@hireflow.test"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


async def load_demo_data(session: AsyncSession, password: str) -> list[DemoLogin]:
    for name, slug in ORGANIZATIONS:
        await organizations.upsert(session, name=name, slug=slug)
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
    return [DemoLogin("platform admin", ADMIN_EMAIL, password)]
