"""Shared set-up for the kit tests: an organization with a signed-in owner, a job, and two
approved questions and an approved challenge in its library."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest

from hireflow.db import Database
from hireflow.models import Job, LibraryItem, Organization, User
from tests.factories.jobs import make_job
from tests.factories.kits import make_item
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


@dataclass
class Team:
    organization: Organization
    owner: User
    job: Job
    items: list[LibraryItem]  # question, question, challenge (all approved)

    @property
    def kit(self) -> str:
        return f"/api/v1/organizations/{self.organization.id}/jobs/{self.job.id}/kit"

    @property
    def page(self) -> str:
        return f"/organizations/{self.organization.id}/jobs/{self.job.id}/kit"

    def body(self, follow_ups: int = 1) -> dict[str, object]:
        q1, q2, ch = self.items
        return {
            "sections": [
                {"title": "Warm-up", "minutes": 10, "item_ids": [str(q1.id)]},
                {"title": "Depth", "minutes": 20, "item_ids": [str(q2.id), str(ch.id)]},
            ],
            "follow_ups": follow_ups,
        }


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        owner, _ = await make_member(session, organization, role="owner")
        job = await make_job(session, organization)
        items = [
            await make_item(session, organization, title="Scaling a read-heavy API"),
            await make_item(session, organization, title="A production incident"),
            await make_item(session, organization, title="Add two numbers", kind="challenge"),
        ]
    await sign_in(client, owner.email)
    return Team(organization, owner, job, items)
