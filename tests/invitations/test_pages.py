"""Invitation pages: the bulk invite page of a job and its result, the pipeline's badges (who
opened their invitation, who started), the invitations list, the rules page, and the invite
buttons on the application and AI interview pages."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlalchemy import select, update

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import InterviewInvitation, InterviewSession, OutboxMessage
from tests.factories.interviews import make_session
from tests.factories.invitations import bulk_applications, job_with_kit, run_prepare_jobs
from tests.factories.jobs import job_stage
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

HTML = {"Accept": "text/html"}


def _key_of(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found, "the form has no idempotency key"
    return found.group(1)


async def test_invite_from_the_job_page_then_the_pipeline_shows_who_opened_and_started(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 3)
        [no_email] = await bulk_applications(session, org, job, 1, with_email=False)
        applied = await job_stage(session, job, "applied")
    await sign_in(client, owner.email)
    base = f"/organizations/{org.id}/jobs/{job.id}"

    page = await client.get(f"{base}/invite", params={"stage_id": str(applied.id)}, headers=HTML)
    assert page.status_code == 200
    assert page.text.count(" checked") == 3  # "select all in a stage" (not the one without email)
    refused = await client.post(
        f"{base}/invite", data={"idempotency_key": _key_of(page.text)}, headers=HTML
    )
    assert refused.status_code == 422
    assert "Choose 1 to 1,000 candidates." in refused.text
    sent = await client.post(
        f"{base}/invite",
        data={
            "idempotency_key": _key_of(page.text),
            "application_ids": [str(i) for i in [*ids, no_email]],
            "message": "Hello from Acme",
        },
        headers=HTML,
    )
    assert sent.status_code == 200, sent.text
    assert "3 invitations accepted" in sent.text
    assert "no email address" in sent.text

    async with db.transaction() as session:
        await run_prepare_jobs(session, test_settings)
        rows = {
            r.application_id: r
            for r in await session.scalars(
                select(InterviewInvitation).where(InterviewInvitation.organization_id == org.id)
            )
        }
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == rows[ids[0]].outbox_message_id)
            .values(status="sent", sent_at=now(), opened_at=now())
        )
        await session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == rows[ids[1]].session_id)
            .values(status="IN_PROGRESS")
        )
    board = await client.get(f"{base}/pipeline", headers=HTML)
    assert board.status_code == 200
    cards = {
        m.group(1): m.group(2)
        for m in re.finditer(r'id="card-([0-9a-f-]+)"(.*?)</li>', board.text, re.S)
    }
    assert ">Opened<" in cards[str(ids[0])]
    assert ">Started<" in cards[str(ids[1])]
    assert ">Invited<" in cards[str(ids[2])]
    assert ">Invited<" not in cards[str(no_email)]

    listed = await client.get(
        f"/organizations/{org.id}/invitations", params={"status": "started"}, headers=HTML
    )
    assert listed.status_code == 200
    assert listed.text.count("Started") >= 1
    assert rows[ids[1]].to_address in listed.text
    assert rows[ids[0]].to_address not in listed.text


async def test_the_application_page_invites_and_lists_its_invitations(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        [application_id] = await bulk_applications(session, org, job, 1)
    await sign_in(client, owner.email)
    url = f"/organizations/{org.id}/applications/{application_id}"

    page = await client.get(url, headers=HTML)
    assert "Invite to AI interview" in page.text
    sent = await client.post(
        f"{url}/invite", data={"idempotency_key": _key_of(page.text)}, headers=HTML
    )
    assert sent.status_code == 200
    assert "1 invitation accepted" in sent.text
    again = await client.get(url, headers=HTML)
    assert "AI interview invitations" in again.text
    assert "Scheduled" in again.text


async def test_the_session_page_emails_the_link(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        interview, _ = await make_session(
            session, org, owner, test_settings, candidate_email="lin@candidates.test"
        )
    await sign_in(client, owner.email)
    url = f"/organizations/{org.id}/interviews/{interview.id}"

    page = await client.get(url, headers=HTML)
    assert "Email invitation" in page.text
    assert "stops working" in page.text
    sent = await client.post(f"{url}/invitation", data={"message": "See you"}, headers=HTML)

    assert sent.status_code == 303
    assert "notice=invitation-queued" in sent.headers["location"]
    async with db.transaction() as session:
        row = await session.scalar(
            select(InterviewInvitation).where(InterviewInvitation.session_id == interview.id)
        )
    assert row is not None
    assert row.to_address == "lin@candidates.test"


async def test_the_rules_page_adds_toggles_and_deletes_a_rule(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        stage = await job_stage(session, job, "ai_interview")
    await sign_in(client, owner.email)
    url = f"/organizations/{org.id}/jobs/{job.id}/invitation-rules"

    page = await client.get(url, headers=HTML)
    assert page.status_code == 200
    assert "Add a rule" in page.text
    bad = await client.post(url, data={"stage_id": str(uuid.uuid4())}, headers=HTML)
    assert bad.status_code == 422
    added = await client.post(url, data={"stage_id": str(stage.id)}, headers=HTML)
    assert added.status_code == 303
    page = await client.get(url, headers=HTML)
    assert "AI interview" in page.text
    assert ">On<" in page.text
    rule_id = re.search(r"invitation-rules/([0-9a-f-]+)/toggle", page.text)
    assert rule_id
    toggled = await client.post(f"{url}/{rule_id.group(1)}/toggle", headers=HTML)
    assert toggled.status_code == 303
    assert ">Off<" in (await client.get(url, headers=HTML)).text
    deleted = await client.post(f"{url}/{rule_id.group(1)}/delete", headers=HTML)
    assert deleted.status_code == 303
    assert "No rules yet." in (await client.get(url, headers=HTML)).text


async def test_another_organizations_pages_are_404(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        mine = await make_organization(session)
        me, _ = await make_member(session, mine, role="owner")
        theirs = await make_organization(session)
        job = await job_with_kit(session, theirs)
    await sign_in(client, me.email)
    for url in (
        f"/organizations/{mine.id}/jobs/{job.id}/invite",
        f"/organizations/{mine.id}/jobs/{job.id}/invitation-rules",
        f"/organizations/{theirs.id}/invitations",
    ):
        assert (await client.get(url, headers=HTML)).status_code == 404, url
