"""The invitations API: a bulk invite of 1,000 in one request, its validation (all or nothing),
idempotency, scheduling and cancelling, the prepare job (sessions, links that work, emails),
emailing an existing session's link, and who sees which invitation."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.invitations import service
from hireflow.kit.clock import now
from hireflow.models import (
    AuditEvent,
    InterviewInvitation,
    InterviewSession,
    OutboxMessage,
)
from tests.factories.applications import make_application
from tests.factories.candidates import make_candidate
from tests.factories.interviews import CANDIDATE_API, candidate_client, make_session
from tests.factories.invitations import (
    bulk_applications,
    invite_body,
    job_with_kit,
    prepare_jobs,
    run_prepare_jobs,
)
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in

PROBLEM = "application/problem+json"


def _url(org_id: object) -> str:
    return f"/api/v1/organizations/{org_id}/interview-invitations"


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def _count(db: Database, org_id: uuid.UUID) -> int:
    async with db.transaction() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(InterviewInvitation)
            .where(InterviewInvitation.organization_id == org_id)
        )
        return int(found or 0)


async def test_a_bulk_of_1000_is_accepted_in_one_request_and_prepared_by_10_jobs(
    app: FastAPI, client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 1000)
    await sign_in(client, owner.email)

    response = await client.post(_url(org.id), json=invite_body(ids), headers=_key())

    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 1000
    assert body["skipped"] == []
    assert {i["application_id"] for i in body["invitations"]} == {str(i) for i in ids}
    assert {i["status"] for i in body["invitations"]} == {"scheduled"}
    assert await _count(db, org.id) == 1000
    async with db.transaction() as session:
        jobs = await prepare_jobs(session)
        assert 1 <= len(jobs) <= 10
        assert sum(len(j.invitation_ids) for j in jobs) == 1000
        audit = await session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.organization_id == org.id,
                AuditEvent.action == "interview_invitation.batch_created",
            )
        )
        assert list(audit) == ["interview_invitation.batch_created"]
        # Preparing a part of them: sessions, emails and links that open the interview.
        first = [uuid.UUID(i) for i in jobs[0].invitation_ids[:3]]
        assert await service.prepare_invitations(session, first, test_settings) == 3
        assert await service.prepare_invitations(session, first, test_settings) == 0  # idempotent
        rows = list(
            await session.scalars(
                select(InterviewInvitation).where(InterviewInvitation.id.in_(first))
            )
        )
        assert {r.state for r in rows} == {"prepared"}
        assert all(r.session_id and r.outbox_message_id and r.link_sealed for r in rows)
        message = await session.get(OutboxMessage, rows[0].outbox_message_id)
        assert message is not None
        assert message.kind == "interview_invitation"
        assert message.to_address == rows[0].to_address
        link = service.unseal_link(rows[0].link_sealed or b"", test_settings)
        assert link is not None
        assert link in message.text_body
        interview = await session.get(InterviewSession, rows[0].session_id)
        assert interview is not None
        assert interview.application_id == rows[0].application_id
        assert interview.target_role == job.title
    token = link.rsplit("token=", 1)[1]
    async with candidate_client(app) as candidate:
        opened = await candidate.post(f"{CANDIDATE_API}/access", json={"token": token})
    assert opened.status_code == 200, opened.text
    invitation_id = rows[0].id
    read = await client.get(f"{_url(org.id)}/{invitation_id}")
    assert read.status_code == 200
    assert read.json()["status"] == "clicked"  # the link was opened


async def test_validation_refuses_the_whole_batch_and_records_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 3)
        other = await make_organization(session)
        their_job = await make_job(session, other)
        [theirs] = await bulk_applications(session, other, their_job, 1)
    await sign_in(client, owner.email)
    url = _url(org.id)

    cases: list[tuple[dict[str, object], int, str | None]] = [
        (invite_body([]), 422, None),
        ({"application_ids": [str(uuid.uuid4()) for _ in range(1001)]}, 422, None),
        (invite_body([ids[0], ids[0]]), 422, None),
        (invite_body([*ids, uuid.uuid4()]), 422, None),
        (invite_body([*ids, theirs]), 422, None),
        (invite_body(ids, send_at=(now() - timedelta(hours=1)).isoformat()), 422, None),
        (invite_body(ids, send_at=(now() + timedelta(days=91)).isoformat()), 422, None),
        (invite_body(ids, send_at="2030-01-01T10:00:00"), 422, None),  # no time zone
        (invite_body(ids, link_valid_days=0), 422, None),
        (invite_body(ids, message="x" * 2001), 422, None),
        (invite_body(ids, sms=True), 422, "sms-disabled"),
        (invite_body(ids, organization_id=str(org.id)), 422, None),
    ]
    for body, status, code in cases:
        response = await client.post(url, json=body, headers=_key())
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        if code:
            assert response.json()["code"] == code
    unknown = await client.post(url, json=invite_body([*ids, theirs]), headers=_key())
    assert unknown.json()["unknown_application_ids"] == [str(theirs)]
    missing_key = await client.post(url, json=invite_body(ids))
    assert missing_key.status_code == 428
    assert await _count(db, org.id) == 0


async def test_a_job_whose_kit_is_not_approved_refuses_the_batch(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        ready = await job_with_kit(session, org)
        draft = await job_with_kit(session, org, approved=False, title="Data Engineer")
        ids = await bulk_applications(session, org, ready, 2)
        draft_ids = await bulk_applications(session, org, draft, 2)
    await sign_in(client, owner.email)

    response = await client.post(_url(org.id), json=invite_body(ids + draft_ids), headers=_key())

    assert response.status_code == 409
    assert response.json()["code"] == "kit-not-approved"
    assert response.json()["job_ids"] == [str(draft.id)]
    assert await _count(db, org.id) == 0


async def test_a_retry_replays_and_candidates_who_cannot_be_invited_are_skipped(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await make_job(session, org)  # no kit: the AI writes the questions
        ids = await bulk_applications(session, org, job, 2)
        [no_email] = await bulk_applications(session, org, job, 1, with_email=False)
    await sign_in(client, owner.email)
    headers = _key()

    first = await client.post(_url(org.id), json=invite_body([*ids, no_email]), headers=headers)
    again = await client.post(_url(org.id), json=invite_body([*ids, no_email]), headers=headers)
    reused = await client.post(_url(org.id), json=invite_body(ids), headers=headers)
    second_batch = await client.post(_url(org.id), json=invite_body(ids), headers=_key())

    assert first.status_code == 202
    assert first.json()["accepted"] == 2
    assert first.json()["skipped"] == [
        {"application_id": str(no_email), "reason": service.SKIP_NO_EMAIL}
    ]
    assert again.status_code == 202
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert reused.status_code == 422
    # Still open (scheduled): a second batch skips them.
    assert second_batch.json()["accepted"] == 0
    assert {s["reason"] for s in second_batch.json()["skipped"]} == {service.SKIP_OPEN}
    assert await _count(db, org.id) == 2


async def test_a_scheduled_invitation_waits_for_its_time_and_can_be_cancelled_until_then(
    client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await job_with_kit(session, org)
        ids = await bulk_applications(session, org, job, 2)
    await sign_in(client, owner.email)
    send_at = (now() + timedelta(days=2)).replace(microsecond=0)

    response = await client.post(
        _url(org.id), json=invite_body(ids, send_at=send_at.isoformat()), headers=_key()
    )

    assert response.status_code == 202
    [cancel_me, keep] = [i["id"] for i in response.json()["invitations"]]
    async with db.transaction() as session:
        [queued] = await prepare_jobs(session)
    assert queued.scheduled_at == send_at
    listed = await client.get(_url(org.id), params={"status": "scheduled"})
    assert {i["id"] for i in listed.json()["items"]} == {cancel_me, keep}

    cancelled = await client.post(f"{_url(org.id)}/{cancel_me}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert (await client.post(f"{_url(org.id)}/{cancel_me}/cancel")).status_code == 409
    async with db.transaction() as session:
        assert await run_prepare_jobs(session, test_settings) == 1  # the one not cancelled
    after = await client.post(f"{_url(org.id)}/{keep}/cancel")
    assert after.status_code == 409
    assert (await client.get(f"{_url(org.id)}/{keep}")).json()["status"] == "queued"
    async with db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.organization_id == org.id,
                    AuditEvent.action == "interview_invitation.cancelled",
                )
            )
        )
    assert actions == ["interview_invitation.cancelled"]


async def test_one_failing_invitation_is_skipped_and_the_others_are_prepared(
    db: Database, client: httpx.AsyncClient, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        leaving, membership = await make_member(session, org, role="recruiter")
        job = await job_with_kit(session, org, assignees=[leaving])
        ids = await bulk_applications(session, org, job, 2)
    await sign_in(client, owner.email)
    response = await client.post(_url(org.id), json=invite_body(ids[:1]), headers=_key())
    assert response.status_code == 202
    client.cookies.clear()
    await sign_in(client, leaving.email)
    by_recruiter = await client.post(_url(org.id), json=invite_body(ids[1:]), headers=_key())
    assert by_recruiter.status_code == 202, by_recruiter.text
    async with db.transaction() as session:
        await session.delete(await session.merge(membership))  # the recruiter left
        await session.flush()
        assert await run_prepare_jobs(session, test_settings) == 1
        rows = {
            r.application_id: r
            for r in await session.scalars(
                select(InterviewInvitation).where(InterviewInvitation.organization_id == org.id)
            )
        }
    assert rows[ids[0]].state == "prepared"
    assert rows[ids[1]].state == "skipped"
    assert "no longer" in (rows[ids[1]].failure_reason or "")
    assert rows[ids[1]].session_id is None


async def test_emailing_an_existing_session_issues_a_new_link(
    app: FastAPI, client: httpx.AsyncClient, db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        interview, old_token = await make_session(
            session, org, owner, test_settings, candidate_email="ada@candidates.test"
        )
    await sign_in(client, owner.email)
    url = f"/api/v1/organizations/{org.id}/interview-sessions/{interview.id}/invitation"

    bad = await client.post(url, json={"to": "not an address"})
    response = await client.post(url, json={"message": "Looking forward to it"})

    assert bad.status_code == 422
    assert response.status_code == 202, response.text
    assert response.json()["session_id"] == str(interview.id)
    async with db.transaction() as session:
        assert await run_prepare_jobs(session, test_settings) == 1
        row = await session.get(InterviewInvitation, uuid.UUID(response.json()["id"]))
        assert row is not None
        assert row.state == "prepared"
        message = await session.get(OutboxMessage, row.outbox_message_id)
        assert message is not None
        assert "Looking forward to it" in message.text_body
        link = service.unseal_link(row.link_sealed or b"", test_settings)
    assert link is not None
    async with candidate_client(app) as candidate:
        stale = await candidate.post(f"{CANDIDATE_API}/access", json={"token": old_token})
        fresh = await candidate.post(
            f"{CANDIDATE_API}/access", json={"token": link.rsplit("token=", 1)[1]}
        )
    assert stale.status_code == 410
    assert fresh.status_code == 200


async def test_recruiters_see_the_invitations_of_their_jobs_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        recruiter, _ = await make_member(session, org, role="recruiter")
        theirs = await make_job(session, org, assignees=[recruiter])
        others = await make_job(session, org, title="Other job")
        candidate = await make_candidate(session, org, email="grace@candidates.test")
        mine_app = await make_application(session, theirs, candidate)
        other_app = await make_application(session, others, candidate)
    await sign_in(client, owner.email)
    sent = await client.post(
        _url(org.id), json=invite_body([mine_app.id, other_app.id]), headers=_key()
    )
    assert sent.json()["accepted"] == 2
    other_id = next(
        i["id"] for i in sent.json()["invitations"] if i["application_id"] == str(other_app.id)
    )
    client.cookies.clear()
    await sign_in(client, recruiter.email)

    listed = await client.get(_url(org.id))
    hidden = await client.get(f"{_url(org.id)}/{other_id}")
    refused = await client.post(_url(org.id), json=invite_body([other_app.id]), headers=_key())

    assert [i["application_id"] for i in listed.json()["items"]] == [str(mine_app.id)]
    assert hidden.status_code == 404
    assert refused.status_code == 422  # not an application they can read


async def test_pages_of_invitations_follow_the_cursor(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        job = await make_job(session, org)
        ids = await bulk_applications(session, org, job, 5)
    await sign_in(client, owner.email)
    await client.post(_url(org.id), json=invite_body(ids), headers=_key())

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(_url(org.id), params=params)).json()
        seen += [i["application_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(str(i) for i in ids)
    assert (await client.get(_url(org.id), params={"cursor": "nope"})).status_code == 422
    assert (await client.get(_url(org.id), params={"status": "nope"})).status_code == 422
