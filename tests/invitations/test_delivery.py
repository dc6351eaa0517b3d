"""End to end on a committing database: a bulk invitation is prepared and delivered by a real
worker through a real SMTP server on loopback, and the link in the received email opens the
interview."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.invitations import service
from hireflow.invitations.schemas import InviteIn
from hireflow.models import Organization, OutboxMessage, User
from hireflow.worker import run_worker
from tests.factories.interviews import CANDIDATE_API, candidate_client, ctx_for
from tests.factories.invitations import bulk_applications, job_with_kit
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.fakes.smtp_server import SmtpServer

DOMAIN = "invitations-e2e.test"


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@dataclass
class Committed:
    database: Database
    organizations: list[uuid.UUID] = field(default_factory=list)
    users: list[uuid.UUID] = field(default_factory=list)


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[Committed]:
    """Really commits (the worker reads through its own connections); the test's organization,
    members, emails and jobs are deleted afterwards."""
    made = Committed(Database(engine))
    yield made
    database = made.database
    async with database.transaction() as session:
        await session.execute(
            text(
                "DELETE FROM procrastinate_jobs WHERE task_name IN "
                "('invitations.prepare', 'notifications.deliver_email') AND status <> 'doing'"
            )
        )
        await session.execute(
            delete(OutboxMessage).where(OutboxMessage.to_address.like(f"%@{DOMAIN}"))
        )
        for org_id in made.organizations:
            await session.execute(delete(Organization).where(Organization.id == org_id))
        for user_id in made.users:
            await session.execute(delete(User).where(User.id == user_id))


async def test_a_worker_prepares_and_delivers_the_invitation_with_a_working_link(
    app: FastAPI,
    committed: Committed,
    smtp_server: SmtpServer,
    database_url: str,
    test_settings: Settings,
) -> None:
    async with committed.database.transaction() as session:
        org = await make_organization(session)
        committed.organizations.append(org.id)
        owner, _ = await make_member(session, org, role="owner")
        committed.users.append(owner.id)
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 2, domain=DOMAIN)
        ctx = await ctx_for(session, org, owner)
        status, body, _ = await service.invite(
            session,
            ctx,
            InviteIn(application_ids=ids, message="We enjoyed your application."),
            idempotency_key=str(uuid.uuid4()),
            origin=SYSTEM,
            settings=test_settings,
        )
    assert (status, body["accepted"]) == (202, 2)

    settings = smtp_server.settings(test_settings)
    # Two rounds: the first prepares (and enqueues the deliveries), the second delivers.
    for _ in range(2):
        await asyncio.wait_for(run_worker(database_url, settings, name="test", wait=False), 60)

    received = [r for r in smtp_server.received if r.recipients[0].endswith(f"@{DOMAIN}")]
    assert len(received) == 2
    email = received[0].message
    plain = email.get_body(preferencelist=("plain",))
    assert plain is not None
    content = plain.get_content()
    assert "We enjoyed your application." in content
    found = re.search(r"/interview/join\?token=([A-Za-z0-9_-]+)", content)
    assert found, content
    async with candidate_client(app) as candidate:
        opened = await candidate.post(f"{CANDIDATE_API}/access", json={"token": found.group(1)})
    assert opened.status_code == 200, opened.text
