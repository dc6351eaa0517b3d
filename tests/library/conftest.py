"""Shared set-up for the library tests: an organization whose owner is signed in."""

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
    organization: Organization
    owner: User

    @property
    def api(self) -> str:
        return f"/api/v1/organizations/{self.organization.id}/library"

    @property
    def pages(self) -> str:
        return f"/organizations/{self.organization.id}/library"


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        owner, _ = await make_member(session, organization, role="owner")
    await sign_in(client, owner.email)
    return Team(organization, owner)
