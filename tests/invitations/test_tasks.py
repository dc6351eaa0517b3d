"""Background work and hooks of invitations: reminders before the link runs out, invitation
rules firing on a stage move (once), a rule whose kit is not approved, and the receipt when an
interview is completed."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import func, select, update

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.invitations import repository, service
from hireflow.kit.clock import now
from hireflow.models import (
    EmailSuppression,
    InterviewInvitation,
    InterviewInvite,
    InterviewSession,
    Notification,
    OutboxMessage,
)
from tests.factories.interviews import make_session, run_interview
from tests.factories.invitations import (
    bulk_applications,
    invite_body,
    job_with_kit,
    prepare_jobs,
    run_prepare_jobs,
)
from tests.factories.jobs import job_stage
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


async def _invite(
    client: httpx.AsyncClient, org_id: object, ids: list[uuid.UUID]
) -> list[uuid.UUID]:
    response = await client.post(
        f"/api/v1/organizations/{org_id}/interview-invitations",
        json=invite_body(ids),
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 202, response.text
    return [uuid.UUID(i["id"]) for i in response.json()["invitations"]]


async def _age(
    database: Database, invitation_id: uuid.UUID, *, sent_hours_ago: int, expires_in_hours: int
) -> None:
    """Pretend the email went out `sent_hours_ago` and the link runs out in `expires_in_hours`."""
    async with database.transaction() as session:
        row = await session.get(InterviewInvitation, invitation_id)
        assert row is not None
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.outbox_message_id)
            .values(status="sent", sent_at=now() - timedelta(hours=sent_hours_ago))
        )
        expires = now() + timedelta(hours=expires_in_hours)
        await session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == row.session_id)
            .values(expires_at=expires)
        )
        await session.execute(
            update(InterviewInvite)
            .where(InterviewInvite.session_id == row.session_id)
            .values(expires_at=expires)
        )


async def test_a_reminder_carries_the_same_link_once_before_it_runs_out(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 4)
    await sign_in(client, owner.email)
    due, recent, far, unsubscribed = await _invite(client, org.id, ids)
    async with db.transaction() as session:
        assert await run_prepare_jobs(session, test_settings) == 4
    await _age(db, due, sent_hours_ago=30, expires_in_hours=20)
    await _age(db, recent, sent_hours_ago=2, expires_in_hours=20)  # sent too recently
    await _age(db, far, sent_hours_ago=30, expires_in_hours=24 * 10)  # not running out yet
    await _age(db, unsubscribed, sent_hours_ago=30, expires_in_hours=20)
    async with db.transaction() as session:
        address = (await session.get_one(InterviewInvitation, unsubscribed)).to_address
        session.add(EmailSuppression(organization_id=org.id, address=address, source="link"))

    async with db.transaction() as session:
        assert await service.send_reminders(session, test_settings) == 2
        assert await service.send_reminders(session, test_settings) == 0  # once only
        rows = {
            r.id: r
            for r in await session.scalars(
                select(InterviewInvitation).where(InterviewInvitation.organization_id == org.id)
            )
        }
        reminder = await session.get(OutboxMessage, rows[due].reminder_message_id)
        first = await session.get(OutboxMessage, rows[due].outbox_message_id)
    assert rows[due].reminded_at is not None
    assert reminder is not None
    assert first is not None
    assert reminder.kind == "interview_reminder"
    link = service.unseal_link(rows[due].link_sealed or b"", test_settings)
    assert link is not None
    assert link in reminder.text_body
    assert link in first.text_body
    assert rows[unsubscribed].reminded_at is not None
    assert rows[unsubscribed].reminder_message_id is None
    assert rows[recent].reminded_at is None
    assert rows[far].reminded_at is None


async def test_the_sealed_link_is_cleared_once_the_interview_started(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 1)
    await sign_in(client, owner.email)
    [invitation_id] = await _invite(client, org.id, ids)
    async with db.transaction() as session:
        await run_prepare_jobs(session, test_settings)
        row = await session.get_one(InterviewInvitation, invitation_id)
        await session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == row.session_id)
            .values(status="IN_PROGRESS")
        )
        await service.send_reminders(session, test_settings)
        await session.refresh(row)
    assert row.link_sealed is None


async def _rule(
    client: httpx.AsyncClient, org_id: object, stage_id: object, kit_id: object
) -> httpx.Response:
    return await client.post(
        f"/api/v1/organizations/{org_id}/invitation-rules",
        json={"stage_id": str(stage_id), "kit_id": str(kit_id)},
    )


async def _move(
    client: httpx.AsyncClient, org_id: object, application_id: object, stage_id: object
) -> None:
    response = await client.post(
        f"/api/v1/organizations/{org_id}/applications/{application_id}/move",
        json={"stage_id": str(stage_id)},
    )
    assert response.status_code == 200, response.text


async def test_a_rule_invites_when_an_application_enters_its_stage_and_not_twice(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        stage = await job_stage(session, job, "ai_interview")
        screen = await job_stage(session, job, "screen")
        [application_id] = await bulk_applications(session, org, job, 1)
        kit = await repository.kit_of_job(session, org.id, job.id)
        assert kit is not None
        kit_id = kit.id
    await sign_in(client, owner.email)
    created = await _rule(client, org.id, stage.id, kit_id)
    assert created.status_code == 201, created.text
    assert (await _rule(client, org.id, stage.id, kit_id)).status_code == 409
    assert (await _rule(client, org.id, screen.id, uuid.uuid4())).status_code == 422

    await _move(client, org.id, application_id, stage.id)
    await _move(client, org.id, application_id, screen.id)
    await _move(client, org.id, application_id, stage.id)

    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(InterviewInvitation).where(
                    InterviewInvitation.application_id == application_id
                )
            )
        )
        assert len(rows) == 1
        assert rows[0].rule_id == uuid.UUID(created.json()["id"])
        assert rows[0].created_by_user_id == owner.id
        assert [j.invitation_ids for j in await prepare_jobs(session)] == [[str(rows[0].id)]]
        assert await run_prepare_jobs(session, test_settings) == 1
    listed = await client.get(
        f"/api/v1/organizations/{org.id}/invitation-rules", params={"job_id": str(job.id)}
    )
    assert [r["id"] for r in listed.json()["items"]] == [created.json()["id"]]
    rule_url = f"/api/v1/organizations/{org.id}/invitation-rules/{created.json()['id']}"
    disabled = await client.patch(rule_url, json={"enabled": False})
    assert disabled.status_code == 200
    assert disabled.json()["enabled"] is False
    assert (await client.patch(rule_url, json={"enabled": "maybe"})).status_code == 422
    assert (await client.delete(rule_url)).status_code == 204
    assert (await client.delete(rule_url)).status_code == 404


async def test_a_rule_whose_kit_is_not_approved_skips_and_tells_its_creator(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org, approved=False)
        stage = await job_stage(session, job, "ai_interview")
        [application_id] = await bulk_applications(session, org, job, 1)
        kit = await repository.kit_of_job(session, org.id, job.id)
        assert kit is not None
        kit_id = kit.id
    await sign_in(client, owner.email)
    assert (await _rule(client, org.id, stage.id, kit_id)).status_code == 201

    await _move(client, org.id, application_id, stage.id)

    async with db.transaction() as session:
        [row] = list(
            await session.scalars(
                select(InterviewInvitation).where(
                    InterviewInvitation.application_id == application_id
                )
            )
        )
        notes = list(
            await session.scalars(select(Notification).where(Notification.user_id == owner.id))
        )
        assert await prepare_jobs(session) == []
    assert (row.state, row.failure_reason) == ("skipped", "kit-not-approved")
    assert [n.kind for n in notes] == ["invitation_not_sent"]
    assert "not approved" in notes[0].body
    read = await client.get(f"/api/v1/organizations/{org.id}/interview-invitations/{row.id}")
    assert read.json()["status"] == "skipped"


async def test_a_completed_interview_sends_the_candidate_a_receipt(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        address = f"receipt-{uuid.uuid4().hex[:8]}@candidates.test"
        _, token = await make_session(
            session, org, owner, test_settings, candidate_email=address, question_count=1
        )
        await run_interview(session, token, test_settings, score=False)
        receipts = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.to_address == address,
                OutboxMessage.kind == "interview_completed",
            )
        )
    assert receipts == 1
