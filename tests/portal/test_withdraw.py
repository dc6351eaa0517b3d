"""Candidates withdraw an application or a consent from the portal (`/api/v1/me/…` and the
`/portal` pages): only their own, only once, and the organization sees it in its records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import (
    Application,
    ApplicationEvent,
    AuditEvent,
    CandidateConsent,
    CandidateEvent,
    Job,
    Organization,
    User,
)
from tests.factories.applications import back_date, make_application
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.portal.helpers import make_candidate_user, signed_in
from tests.portal.test_api import RECRUITER_ONLY, keys_of
from tests.portal.test_pages import browser_sign_in, session_csrf
from tests.web.test_pages import HTML, assert_html

ME = "/api/v1/me"


@dataclass
class World:
    organization: Organization
    owner: User
    job: Job
    user: User
    candidate_id: uuid.UUID
    application: Application
    consent: CandidateConsent


async def _world(db: Database, *, status: str = "active") -> World:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        owner, _ = await make_member(session, organization, role="owner")
        job = await make_job(session, organization, title="Welder")
        user = await make_candidate_user(session, name="Casey Candidate")
        candidate = await make_candidate(
            session, organization, email=user.email, user_id=user.id, tags=["secret-tag"]
        )
        application = await make_application(session, job, candidate, source="referral")
        await back_date(session, application, 3600)
        application.status = status
        application.score = 42
        consent = CandidateConsent(
            organization_id=organization.id,
            candidate_id=candidate.id,
            purpose="talent_pool",
            statement="Keep me in Acme's talent pool.",
            source="careers_page",
        )
        session.add(consent)
        await session.flush()
    return World(organization, owner, job, user, candidate.id, application, consent)


async def _count(db: Database, model: Any, *conditions: Any) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
        )


# --- applications: API -----------------------------------------------------------------------


async def test_withdrawing_an_application_closes_it_in_its_stage_for_the_recruiter_too(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await _world(db)
    stage_id = world.application.stage_id
    await signed_in(client, world.user)
    response = await client.post(
        f"{ME}/applications/{world.application.id}/withdraw",
        json={"reason": "  I took another offer.  "},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["status"], body["stage"]) == (
        str(world.application.id),
        "withdrawn",
        "Applied",
    )
    assert not keys_of(body) & RECRUITER_ONLY, body
    mine = (await client.get(f"{ME}/applications")).json()["items"]
    assert [i["status"] for i in mine] == ["withdrawn"]

    async with db.transaction() as session:
        application = await session.get_one(Application, world.application.id)
        events = list(
            await session.scalars(
                select(ApplicationEvent).where(
                    ApplicationEvent.application_id == application.id,
                    ApplicationEvent.type == "withdrawn",
                )
            )
        )
        audits = list(
            await session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "application.withdrawn",
                    AuditEvent.target_id == str(application.id),
                )
            )
        )
    assert application.status == "withdrawn"
    assert application.closed_at is not None
    assert application.stage_id == stage_id
    assert len(events) == 1
    assert events[0].from_stage_id == stage_id
    assert events[0].actor_user_id == world.user.id
    assert events[0].seconds_in_stage is not None
    assert events[0].seconds_in_stage >= 3600
    assert events[0].data == {"reason": "I took another offer."}
    assert [(a.organization_id, a.actor_user_id) for a in audits] == [
        (world.organization.id, world.user.id)
    ]

    # The recruiter sees it in the application's history, and on the board as withdrawn.
    await sign_in(client, world.owner.email)
    org = f"/api/v1/organizations/{world.organization.id}"
    detail = (await client.get(f"{org}/applications/{world.application.id}")).json()
    assert detail["status"] == "withdrawn"
    withdrawn = [e for e in detail["events"] if e["type"] == "withdrawn"]
    assert [(e["actor_name"], e["data"]["reason"], e["from_stage_name"]) for e in withdrawn] == [
        ("Casey Candidate", "I took another offer.", "Applied")
    ]
    board = (await client.get(f"{org}/jobs/{world.job.id}/pipeline")).json()
    cards = [c for column in board["stages"] for c in column["cards"]]
    assert [(c["application_id"], c["status"]) for c in cards] == [
        (str(world.application.id), "withdrawn")
    ]
    page = await client.get(
        f"/organizations/{world.organization.id}/applications/{world.application.id}",
        headers=HTML,
    )
    assert_html(page)
    assert "I took another offer." in page.text
    # Only the candidate can take it back up: no Reopen for the recruiter.
    assert "The candidate withdrew this application" in page.text
    assert "/reopen" not in page.text


async def test_withdrawing_without_a_body_or_reason_works(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await _world(db)
    await signed_in(client, world.user)
    response = await client.post(f"{ME}/applications/{world.application.id}/withdraw")
    assert response.status_code == 200, response.text
    async with db.transaction() as session:
        event = await session.scalar(
            select(ApplicationEvent).where(
                ApplicationEvent.application_id == world.application.id,
                ApplicationEvent.type == "withdrawn",
            )
        )
    assert event is not None
    assert event.data == {}


@pytest.mark.parametrize("status", ["withdrawn", "rejected", "hired"])
async def test_only_an_application_in_progress_can_be_withdrawn(
    client: httpx.AsyncClient, db: Database, status: str
) -> None:
    world = await _world(db, status=status)
    await signed_in(client, world.user)
    response = await client.post(f"{ME}/applications/{world.application.id}/withdraw", json={})
    assert response.status_code == 409, response.text
    assert response.json()["status"] == 409
    assert response.json()["application_status"] == status
    assert status in response.json()["detail"]
    assert await _count(db, ApplicationEvent, ApplicationEvent.type == "withdrawn") == 0
    async with db.transaction() as session:
        assert (await session.get_one(Application, world.application.id)).status == status


async def test_withdrawing_twice_is_409(client: httpx.AsyncClient, db: Database) -> None:
    world = await _world(db)
    await signed_in(client, world.user)
    url = f"{ME}/applications/{world.application.id}/withdraw"
    assert (await client.post(url, json={})).status_code == 200
    again = await client.post(url, json={})
    assert again.status_code == 409
    assert again.json()["application_status"] == "withdrawn"
    condition = ApplicationEvent.application_id == world.application.id
    assert await _count(db, ApplicationEvent, condition, ApplicationEvent.type == "withdrawn") == 1


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "x" * 301},
        {"reason": 12},
        {"reason": "ok", "status": "active"},
        {"organization_id": str(uuid.uuid4())},
    ],
)
async def test_a_bad_withdrawal_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, body: dict[str, Any]
) -> None:
    world = await _world(db)
    await signed_in(client, world.user)
    response = await client.post(f"{ME}/applications/{world.application.id}/withdraw", json=body)
    assert response.status_code == 422, response.text
    async with db.transaction() as session:
        application = await session.get_one(Application, world.application.id)
    assert (application.status, application.closed_at) == ("active", None)
    assert await _count(db, ApplicationEvent, ApplicationEvent.type == "withdrawn") == 0
    assert await _count(db, AuditEvent, AuditEvent.action == "application.withdrawn") == 0


async def test_other_peoples_applications_are_404(client: httpx.AsyncClient, db: Database) -> None:
    world = await _world(db)
    async with db.transaction() as session:
        someone = await make_candidate_user(session, email="someone@example.test")
        # Someone else's application, in the same organization and in another one.
        stranger = await make_candidate(session, world.organization, email="x@example.test")
        theirs = await make_application(session, world.job, stranger)
        elsewhere = await make_organization(session, name="Theirs")
        their_job = await make_job(session, elsewhere)
        their_candidate = await make_candidate(session, elsewhere, email="y@example.test")
        their_other = await make_application(session, their_job, their_candidate)
    await signed_in(client, someone)
    for application_id in (world.application.id, theirs.id, their_other.id, uuid.uuid4()):
        response = await client.post(f"{ME}/applications/{application_id}/withdraw", json={})
        assert response.status_code == 404, response.text
        assert "Acme" not in response.text
        page = await client.get(f"/portal/applications/{application_id}/withdraw", headers=HTML)
        assert page.status_code == 404
    assert await _count(db, ApplicationEvent, ApplicationEvent.type == "withdrawn") == 0
    # A member of the organization has no application of their own there either.
    await sign_in(client, world.owner.email)
    response = await client.post(f"{ME}/applications/{world.application.id}/withdraw", json={})
    assert response.status_code == 404


async def test_withdrawing_needs_a_signed_in_person(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await _world(db)
    for url in (f"{ME}/applications/{world.application.id}/withdraw", f"{ME}/consents/withdraw"):
        assert (await client.post(url, json={})).status_code == 401
    assert (await client.get(f"{ME}/consents")).status_code == 401


# --- consents: API ---------------------------------------------------------------------------


async def test_my_consents_list_and_withdraw(client: httpx.AsyncClient, db: Database) -> None:
    world = await _world(db)
    await signed_in(client, world.user)
    listed = await client.get(f"{ME}/consents")
    assert listed.status_code == 200, listed.text
    assert [
        (c["organization_name"], c["purpose"], c["statement"], c["withdrawn_at"])
        for c in listed.json()
    ] == [("Acme", "talent_pool", "Keep me in Acme's talent pool.", None)]
    assert not keys_of(listed.json()) & RECRUITER_ONLY

    body = {"organization_id": str(world.organization.id), "purpose": "talent_pool"}
    response = await client.post(f"{ME}/consents/withdraw", json=body)
    assert response.status_code == 200, response.text
    assert [c["id"] for c in response.json()] == [str(world.consent.id)]
    assert response.json()[0]["withdrawn_at"] is not None
    assert not keys_of(response.json()) & RECRUITER_ONLY
    assert (await client.get(f"{ME}/consents")).json()[0]["withdrawn_at"] is not None

    again = await client.post(f"{ME}/consents/withdraw", json=body)
    assert again.status_code == 409, again.text
    assert "already withdrawn" in again.json()["detail"]
    by_record = {"candidate_id": str(world.candidate_id), "purpose": "talent_pool"}
    assert (await client.post(f"{ME}/consents/withdraw", json=by_record)).status_code == 409

    assert (
        await _count(
            db,
            CandidateEvent,
            CandidateEvent.candidate_id == world.candidate_id,
            CandidateEvent.type == "consent_withdrawn",
        )
        == 1
    )
    assert (
        await _count(
            db,
            AuditEvent,
            AuditEvent.action == "candidate.consent_withdrawn",
            AuditEvent.organization_id == world.organization.id,
            AuditEvent.actor_user_id == world.user.id,
        )
        == 1
    )
    # The recruiter sees the withdrawal on the candidate's record.
    await sign_in(client, world.owner.email)
    consents = await client.get(
        f"/api/v1/organizations/{world.organization.id}/candidates/{world.candidate_id}/consents"
    )
    assert consents.status_code == 200, consents.text
    assert [c["withdrawn_at"] is not None for c in consents.json()] == [True]


async def test_withdrawing_by_candidate_id(client: httpx.AsyncClient, db: Database) -> None:
    world = await _world(db)
    await signed_in(client, world.user)
    response = await client.post(
        f"{ME}/consents/withdraw",
        json={"candidate_id": str(world.candidate_id), "purpose": "talent_pool"},
    )
    assert response.status_code == 200, response.text
    async with db.transaction() as session:
        assert (await session.get_one(CandidateConsent, world.consent.id)).withdrawn_at is not None


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"purpose": "talent_pool"}, 422),
        ({"organization_id": "ORG", "purpose": ""}, 422),
        ({"organization_id": "ORG", "purpose": "Talent Pool!"}, 422),
        ({"organization_id": "ORG", "purpose": "talent_pool", "withdrawn_at": None}, 422),
        ({"organization_id": "nope", "purpose": "talent_pool"}, 422),
        ({"organization_id": "ORG", "purpose": "application_processing"}, 404),
        ({"organization_id": "OTHER", "purpose": "talent_pool"}, 404),
        ({"candidate_id": "OTHER_CANDIDATE", "purpose": "talent_pool"}, 404),
        (
            {"organization_id": "ORG", "candidate_id": "OTHER_CANDIDATE", "purpose": "talent_pool"},
            404,
        ),
    ],
)
async def test_a_bad_consent_withdrawal_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, body: dict[str, Any], status: int
) -> None:
    world = await _world(db)
    async with db.transaction() as session:
        # Someone else's record and consent, with the same purpose, in another organization.
        other = await make_organization(session, name="Theirs")
        stranger = await make_candidate(session, other, email="stranger@example.test")
        session.add(
            CandidateConsent(
                organization_id=other.id,
                candidate_id=stranger.id,
                purpose="talent_pool",
                statement="Theirs.",
                source="careers_page",
            )
        )
        await session.flush()
    names = {"ORG": world.organization.id, "OTHER": other.id, "OTHER_CANDIDATE": stranger.id}
    sent = {k: str(names[v]) if isinstance(v, str) and v in names else v for k, v in body.items()}
    await signed_in(client, world.user)
    response = await client.post(f"{ME}/consents/withdraw", json=sent)
    assert response.status_code == status, response.text
    assert "Theirs" not in response.text
    assert await _count(db, CandidateConsent, CandidateConsent.withdrawn_at.is_not(None)) == 0
    assert await _count(db, CandidateEvent, CandidateEvent.type == "consent_withdrawn") == 0
    assert await _count(db, AuditEvent, AuditEvent.action == "candidate.consent_withdrawn") == 0


# --- pages ------------------------------------------------------------------------------------


async def test_the_portal_withdraws_an_application_after_a_confirm_step(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await _world(db)
    await browser_sign_in(client, world.user.email)
    home = assert_html(await client.get("/portal", headers=HTML))
    assert not home.csp_offences
    confirm_url = f"/portal/applications/{world.application.id}/withdraw"
    assert confirm_url in home.links
    confirm_page = await client.get(confirm_url, headers=HTML)
    confirm = assert_html(confirm_page)
    assert confirm.h1 == ["Withdraw my application"]
    assert not confirm.csp_offences
    assert "Welder at Acme" in confirm_page.text
    async with db.transaction() as session:
        # Looking at the confirm step changes nothing.
        assert (await session.get_one(Application, world.application.id)).status == "active"

    too_long = await client.post(
        confirm_url, data={"csrf_token": session_csrf(client), "reason": "x" * 301}, headers=HTML
    )
    assert too_long.status_code == 422
    assert "300 characters at most" in too_long.text
    assert 'id="field-reason-error"' in too_long.text
    forged = await client.post(confirm_url, data={"csrf_token": "wrong"}, headers=HTML)
    assert forged.status_code == 403
    async with db.transaction() as session:
        assert (await session.get_one(Application, world.application.id)).status == "active"

    done = await client.post(
        confirm_url,
        data={"csrf_token": session_csrf(client), "reason": "Moved abroad"},
        headers=HTML,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/portal?notice=application-withdrawn"
    home_page = await client.get("/portal", headers=HTML)
    assert "Withdrawn" in home_page.text
    assert confirm_url not in assert_html(home_page).links
    async with db.transaction() as session:
        application = await session.get_one(Application, world.application.id)
    assert application.status == "withdrawn"

    # The confirm step of a closed application says so, and a second post is a 409.
    closed = await client.get(confirm_url, headers=HTML)
    assert_html(closed)
    assert "only an application in progress can be withdrawn" in closed.text
    assert 'name="reason"' not in closed.text
    again = await client.post(confirm_url, data={"csrf_token": session_csrf(client)}, headers=HTML)
    assert again.status_code == 409
    assert "only an application in progress" in again.text


async def test_the_portal_lists_consents_and_withdraws_one(
    client: httpx.AsyncClient, db: Database
) -> None:
    world = await _world(db)
    await browser_sign_in(client, world.user.email)
    response = await client.get("/portal", headers=HTML)
    assert not assert_html(response).csp_offences
    assert "My consents" in response.text
    assert "Keep me in Acme&#39;s talent pool." in response.text
    assert 'action="/portal/consents/withdraw"' in response.text
    assert 'hx-confirm="Withdraw your talent pool consent given to Acme?"' in response.text

    bad = await client.post(
        "/portal/consents/withdraw",
        data={"csrf_token": session_csrf(client), "organization_id": "nope", "purpose": "x"},
        headers=HTML,
    )
    assert bad.status_code == 422
    missing = await client.post(
        "/portal/consents/withdraw",
        data={
            "csrf_token": session_csrf(client),
            "organization_id": str(world.organization.id),
            "purpose": "ai_evaluation",
        },
        headers=HTML,
    )
    assert missing.status_code == 404
    assert await _count(db, CandidateConsent, CandidateConsent.withdrawn_at.is_not(None)) == 0

    form = {
        "csrf_token": session_csrf(client),
        "organization_id": str(world.organization.id),
        "purpose": "talent_pool",
    }
    done = await client.post("/portal/consents/withdraw", data=form, headers=HTML)
    assert done.status_code == 303, done.text
    response = await client.get("/portal", headers=HTML)
    assert_html(response)
    assert "Withdrawn " in response.text
    assert 'action="/portal/consents/withdraw"' not in response.text
    again = await client.post("/portal/consents/withdraw", data=form, headers=HTML)
    assert again.status_code == 409


async def test_the_portal_shows_an_empty_consents_state(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
    await browser_sign_in(client, user.email)
    home = await client.get("/portal", headers=HTML)
    assert "No consents" in home.text
