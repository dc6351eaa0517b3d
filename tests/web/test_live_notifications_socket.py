"""The live WebSocket (`/api/v1/notifications/live`) against a real `hireflow serve`: refused
with a policy-violation close without a session cookie, with a wrong one, or from another
site's page (cross-site WebSocket hijacking); for the signed-in user it says hello with the
unread count, then pushes each new notification made in another process (this one)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from hireflow.db import Database
from hireflow.inapp.service import notify
from hireflow.models import Organization, User
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_member

pytestmark = [pytest.mark.xdist_group("browser")]

PATH = "/api/v1/notifications/live"
WAIT = 10.0


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + PATH


@pytest.fixture
async def member(engine: AsyncEngine) -> AsyncIterator[tuple[User, uuid.UUID]]:
    """A recruiter of a new organization, committed (the server reads it), removed after."""
    database = Database(engine)
    async with database.transaction() as session:
        organization = await make_organization(session, name=f"Live {uuid.uuid4().hex[:6]}")
        user, _ = await make_member(session, organization, role="recruiter")
    yield user, organization.id
    async with database.transaction() as session:  # notifications and sessions cascade
        await session.execute(delete(Organization).where(Organization.id == organization.id))
        await session.execute(delete(User).where(User.id == user.id))


async def session_cookie(base_url: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base_url) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return str(client.cookies["hf_session"])


async def refused_with(base_url: str, headers: dict[str, str]) -> tuple[int | None, str]:
    async with connect(ws_url(base_url), additional_headers=headers) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), WAIT)
    received = closed.value.rcvd
    assert received is not None
    return received.code, received.reason


async def test_without_a_valid_session_the_socket_is_refused(live_server: str) -> None:
    origin = {"Origin": live_server}
    assert await refused_with(live_server, origin) == (1008, "Sign in first.")
    wrong = {**origin, "Cookie": "hf_session=not-a-session"}
    assert await refused_with(live_server, wrong) == (1008, "Sign in first.")


async def test_another_sites_page_cannot_open_the_socket(
    live_server: str, member: tuple[User, uuid.UUID]
) -> None:
    user, _ = member
    cookie = f"hf_session={await session_cookie(live_server, user.email)}"
    for origin in ("https://evil.example", "null"):
        code, _ = await refused_with(live_server, {"Origin": origin, "Cookie": cookie})
        assert code == 1008
    code, _ = await refused_with(live_server, {"Cookie": cookie})  # no Origin at all
    assert code == 1008


async def test_hello_then_each_new_notification(
    live_server: str, engine: AsyncEngine, member: tuple[User, uuid.UUID]
) -> None:
    user, organization_id = member
    database = Database(engine)
    async with database.transaction() as session:
        await notify(
            session, user_id=user.id, organization_id=organization_id, kind="test", title="Old"
        )
    cookie = f"hf_session={await session_cookie(live_server, user.email)}"
    headers = {"Origin": live_server, "Cookie": cookie}
    async with connect(ws_url(live_server), additional_headers=headers) as socket:
        hello = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
        assert hello == {"type": "hello", "unread": 1}
        # Made in this process, committed: the server process hears it through PostgreSQL.
        async with database.transaction() as session:
            made = await notify(
                session,
                user_id=user.id,
                organization_id=organization_id,
                kind="test",
                title="Fresh",
                link="/notifications",
            )
        pushed = json.loads(await asyncio.wait_for(socket.recv(), WAIT))
    assert pushed["type"] == "notification"
    assert pushed["unread"] == 2
    assert pushed["notification"]["id"] == str(made.id)
    assert pushed["notification"]["title"] == "Fresh"
    assert pushed["notification"]["link"] == "/notifications"
