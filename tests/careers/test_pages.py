"""The careers pages over HTTP: the list with filters and empty states, a posting, and the apply
form (pre-session CSRF, errors shown next to fields with the typed values kept)."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import Application, Candidate
from tests.careers.helpers import PNG, PROCESSING, TALENT_POOL, counts, pdf_bytes
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.web.test_pages import HTML, assert_html

FORM_CSRF = "hf_form_csrf"


async def test_the_careers_page_lists_open_jobs_and_filters(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        await make_job(session, organization, title="Welder", department="Plant", location="Lyon")
        await make_job(session, organization, title="Painter", remote_policy="remote")
        await make_job(session, organization, title="Secret draft", status="draft")
    page = assert_html(await client.get(f"/careers/{organization.slug}", headers=HTML))
    assert page.h1 == ["Open positions at Acme"]
    assert not page.csp_offences
    response = await client.get(f"/careers/{organization.slug}", headers=HTML)
    assert "Welder" in response.text
    assert "Painter" in response.text
    assert "Secret draft" not in response.text
    remote = await client.get(f"/careers/{organization.slug}?remote=remote", headers=HTML)
    assert "Painter" in remote.text
    assert "Welder" not in remote.text
    none = await client.get(f"/careers/{organization.slug}?q=astronaut", headers=HTML)
    assert "No positions match" in none.text


async def test_an_organization_without_open_jobs_shows_an_empty_state(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Quiet")
    response = await client.get(f"/careers/{organization.slug}", headers=HTML)
    assert response.status_code == 200
    assert "No open positions right now" in response.text
    assert (await client.get("/careers/no-such-org", headers=HTML)).status_code == 404


async def test_a_posting_renders_its_sanitized_description_and_the_consents(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(
            session,
            organization,
            title="Welder",
            description_html="<p>Weld <strong>things</strong>.</p>",
            salary_min=40000,
            salary_max=50000,
            salary_currency="EUR",
        )
        closed = await make_job(session, organization, status="closed")
    response = await client.get(f"/careers/{organization.slug}/jobs/{job.id}", headers=HTML)
    page = assert_html(response)
    assert page.h1 == ["Welder"]
    assert not page.csp_offences
    assert "<p>Weld <strong>things</strong>.</p>" in response.text
    assert "40,000–50,000 EUR a year" in response.text
    assert f'value="{PROCESSING}"' in response.text
    assert f'value="{TALENT_POOL}"' in response.text
    token = client.cookies[FORM_CSRF]
    assert f'name="csrf_token" value="{token}"' in response.text
    assert (
        await client.get(f"/careers/{organization.slug}/jobs/{closed.id}", headers=HTML)
    ).status_code == 404


async def test_a_description_stored_around_the_service_is_still_sanitized(
    client: httpx.AsyncClient, db: Database
) -> None:
    # Written straight to the table (as SQL loads or a bug would): the public page must not
    # trust it.
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(
            session,
            organization,
            description_html='<p onclick="x()">Hi</p><script>alert(1)</script>'
            '<a href="javascript:alert(1)">link</a>',
        )
    response = await client.get(f"/careers/{organization.slug}/jobs/{job.id}", headers=HTML)
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "alert(1)" not in response.text
    assert "onclick" not in response.text
    assert "<p>Hi</p>" in response.text


async def _open_form(client: httpx.AsyncClient, url: str) -> str:
    assert (await client.get(url, headers=HTML)).status_code == 200
    return str(client.cookies[FORM_CSRF])


async def test_applying_through_the_form(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Acme")
        job = await make_job(session, organization, title="Welder")
    url = f"/careers/{organization.slug}/jobs/{job.id}"
    token = await _open_form(client, url)
    response = await client.post(
        url + "/apply",
        data={
            "csrf_token": token,
            "full_name": "Grace Hopper",
            "email": "grace@example.test",
            "phone": "",
            "consent": [PROCESSING],
        },
        files={"resume": ("cv.pdf", pdf_bytes("Grace Hopper", "Nanoseconds"), "application/pdf")},
        headers=HTML,
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == url + "/applied"
    done = await client.get(response.headers["location"], headers=HTML)
    assert "Application sent" in done.text
    assert "Welder" in done.text
    async with db.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == organization.id)
        )
        applications = list(
            await session.scalars(
                select(Application).where(Application.organization_id == organization.id)
            )
        )
    assert candidate is not None
    assert "Nanoseconds" in candidate.resume_text
    assert [a.candidate_id for a in applications] == [candidate.id]


async def test_a_refused_form_keeps_the_typed_values_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
    url = f"/careers/{organization.slug}/jobs/{job.id}"
    token = await _open_form(client, url)
    fields = {"csrf_token": token, "full_name": "Grace Hopper", "email": "grace@example.test"}
    no_consent = await client.post(
        url + "/apply",
        data=fields,
        files={"resume": ("cv.txt", b"My resume", "text/plain")},
        headers=HTML,
    )
    assert no_consent.status_code == 422
    assert 'value="Grace Hopper"' in no_consent.text
    assert 'value="grace@example.test"' in no_consent.text
    assert re.search(r'class="field-error"[^>]*>Tick the box', no_consent.text)
    wrong_type = await client.post(
        url + "/apply",
        data={**fields, "consent": [PROCESSING]},
        files={"resume": ("cv.png", PNG, "image/png")},
        headers=HTML,
    )
    assert wrong_type.status_code == 422
    assert re.search(r'id="field-resume-error">[^<]*PDF, DOCX and plain-text', wrong_type.text)
    bad_email = await client.post(
        url + "/apply",
        data={**fields, "email": "nope", "consent": [PROCESSING]},
        files={"resume": ("cv.txt", b"My resume", "text/plain")},
        headers=HTML,
    )
    assert bad_email.status_code == 422
    assert 'id="field-email-error"' in bad_email.text
    assert await counts(db, organization) == {
        "candidates": 0,
        "applications": 0,
        "consents": 0,
        "documents": 0,
        "events": 0,
    }


async def test_the_form_needs_its_csrf_token(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
    url = f"/careers/{organization.slug}/jobs/{job.id}"
    await _open_form(client, url)
    response = await client.post(
        url + "/apply",
        data={
            "csrf_token": "forged-token-forged-token",
            "full_name": "X",
            "email": "x@e.test",
            "consent": [PROCESSING],
        },
        files={"resume": ("cv.txt", b"My resume", "text/plain")},
        headers=HTML,
    )
    assert response.status_code == 403
    assert (await counts(db, organization))["applications"] == 0


async def test_saving_a_job_needs_a_sign_in(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        job = await make_job(session, organization)
    response = await client.post(f"/careers/{organization.slug}/jobs/{job.id}/save", headers=HTML)
    assert response.status_code == 401
