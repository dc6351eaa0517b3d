"""The portal pages over HTTP, end to end: a candidate creates an account, confirms the address,
signs in, applies with the resume kept in the account and follows the application; profile and
documents pages."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Candidate, CandidateAccount, Document, Membership, SavedJob, User
from tests.careers.helpers import PNG, PROCESSING, pdf_bytes
from tests.factories.candidates import make_candidate
from tests.factories.jobs import make_job
from tests.factories.mail import link_token
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD
from tests.portal.helpers import make_candidate_user
from tests.web.test_pages import HTML, assert_html

STRONG = "quartz-lagoon-7-ember-thistle"


def session_csrf(client: httpx.AsyncClient) -> str:
    return str(client.cookies["hf_csrf"])


async def browser_sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> None:
    await client.get("/login", headers=HTML)
    response = await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": client.cookies["hf_form_csrf"]},
        headers=HTML,
    )
    assert response.status_code == 303, response.text


async def test_register_confirm_sign_in_apply_and_follow(
    client: httpx.AsyncClient, db: Database
) -> None:
    address = f"casey-{uuid.uuid4().hex[:8]}@example.test"
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(session, organization, title="Welder")

    page = assert_html(await client.get("/portal/register", headers=HTML))
    assert page.h1 == ["Create a candidate account"]
    assert not page.csp_offences
    token = client.cookies["hf_form_csrf"]
    weak = await client.post(
        "/portal/register",
        data={"name": "Casey", "email": address, "password": "password", "csrf_token": token},
        headers=HTML,
    )
    assert weak.status_code == 422
    assert f'value="{address}"' in weak.text
    created = await client.post(
        "/portal/register",
        data={"name": "Casey", "email": address, "password": STRONG, "csrf_token": token},
        headers=HTML,
    )
    assert created.status_code == 303, created.text
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.email == address))
        assert user is not None
        assert user.email_verified_at is None
        assert await session.get(CandidateAccount, user.id) is not None
        memberships = await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == user.id)
        )
    assert memberships == 0

    confirm = await client.post(
        "/verify-email", data={"token": await link_token(db, address, "/verify-email")}
    )
    assert confirm.status_code == 200, confirm.text
    await browser_sign_in(client, address, STRONG)

    # A resume kept in the account, used to apply.
    uploaded = await client.post(
        "/portal/documents",
        data={"kind": "resume", "csrf_token": session_csrf(client)},
        files={"file": ("casey.pdf", pdf_bytes("Casey", "Underwater welding"), "application/pdf")},
        headers=HTML,
    )
    assert uploaded.status_code == 303, uploaded.text
    async with db.transaction() as session:
        document = await session.scalar(select(Document).where(Document.user_id == user.id))
    assert document is not None

    job_page = await client.get(f"/careers/{organization.slug}/jobs/{job.id}", headers=HTML)
    assert "casey.pdf" in job_page.text
    assert 'value="Casey"' in job_page.text
    applied = await client.post(
        f"/careers/{organization.slug}/jobs/{job.id}/apply",
        data={
            "csrf_token": session_csrf(client),
            "full_name": "Casey",
            "consent": [PROCESSING],
            "resume_document_id": str(document.id),
        },
        headers=HTML,
    )
    assert applied.status_code == 303, applied.text

    portal = await client.get("/portal", headers=HTML)
    assert_html(portal)
    assert "Welder" in portal.text
    assert "Acme" in portal.text
    assert "Applied" in portal.text
    async with db.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == organization.id)
        )
        assert candidate is not None
        org_documents = list(
            await session.scalars(select(Document).where(Document.candidate_id == candidate.id))
        )
    assert candidate is not None
    assert candidate.user_id == user.id
    assert "Underwater welding" in candidate.resume_text
    # The account's file was copied into the organization's documents; the account keeps its own.
    assert [d.filename for d in org_documents] == ["casey.pdf"]
    assert org_documents[0].id != document.id


async def test_the_portal_sends_signed_out_visitors_to_sign_in(client: httpx.AsyncClient) -> None:
    for path in ("/portal", "/portal/profile", "/portal/documents"):
        response = await client.get(path, headers=HTML)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


async def test_empty_states(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
    await browser_sign_in(client, user.email)
    home = await client.get("/portal", headers=HTML)
    assert "No applications yet" in home.text
    assert "No saved jobs" in home.text
    documents = await client.get("/portal/documents", headers=HTML)
    assert "No documents yet" in documents.text


async def test_the_profile_form_saves_and_passes_edits_on(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
        organization = await make_organization(session)
        linked = await make_candidate(session, organization, email=user.email, user_id=user.id)
    await browser_sign_in(client, user.email)
    page = assert_html(await client.get("/portal/profile", headers=HTML))
    assert page.h1 == ["My profile"]
    assert not page.csp_offences
    form = {
        "csrf_token": session_csrf(client),
        "headline": "Welder",
        "location": "Lyon",
        "links": "https://example.test/me\n",
        "skill_name": ["TIG welding", ""],
        "skill_level": ["4", ""],
        "skill_years": ["6", ""],
        "exp_title": ["Welder"],
        "exp_company": ["Acme"],
        "exp_start_on": ["2019-01-01"],
        "exp_end_on": [""],
        "exp_description": ["Pipes"],
        "edu_institution": [""],
        "edu_degree": [""],
        "edu_field": [""],
        "edu_start_on": [""],
        "edu_end_on": [""],
    }
    saved = await client.post("/portal/profile", data=form, headers=HTML)
    assert saved.status_code == 303, saved.text
    async with db.transaction() as session:
        account = await session.get(CandidateAccount, user.id)
        candidate = await session.get(Candidate, linked.id)
    assert account is not None
    assert candidate is not None
    assert account.skills == [{"name": "TIG welding", "level": 4, "years": 6.0}]
    assert account.experience[0]["company"] == "Acme"
    assert candidate.headline == "Welder"
    assert candidate.location == "Lyon"
    assert candidate.skills == account.skills

    bad = await client.post(
        "/portal/profile",
        data={**form, "headline": "Changed", "exp_end_on": ["2018-01-01"]},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert 'value="Changed"' in bad.text
    assert "end date cannot be before" in bad.text
    async with db.transaction() as session:
        unchanged = await session.get(CandidateAccount, user.id)
    assert unchanged is not None
    assert unchanged.headline == "Welder"


async def test_documents_page_upload_refusal_and_delete(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
    await browser_sign_in(client, user.email)
    refused = await client.post(
        "/portal/documents",
        data={"kind": "resume", "csrf_token": session_csrf(client)},
        files={"file": ("photo.png", PNG, "image/png")},
        headers=HTML,
    )
    assert refused.status_code == 422
    assert 'id="field-file-error"' in refused.text
    ok = await client.post(
        "/portal/documents",
        data={"kind": "other", "csrf_token": session_csrf(client)},
        files={"file": ("notes.txt", b"Certificates", "text/plain")},
        headers=HTML,
    )
    assert ok.status_code == 303
    async with db.transaction() as session:
        document = await session.scalar(select(Document).where(Document.user_id == user.id))
    assert document is not None
    listing = await client.get("/portal/documents", headers=HTML)
    assert "notes.txt" in listing.text
    download = await client.get(f"/portal/documents/{document.id}")
    assert download.content == b"Certificates"
    deleted = await client.post(
        f"/portal/documents/{document.id}/delete",
        data={"csrf_token": session_csrf(client)},
        headers=HTML,
    )
    assert deleted.status_code == 303
    async with db.transaction() as session:
        assert await session.get(Document, document.id) is None


async def test_save_and_unsave_from_the_careers_page(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_candidate_user(session)
        organization = await make_organization(session)
        job = await make_job(session, organization, title="Welder")
    await browser_sign_in(client, user.email)
    url = f"/careers/{organization.slug}/jobs/{job.id}"
    saved = await client.post(url + "/save", data={"csrf_token": session_csrf(client)})
    assert saved.status_code == 303
    page = await client.get(url, headers=HTML)
    assert "Saved ✓" in page.text
    home = await client.get("/portal", headers=HTML)
    assert "Welder" in home.text
    forged = await client.post(url + "/unsave", data={"csrf_token": "wrong"})
    assert forged.status_code == 403
    removed = await client.post(
        f"/portal/saved-jobs/{job.id}/delete", data={"csrf_token": session_csrf(client)}
    )
    assert removed.status_code == 303
    async with db.transaction() as session:
        left = await session.scalar(
            select(func.count()).select_from(SavedJob).where(SavedJob.user_id == user.id)
        )
    assert left == 0
