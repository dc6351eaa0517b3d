"""The jobs pages: list, forms, job page, versions, templates and CSV import, over HTTP."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Job, JobAssignment, JobTemplate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.jobs.conftest import Team
from tests.web.test_pages import Markup

HTML = {"accept": "text/html"}

FORM = {
    "title": "Platform Engineer",
    "description": "<p>Run <em>it</em></p><img src=x onerror=alert(1)>",
    "requirements": "Kubernetes",
    "skills": "Go, go, Terraform",
    "location": "Remote EU",
    "remote_policy": "remote",
    "employment_type": "full_time",
    "salary_min": "70000",
    "salary_max": "90000",
    "salary_currency": "EUR",
    "department": "Platform",
    "headcount": "1",
}


async def _jobs(db: Database, team: Team) -> list[Job]:
    async with db.transaction() as session:
        rows = await session.scalars(select(Job).where(Job.organization_id == team.organization.id))
        return list(rows)


def _clean(html: str) -> Markup:
    page = Markup(html)
    assert not page.csp_offences, page.csp_offences
    assert len(page.h1) == 1
    return page


async def test_empty_list_then_create_through_the_form(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    empty = await client.get(f"{team.pages}/jobs", headers=HTML)
    assert empty.status_code == 200
    assert "No jobs yet" in empty.text
    _clean(empty.text)

    form = await client.get(f"{team.pages}/jobs/new", headers=HTML)
    assert form.status_code == 200
    _clean(form.text)

    created = await client.post(f"{team.pages}/jobs", data=FORM, headers=HTML)
    assert created.status_code == 303
    [job] = await _jobs(db, team)
    assert created.headers["location"] == f"{team.pages}/jobs/{job.id}?notice=job-created"
    assert job.skills == ["Go", "Terraform"]
    assert "onerror" not in job.description_html

    page = await client.get(f"{team.pages}/jobs/{job.id}", headers=HTML)
    assert page.status_code == 200
    markup = _clean(page.text)
    assert markup.h1 == ["Platform Engineer"]
    assert "<p>Run <em>it</em></p>" in page.text
    assert "onerror" not in page.text
    assert f"{team.pages}/jobs/{job.id}/pipeline" in markup.links
    assert f"{team.pages}/jobs/{job.id}/versions" in markup.links

    listed = await client.get(f"{team.pages}/jobs", headers=HTML)
    assert "Platform Engineer" in listed.text
    _clean(listed.text)
    filtered = await client.get(f"{team.pages}/jobs", params={"q": "nothing"}, headers=HTML)
    assert "No jobs match" in filtered.text


async def test_bad_form_shows_errors_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    bad = {**FORM, "title": "", "salary_min": "lots"}
    response = await client.post(f"{team.pages}/jobs", data=bad, headers=HTML)
    assert response.status_code == 422
    assert "Give the job a title" in response.text
    assert "Enter a whole number" in response.text
    assert 'value="Remote EU"' in response.text
    _clean(response.text)
    salary = await client.post(
        f"{team.pages}/jobs", data={**FORM, "salary_currency": ""}, headers=HTML
    )
    assert salary.status_code == 422
    assert "currency" in salary.text
    assert await _jobs(db, team) == []


async def test_edit_status_and_versions(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization, status="draft", title="Old title")
    url = f"{team.pages}/jobs/{job.id}"
    edit = await client.get(f"{url}/edit", headers=HTML)
    assert edit.status_code == 200
    assert 'value="Old title"' in edit.text
    _clean(edit.text)

    saved = await client.post(f"{url}/edit", data={**FORM, "title": "New title"}, headers=HTML)
    assert saved.status_code == 303
    assert saved.headers["location"].endswith("notice=job-saved")
    same = await client.post(f"{url}/edit", data={**FORM, "title": "New title"}, headers=HTML)
    assert same.headers["location"].endswith("notice=job-unchanged")
    refused = await client.post(f"{url}/edit", data={**FORM, "headcount": "0"}, headers=HTML)
    assert refused.status_code == 422
    assert "whole number from 1" in refused.text

    opened = await client.post(f"{url}/status", data={"action": "open"}, headers=HTML)
    assert opened.status_code == 303
    wrong = await client.post(f"{url}/status", data={"action": "reopen"}, headers=HTML)
    assert wrong.status_code == 409
    assert "cannot be reopened" in wrong.text

    versions = await client.get(f"{url}/versions", headers=HTML)
    assert versions.status_code == 200
    assert "Restore" in versions.text
    _clean(versions.text)
    version = await client.get(f"{url}/versions/2", params={"against": "1"}, headers=HTML)
    assert version.status_code == 200
    assert "Old title" in version.text
    assert "New title" in version.text
    _clean(version.text)
    restored = await client.post(f"{url}/versions/1/restore", headers=HTML)
    assert restored.status_code == 303
    async with db.transaction() as session:
        stored = await session.get(Job, job.id)
        assert stored is not None
        assert (stored.title, stored.version, stored.status) == ("Old title", 3, "open")


async def test_assignees_and_templates(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization)
        recruiter, _ = await make_member(session, team.organization, role="recruiter")
    url = f"{team.pages}/jobs/{job.id}"
    assert recruiter.email in (await client.get(url, headers=HTML)).text
    added = await client.post(f"{url}/assignees", data={"user_id": str(recruiter.id)}, headers=HTML)
    assert added.status_code == 303
    bad = await client.post(f"{url}/assignees", data={"user_id": "nobody"}, headers=HTML)
    assert bad.status_code == 404
    removed = await client.post(f"{url}/assignees/{recruiter.id}/remove", headers=HTML)
    assert removed.status_code == 303
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(JobAssignment))
    assert count == 0

    saved = await client.post(f"{url}/save-as-template", data={"name": "Backend"}, headers=HTML)
    assert saved.status_code == 303
    clash = await client.post(f"{url}/save-as-template", data={"name": "Backend"}, headers=HTML)
    assert clash.status_code == 409
    listing = await client.get(f"{team.pages}/job-templates", headers=HTML)
    assert "Backend" in listing.text
    _clean(listing.text)
    async with db.transaction() as session:
        template = await session.scalar(select(JobTemplate))
    assert template is not None
    start = await client.get(
        f"{team.pages}/jobs/new", params={"template_id": str(template.id)}, headers=HTML
    )
    assert 'value="Backend Engineer"' in start.text
    deleted = await client.post(f"{team.pages}/job-templates/{template.id}/delete", headers=HTML)
    assert deleted.status_code == 303
    assert "No templates yet" in (await client.get(f"{team.pages}/job-templates")).text


async def test_csv_import_flow(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    page = await client.get(f"{team.pages}/job-imports/new", headers=HTML)
    assert page.status_code == 200
    _clean(page.text)
    broken = await client.post(
        f"{team.pages}/job-imports",
        files={"file": ("jobs.csv", b"name\nX\n", "text/csv")},
        headers=HTML,
    )
    assert broken.status_code == 422
    assert "Required columns are missing: title" in broken.text

    bad = await client.post(
        f"{team.pages}/job-imports",
        files={"file": ("jobs.csv", b"title,headcount\nA,1\nB,none\n", "text/csv")},
        headers=HTML,
    )
    assert bad.status_code == 303
    report = await client.get(bad.headers["location"], headers=HTML)
    assert "Fix the file first" in report.text
    assert "Enter a whole number." in report.text
    _clean(report.text)

    good = await client.post(
        f"{team.pages}/job-imports",
        files={"file": ("jobs.csv", b"title,status\nA,open\nB,draft\n", "text/csv")},
        headers=HTML,
    )
    preview = await client.get(good.headers["location"], headers=HTML)
    assert "Import 2 jobs" in preview.text
    done = await client.post(good.headers["location"] + "/import", headers=HTML)
    assert done.status_code == 303
    result = await client.get(done.headers["location"], headers=HTML)
    assert "2 jobs were created" in result.text
    assert sorted(j.title for j in await _jobs(db, team)) == ["A", "B"]


async def test_recruiter_pages_show_only_assigned_jobs(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
        await make_job(session, organization, title="Assigned role", assignees=[recruiter])
        hidden = await make_job(session, organization, title="Hidden role")
    await sign_in(client, recruiter.email)
    base = f"/organizations/{organization.id}"
    listing = await client.get(f"{base}/jobs", headers=HTML)
    assert "Assigned role" in listing.text
    assert "Hidden role" not in listing.text
    assert (await client.get(f"{base}/jobs/{hidden.id}", headers=HTML)).status_code == 404


async def test_another_organizations_job_pages_are_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        job = await make_job(session, theirs, title="Their job")
    url = f"{team.pages}/jobs/{job.id}"
    for method, path in [
        ("GET", url),
        ("GET", f"{url}/edit"),
        ("GET", f"{url}/versions"),
        ("GET", f"{url}/versions/1"),
        ("POST", f"{url}/status"),
        ("POST", f"{url}/versions/1/restore"),
        ("GET", f"/organizations/{theirs.id}/jobs"),
    ]:
        response = await client.request(method, path, data={"action": "close"}, headers=HTML)
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Their job" not in response.text
    async with db.transaction() as session:
        stored = await session.get(Job, job.id)
        assert stored is not None
        assert stored.status == "open"
