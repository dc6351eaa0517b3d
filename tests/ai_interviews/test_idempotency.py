"""UC-R1 A3: creating a session is idempotent per caller and `Idempotency-Key` — a retry gets
the first response (its link included), another body with the key is refused, a request
racing the first is told to retry, and only one session and one link are ever created for a
key, also under 50 concurrent identical requests against the app on a committing database."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.ai_interviews.service import CREATE_SCOPE
from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import (
    IdempotencyRecord,
    InterviewInvite,
    InterviewSession,
    Organization,
    User,
)
from hireflow.organizations import repository as organizations
from tests.factories.candidates import pdf_bytes
from tests.factories.interviews import Team, signed_in_team
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

BODY = {"target_role": "Backend Engineer", "question_count": 3}
CONCURRENT_REQUESTS = 50


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    return await signed_in_team(client, db)


async def _counts(db: Database, organization_id: uuid.UUID) -> tuple[int, int, int]:
    """(sessions, links, stored responses) of the organization."""
    async with db.transaction() as session:
        counts = []
        for model in (InterviewSession, InterviewInvite, IdempotencyRecord):
            query = select(func.count()).select_from(model)
            query = query.where(model.organization_id == organization_id)
            counts.append(int(await session.scalar(query) or 0))
        return counts[0], counts[1], counts[2]


async def _post(
    client: httpx.AsyncClient, team: Team, key: str | None, body: dict[str, Any] = BODY
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return await client.post(team.api, json=body, headers=headers)


async def test_a_retry_with_the_same_key_gets_the_first_response_again(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    key = str(uuid.uuid4())
    first = await _post(client, team, key)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    for _ in range(2):
        retry = await _post(client, team, key)
        assert retry.status_code == 201, retry.text
        assert retry.headers["idempotent-replayed"] == "true"
        assert retry.json() == first.json()
        assert retry.json()["session"]["id"] == first.json()["session"]["id"]
        assert retry.json()["candidate_url"] == first.json()["candidate_url"]
    assert await _counts(db, team.organization.id) == (1, 1, 1)
    # The stored response is sealed: the link's token is not readable in the row.
    token = first.json()["candidate_url"].rsplit("=", 1)[1]
    async with db.transaction() as session:
        record = await session.scalar(select(IdempotencyRecord))
        assert record is not None
        assert token.encode() not in record.response_sealed
        assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert record.resource_id == uuid.UUID(first.json()["session"]["id"])


async def test_the_same_key_with_another_body_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    key = str(uuid.uuid4())
    assert (await _post(client, team, key)).status_code == 201
    reused = await _post(client, team, key, {**BODY, "target_role": "Frontend Engineer"})
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency-key-reused"
    assert await _counts(db, team.organization.id) == (1, 1, 1)
    listed = (await client.get(team.api)).json()["items"]
    assert [s["target_role"] for s in listed] == ["Backend Engineer"]


async def test_a_retried_file_upload_is_recognised_by_its_bytes(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    pdf = pdf_bytes("Run our Kafka streams.")

    async def send(data: bytes) -> httpx.Response:
        return await client.post(
            team.api,
            data={"target_role": "Data Engineer"},
            files={"job_description_file": ("jd.pdf", data, "application/pdf")},
            headers=key,
        )

    first = await send(pdf)
    assert first.status_code == 201, first.text
    again = await send(pdf)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    other = await send(pdf_bytes("Run our Spark jobs."))
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency-key-reused"
    assert await _counts(db, team.organization.id) == (1, 1, 1)


async def test_no_key_is_a_428_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await _post(client, team, None)
    assert response.status_code == 428
    assert response.json()["code"] == "idempotency-key-required"
    assert await _counts(db, team.organization.id) == (0, 0, 0)


@pytest.mark.parametrize("key", ["has spaces in it", "short", "é" * 10, "x" * 256, ""])
async def test_a_malformed_key_is_a_422_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, key: str
) -> None:
    response = await client.post(team.api, json=BODY, headers={b"Idempotency-Key": key.encode()})
    assert response.status_code == 422, response.text
    assert response.json()["field"] == "Idempotency-Key"
    assert await _counts(db, team.organization.id) == (0, 0, 0)


async def test_keys_belong_to_their_caller(
    app: FastAPI, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    key = str(uuid.uuid4())
    mine = await _post(client, team, key)
    assert mine.status_code == 201
    async with db.transaction() as session:
        colleague, _ = await make_member(session, team.organization, role="hiring_manager")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await sign_in(other, colleague.email)
        theirs = await _post(other, team, key)
    assert theirs.status_code == 201, theirs.text
    assert "idempotent-replayed" not in theirs.headers
    assert theirs.json()["session"]["id"] != mine.json()["session"]["id"]
    assert theirs.json()["candidate_url"] != mine.json()["candidate_url"]
    assert theirs.json()["session"]["created_by_user_id"] == str(colleague.id)
    assert await _counts(db, team.organization.id) == (2, 2, 2)


async def test_the_same_key_sent_to_another_organization_is_refused(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    """One person in two organizations: a key used in the first is not a replay in the
    second (that would hand over the first organization's link); it is a 422."""
    key = str(uuid.uuid4())
    assert (await _post(client, team, key)).status_code == 201
    async with db.transaction() as session:
        other_org = await make_organization(session, name="Umbrella")
        role = await organizations.system_role(session, "hiring_manager")
        await organizations.add_member(
            session, organization_id=other_org.id, user_id=team.owner.id, role_id=role.id
        )
    other = Team(other_org, team.owner)
    refused = await _post(client, other, key)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "idempotency-key-reused"
    assert await _counts(db, other_org.id) == (0, 0, 0)


async def test_an_expired_key_creates_a_new_session(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    key = str(uuid.uuid4())
    first = await _post(client, team, key)
    async with db.transaction() as session:
        await session.execute(
            update(IdempotencyRecord).values(expires_at=now() - timedelta(minutes=1))
        )
    again = await _post(client, team, key)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["session"]["id"] != first.json()["session"]["id"]
    # The expired record made way for the new one.
    assert await _counts(db, team.organization.id) == (2, 2, 1)
    replay = await _post(client, team, key)
    assert replay.json()["session"]["id"] == again.json()["session"]["id"]


async def test_a_request_while_the_first_runs_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, engine: AsyncEngine, team: Team
) -> None:
    key = str(uuid.uuid4())
    lock = f"user:{team.owner.id}|{CREATE_SCOPE}|{hashlib.sha256(key.encode()).hexdigest()}"
    lock_id = func.hashtextextended(lock, 0)
    # The first request's transaction-scoped advisory lock, held from another connection.
    async with engine.connect() as first_request:
        assert await first_request.scalar(select(func.pg_try_advisory_lock(lock_id)))
        try:
            racing = await _post(client, team, key)
        finally:
            await first_request.scalar(select(func.pg_advisory_unlock(lock_id)))
            await first_request.rollback()
    assert racing.status_code == 409
    assert racing.json()["code"] == "idempotency-key-in-flight"
    assert racing.headers["retry-after"] == "1"
    assert await _counts(db, team.organization.id) == (0, 0, 0)
    # Once the first is done, the key works.
    assert (await _post(client, team, key)).status_code == 201


# --- many identical requests at once, on a database that commits ------------------------------


@pytest.fixture
async def live_app(database_url: str, test_settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its own pool on the test database, committing for real: concurrent
    requests run in transactions of their own, as in production."""
    application = create_app(database_url, test_settings)
    async with LifespanManager(application):
        yield application


async def test_concurrent_identical_requests_create_one_session_and_one_link(
    live_app: FastAPI,
) -> None:
    database: Database = live_app.state.database
    async with database.transaction() as session:
        organization = await make_organization(session, name="Concurrent")
        user, _ = await make_member(session, organization, role="hiring_manager")
    key = str(uuid.uuid4())
    team = Team(organization, user)
    try:
        transport = httpx.ASGITransport(app=live_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await sign_in(client, user.email)
            responses = await asyncio.gather(
                *(_post(client, team, key) for _ in range(CONCURRENT_REQUESTS))
            )
            settled = await _post(client, team, key)

        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {201, 409}, statuses
        created = [r.json() for r in responses if r.status_code == 201]
        assert created, "no request succeeded"
        assert all(body == created[0] for body in created)
        assert all(
            r.json()["code"] == "idempotency-key-in-flight"
            for r in responses
            if r.status_code == 409
        )
        assert settled.status_code == 201
        assert settled.json() == created[0]
        assert await _counts(database, organization.id) == (1, 1, 1)
    finally:
        await _remove(database, organization, user)


async def _remove(database: Database, organization: Organization, user: User) -> None:
    """Everything the test committed (audit events are append-only and name no row)."""
    async with database.transaction() as session:
        await session.execute(delete(Organization).where(Organization.id == organization.id))
        await session.execute(delete(User).where(User.id == user.id))
    assert await _counts(database, organization.id) == (0, 0, 0)
