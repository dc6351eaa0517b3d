"""Candidate pages over HTTP: list and search, forms, profile, merge confirmation, CSV import."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Application, Candidate, Document
from tests.candidates.conftest import Team
from tests.factories.candidates import make_candidate, pdf_bytes, png_bytes
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.web.test_pages import assert_html

HTML = {"accept": "text/html"}


async def _csrf(client: httpx.AsyncClient) -> dict[str, str]:
    return {"csrf_token": client.headers["X-CSRF-Token"]}


async def _plain_client(client: httpx.AsyncClient) -> None:
    # Forms post with their field, like a browser without script: no CSRF header.
    client.headers.pop("X-CSRF-Token")


async def test_empty_list_offers_to_add_and_import(client: httpx.AsyncClient, team: Team) -> None:
    page = assert_html(await client.get(f"{team.pages}/candidates", headers=HTML))
    assert page.h1 == ["Candidates"]
    assert f"{team.pages}/candidates/new" in page.links
    assert f"{team.pages}/candidate-imports/new" in page.links
    assert not page.csp_offences


async def test_create_through_the_form_then_search_edit_and_upload(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    form_page = assert_html(await client.get(f"{team.pages}/candidates/new", headers=HTML))
    assert form_page.h1 == ["New candidate"]
    fields = await _csrf(client)
    await _plain_client(client)
    created = await client.post(
        f"{team.pages}/candidates",
        data={
            **fields,
            "full_name": "Radia Perlman",
            "email": "radia@example.test",
            "tags": "Networking, STP",
            "skills": "Routing: 5\nSpanning tree",
            "source": "sourced",
        },
        headers=HTML,
    )
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    assert "notice=candidate-created" in location
    profile = await client.get(location, headers=HTML)
    markup = assert_html(profile)
    assert markup.h1 == ["Radia Perlman"]
    assert "level 5/5" in profile.text
    assert "networking" in profile.text
    assert not markup.csp_offences

    candidate_url = location.split("?")[0]
    listing = await client.get(f"{team.pages}/candidates", params={"q": "perlmn"}, headers=HTML)
    assert candidate_url in assert_html(listing).links
    edit = assert_html(await client.get(f"{candidate_url}/edit", headers=HTML))
    assert edit.h1 == ["Edit Radia Perlman"]
    saved = await client.post(
        f"{candidate_url}/edit",
        data={**fields, "full_name": "Radia J. Perlman", "skills": "Routing: 5", "tags": ""},
        headers=HTML,
    )
    assert saved.status_code == 303
    upload = await client.post(
        f"{candidate_url}/documents",
        data={**fields, "kind": "resume"},
        files={"file": ("cv.pdf", pdf_bytes("Invented the spanning tree protocol"))},
        headers=HTML,
    )
    assert upload.status_code == 303, upload.text
    async with db.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == team.org.id)
        )
        assert candidate is not None
        assert candidate.full_name == "Radia J. Perlman"
        assert candidate.tags == []
        assert "spanning tree" in candidate.resume_text
    profile = await client.get(candidate_url, headers=HTML)
    assert "cv.pdf" in profile.text


async def test_refused_forms_show_errors_and_change_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    fields = await _csrf(client)
    await _plain_client(client)
    refused = await client.post(
        f"{team.pages}/candidates",
        data={**fields, "full_name": "", "email": "nope", "skills": "Go: 9"},
        headers=HTML,
    )
    page = assert_html(refused, 422)
    assert "Enter the candidate&#39;s name" in refused.text
    assert "Enter an email address" in refused.text
    assert not page.csp_offences
    async with db.transaction() as session:
        candidate = await make_candidate(session, team.org, full_name="Kept Name")
    upload = await client.post(
        f"{team.pages}/candidates/{candidate.id}/documents",
        data={**fields, "kind": "resume"},
        files={"file": ("photo.pdf", png_bytes())},
        headers=HTML,
    )
    assert_html(upload, 422)
    assert "Only PDF, DOCX and plain-text" in upload.text
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(Candidate))
        docs = await session.scalar(select(func.count()).select_from(Document))
    assert count == 1
    assert docs == 0
    no_token = await client.post(
        f"{team.pages}/candidates", data={"full_name": "Sneaky"}, headers=HTML
    )
    assert no_token.status_code == 403


async def test_merge_confirmation_then_merge(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        keep = await make_candidate(session, team.org, full_name="Frances Allen", email="f@x.test")
        dup = await make_candidate(session, team.org, full_name="Fran Allen", email="F@X.TEST")
    profile = await client.get(f"{team.pages}/candidates/{keep.id}", headers=HTML)
    assert "Possible duplicates" in profile.text
    confirm_url = f"{team.pages}/candidates/{keep.id}/merge?duplicate_id={dup.id}"
    assert confirm_url in assert_html(profile).links
    confirm = assert_html(await client.get(confirm_url, headers=HTML))
    assert confirm.h1 == ["Merge Fran Allen into Frances Allen?"]
    fields = await _csrf(client)
    await _plain_client(client)
    merged = await client.post(
        f"{team.pages}/candidates/{keep.id}/merge",
        data={**fields, "duplicate_id": str(dup.id)},
        headers=HTML,
    )
    assert merged.status_code == 303
    gone = await client.get(f"{team.pages}/candidates/{dup.id}", headers=HTML)
    assert "Merged record" in gone.text
    assert f"{team.pages}/candidates/{keep.id}" in assert_html(gone).links


async def test_add_selected_candidates_to_a_job(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.org, title="Site reliability")
        a = await make_candidate(session, team.org, full_name="Anita Borg")
        b = await make_candidate(session, team.org, full_name="Shafi Goldwasser")
    listing = await client.get(f"{team.pages}/candidates", headers=HTML)
    assert "Add to job" in listing.text
    assert "Site reliability" in listing.text
    fields = await _csrf(client)
    await _plain_client(client)
    added = await client.post(
        f"{team.pages}/candidates/add-to-job",
        data={**fields, "job_id": str(job.id), "candidate_ids": [str(a.id), str(b.id)]},
        headers=HTML,
    )
    assert added.status_code == 303, added.text
    again = await client.post(
        f"{team.pages}/candidates/add-to-job",
        data={**fields, "job_id": str(job.id), "candidate_ids": [str(a.id)]},
        headers=HTML,
    )
    assert again.status_code == 303
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Application).where(Application.job_id == job.id)
        )
    assert count == 2
    listing = await client.get(f"{team.pages}/candidates", headers=HTML)
    links = assert_html(listing).links
    assert any(re.fullmatch(rf"{team.pages}/applications/[0-9a-f-]+", link) for link in links)


async def test_csv_import_preview_then_import(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    upload_page = assert_html(await client.get(f"{team.pages}/candidate-imports/new", headers=HTML))
    assert upload_page.h1 == ["Import candidates"]
    fields = await _csrf(client)
    await _plain_client(client)
    text = "full_name,email\nLinus Pauling,lp@example.test\nLise Meitner,lm@example.test\n"
    preview = await client.post(
        f"{team.pages}/candidate-imports",
        data=fields,
        files={"file": ("people.csv", text.encode())},
        headers=HTML,
    )
    assert preview.status_code == 303
    page = await client.get(preview.headers["location"], headers=HTML)
    assert "Lise Meitner" in page.text
    assert "Import 2 row(s)" in page.text
    done = await client.post(
        f"{preview.headers['location']}/import", data={**fields, "duplicates": "skip"}, headers=HTML
    )
    assert done.status_code == 303
    result = await client.get(done.headers["location"], headers=HTML)
    assert "2 candidate(s) created" in result.text
    bad = await client.post(
        f"{team.pages}/candidate-imports",
        data=fields,
        files={"file": ("x.csv", b"shoe_size\n42\n")},
        headers=HTML,
    )
    assert_html(bad, 422)
    assert "Required columns are missing" in bad.text


async def test_other_organizations_pages_are_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        stranger = await make_candidate(session, theirs, full_name="Their Person")
    for url in (
        f"{team.pages}/candidates/{stranger.id}",
        f"{team.pages}/candidates/{stranger.id}/edit",
        f"/organizations/{theirs.id}/candidates",
    ):
        response = await client.get(url, headers=HTML)
        assert response.status_code == 404, url
        assert "Their Person" not in response.text
