"""A small hiring world for the pipeline tests: an organization, its owner, an open job with
the built-in stages and three candidates who applied to it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hireflow.db import Database
from hireflow.models import Application, Candidate, Job, JobStage, Organization, User
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import job_stage, make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member


@dataclass
class World:
    org: Organization
    owner: User
    job: Job
    candidates: list[Candidate]
    applications: list[Application]
    stages: dict[str, JobStage]

    def url(self, path: str = "") -> str:
        return f"/api/v1/organizations/{self.org.id}{path}"

    def page(self, path: str = "") -> str:
        return f"/organizations/{self.org.id}{path}"


@pytest.fixture
async def world(db: Database) -> World:
    async with db.transaction() as session:
        org = await make_organization(session, name="Acme")
        owner, _ = await make_member(session, org, role="owner")
        job = await make_job(session, org, title="Backend Engineer")
        names = ["Ada Lovelace", "Grace Hopper", "Alan Turing"]
        candidates = [await make_candidate(session, org, full_name=n) for n in names]
        applications = [await make_application(session, job, c) for c in candidates]
        stages = {
            key: await job_stage(session, job, key)
            for key in ("applied", "screen", "interview", "offer", "hired", "rejected")
        }
    return World(org, owner, job, candidates, applications, stages)
