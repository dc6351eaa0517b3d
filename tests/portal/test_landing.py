"""The home page sends a signed-in candidate account (no organization) to the portal; members
and people who are not signed in stay on it."""

from __future__ import annotations

import httpx

from hireflow.db import Database
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user, sign_in

HTML = {"Accept": "text/html"}


async def test_a_candidate_account_lands_on_the_portal(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        candidate = await make_user(session)
    await sign_in(client, candidate.email)
    response = await client.get("/", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/portal"


async def test_members_and_visitors_stay_on_the_home_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    assert (await client.get("/", headers=HTML)).status_code == 200
    async with db.transaction() as session:
        organization = await make_organization(session)
        member, _ = await make_member(session, organization, role="recruiter")
    await sign_in(client, member.email)
    response = await client.get("/", headers=HTML)
    assert response.status_code == 200
    assert f"/organizations/{organization.id}/jobs" in response.text
