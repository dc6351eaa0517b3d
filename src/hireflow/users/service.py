"""Business rules for user accounts."""

from __future__ import annotations

from email.utils import parseaddr

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.errors import Invalid
from hireflow.kit.clock import now
from hireflow.kit.passwords import MAX_LENGTH, MIN_LENGTH, hash_password
from hireflow.models import User
from hireflow.users import repository


def normalize_email(email: str) -> str:
    email = email.strip()
    _, address = parseaddr(email)
    if not address or address != email or "@" not in address or " " in address:
        raise Invalid("Enter a valid email address.", extra={"field": "email"})
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain:
        raise Invalid("Enter a valid email address.", extra={"field": "email"})
    return f"{local}@{domain.lower()}"


def check_password(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise Invalid(
            f"A password has {MIN_LENGTH} to {MAX_LENGTH} characters.", extra={"field": "password"}
        )


async def ensure_platform_admin(
    session: AsyncSession, *, email: str, name: str, password: str
) -> tuple[User, bool]:
    """Create a platform admin, or make an existing user one (password reset to `password`).
    Returns the user and whether it was created."""
    email = normalize_email(email)
    check_password(password)
    if not name.strip():
        raise Invalid("Enter a name.", extra={"field": "name"})
    user = await repository.get_by_email(session, email)
    created = user is None
    if user is None:
        user = User(
            email=email,
            name=name.strip(),
            password_hash=hash_password(password),
            is_platform_admin=True,
            email_verified_at=now(),  # made by an operator, who vouches for the address
        )
        session.add(user)
    else:
        user.is_platform_admin = True
        user.password_hash = hash_password(password)
    await session.flush()
    return user, created
