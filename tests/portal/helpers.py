"""Candidate accounts for the portal tests."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.models import CandidateAccount, User
from tests.factories.users import make_user, sign_in


async def make_candidate_user(
    session: AsyncSession,
    *,
    email: str | None = None,
    name: str = "Casey Candidate",
    **profile: object,
) -> User:
    """A verified user with no organization and a candidate profile."""
    user = await make_user(session, email=email, name=name)
    session.add(CandidateAccount(user_id=user.id, **profile))
    await session.flush()
    return user


async def signed_in(client: httpx.AsyncClient, user: User) -> httpx.AsyncClient:
    await sign_in(client, user.email)
    return client
