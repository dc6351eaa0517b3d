"""An invitation's status is derived from its state, its session and its email, in that order;
the SQL the status filter uses agrees with the function at every step of the chain."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.invitations.status import StatusFacts, derive_status
from hireflow.kit.clock import now
from hireflow.models import InterviewInvitation, InterviewSession, OutboxMessage
from tests.factories.invitations import (
    bulk_applications,
    invite_body,
    job_with_kit,
    run_prepare_jobs,
)
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

AT = now()


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (StatusFacts(state="scheduled"), "scheduled"),
        (StatusFacts(state="cancelled", session_status="COMPLETED"), "cancelled"),
        (StatusFacts(state="skipped", failure_reason="kit-not-approved"), "skipped"),
        (StatusFacts(state="skipped", failure_reason="unsubscribed"), "unsubscribed"),
        (StatusFacts(state="prepared", session_status="NOT_STARTED"), "queued"),
        (
            StatusFacts(state="prepared", session_status="NOT_STARTED", email_status="queued"),
            "queued",
        ),
        (StatusFacts(state="prepared", session_status="NOT_STARTED", email_status="sent"), "sent"),
        (
            StatusFacts(state="prepared", session_status="NOT_STARTED", email_status="stored"),
            "sent",
        ),
        (
            StatusFacts(
                state="prepared",
                session_status="NOT_STARTED",
                email_status="sent",
                email_opened_at=AT,
            ),
            "opened",
        ),
        (
            StatusFacts(
                state="prepared",
                session_status="NOT_STARTED",
                email_status="sent",
                email_opened_at=AT,
                email_clicked_at=AT,
            ),
            "clicked",
        ),
        (
            StatusFacts(
                state="prepared",
                session_status="NOT_STARTED",
                email_status="sent",
                link_opened=True,
            ),
            "clicked",
        ),
        (
            StatusFacts(state="prepared", session_status="NOT_STARTED", email_status="failed"),
            "failed",
        ),
        (
            StatusFacts(state="prepared", session_status="IN_PROGRESS", email_status="failed"),
            "started",
        ),
        (
            StatusFacts(state="prepared", session_status="COMPLETED", email_status="sent"),
            "completed",
        ),
        (StatusFacts(state="prepared", session_status="EXPIRED", email_status="sent"), "expired"),
        (
            StatusFacts(state="prepared", session_status="CANCELLED", email_status="sent"),
            "cancelled",
        ),
    ],
)
def test_the_status_is_derived_in_order(facts: StatusFacts, expected: str) -> None:
    assert derive_status(facts) == expected


async def _status(client: httpx.AsyncClient, org_id: object, invitation_id: str) -> str:
    url = f"/api/v1/organizations/{org_id}/interview-invitations"
    one = (await client.get(f"{url}/{invitation_id}")).json()["status"]
    # The list's status filter (SQL) finds it under the same status, and under no other.
    found = await client.get(url, params={"status": one})
    assert invitation_id in {i["id"] for i in found.json()["items"]}, one
    return str(one)


async def test_the_status_follows_the_whole_chain(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        [application_id] = await bulk_applications(session, org, job, 1)
    await sign_in(client, owner.email)
    response = await client.post(
        f"/api/v1/organizations/{org.id}/interview-invitations",
        json=invite_body([application_id]),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    invitation_id = response.json()["invitations"][0]["id"]
    seen = [await _status(client, org.id, invitation_id)]

    async with db.transaction() as session:
        await run_prepare_jobs(session, test_settings)
        row = await session.get(InterviewInvitation, uuid.UUID(invitation_id))
        assert row is not None
        message_id, session_id = row.outbox_message_id, row.session_id
    seen.append(await _status(client, org.id, invitation_id))

    steps: list[dict[str, object]] = [
        {"status": "sent", "sent_at": now()},
        {"opened_at": now()},
        {"clicked_at": now()},
    ]
    for values in steps:
        async with db.transaction() as session:
            await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values)
            )
        seen.append(await _status(client, org.id, invitation_id))
    for status in ("IN_PROGRESS", "COMPLETED"):
        async with db.transaction() as session:
            await session.execute(
                update(InterviewSession)
                .where(InterviewSession.id == session_id)
                .values(status=status)
            )
        seen.append(await _status(client, org.id, invitation_id))
    async with db.transaction() as session:
        await session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == session_id)
            .values(status="EXPIRED", expires_at=now() - timedelta(minutes=1))
        )
    seen.append(await _status(client, org.id, invitation_id))

    assert seen == [
        "scheduled",
        "queued",
        "sent",
        "opened",
        "clicked",
        "started",
        "completed",
        "expired",
    ]
