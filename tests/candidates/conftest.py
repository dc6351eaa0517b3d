"""Shared set-up of the candidate tests: an organization with a signed-in owner."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from hireflow.db import Database
from hireflow.models import Organization, User
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


@dataclass
class Team:
    org: Organization
    owner: User

    @property
    def api(self) -> str:
        return f"/api/v1/organizations/{self.org.id}"

    @property
    def pages(self) -> str:
        return f"/organizations/{self.org.id}"


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    async with db.transaction() as session:
        org = await make_organization(session, name="Acme")
        owner, _ = await make_member(session, org, role="owner")
    await sign_in(client, owner.email)
    return Team(org, owner)
