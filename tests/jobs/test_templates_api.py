"""Job templates: CRUD, unique names, from a job, jobs from a template."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import JobTemplate
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.jobs.conftest import Team


async def _templates(db: Database, team: Team) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(JobTemplate)
                .where(JobTemplate.organization_id == team.organization.id)
            )
            or 0
        )


async def test_template_crud_and_a_job_from_it(client: httpx.AsyncClient, team: Team) -> None:
    url = f"{team.api}/job-templates"
    created = await client.post(
        url,
        json={
            "name": "Engineer",
            "title": "Software Engineer",
            "description": "<p>We build <a href='javascript:x()'>it</a></p>",
            "skills": ["Go", "go"],
            "department": "Engineering",
            "remote_policy": "remote",
        },
    )
    assert created.status_code == 201, created.text
    template = created.json()
    assert template["fields"]["skills"] == ["Go"]
    assert "javascript" not in template["fields"]["description_html"]
    assert "location" not in template["fields"]

    listed = (await client.get(url)).json()
    assert [t["name"] for t in listed] == ["Engineer"]
    assert (await client.get(f"{url}/{template['id']}")).json()["name"] == "Engineer"

    patched = await client.patch(
        f"{url}/{template['id']}", json={"name": "Engineers", "department": None, "headcount": 3}
    )
    assert patched.status_code == 200
    assert patched.json()["name"] == "Engineers"
    assert "department" not in patched.json()["fields"]
    assert patched.json()["fields"]["headcount"] == 3

    job = await client.post(
        f"{team.api}/jobs", json={"template_id": template["id"], "location": "Lisbon"}
    )
    assert job.status_code == 201, job.text
    body = job.json()
    assert body["title"] == "Software Engineer"
    assert body["remote_policy"] == "remote"
    assert body["headcount"] == 3
    assert body["location"] == "Lisbon"
    versions = (await client.get(f"{team.api}/jobs/{body['id']}/versions")).json()
    assert versions[0]["summary"] == "Created from template Engineers"

    assert (await client.delete(f"{url}/{template['id']}")).status_code == 204
    assert (await client.get(f"{url}/{template['id']}")).status_code == 404


async def test_template_names_are_unique(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    url = f"{team.api}/job-templates"
    assert (await client.post(url, json={"name": "Sales"})).status_code == 201
    clash = await client.post(url, json={"name": "sales"})
    assert clash.status_code == 409
    other = (await client.post(url, json={"name": "Ops"})).json()
    assert (await client.patch(f"{url}/{other['id']}", json={"name": "Sales"})).status_code == 409
    assert (await client.get(f"{url}/{other['id']}")).json()["name"] == "Ops"
    assert await _templates(db, team) == 2


async def test_bad_template_is_422_and_stores_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    url = f"{team.api}/job-templates"
    for body in (
        {"name": ""},
        {"name": "X", "salary_min": 5, "salary_max": 1, "salary_currency": "USD"},
        {"name": "X", "salary_min": 5},
        {"name": "X", "organization_id": str(team.organization.id)},
        {"title": "no name"},
    ):
        response = await client.post(url, json=body)
        assert response.status_code == 422, (body, response.text)
    assert await _templates(db, team) == 0


async def test_template_from_a_job(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization, title="Designer", department="Design")
    saved = await client.post(
        f"{team.api}/jobs/{job.id}/save-as-template", json={"name": "Design roles"}
    )
    assert saved.status_code == 201
    assert saved.json()["fields"]["title"] == "Designer"
    from_body = await client.post(
        f"{team.api}/job-templates",
        json={"name": "Design 2", "from_job_id": str(job.id), "title": "Lead Designer"},
    )
    assert from_body.status_code == 201
    assert from_body.json()["fields"]["title"] == "Lead Designer"
    assert from_body.json()["fields"]["department"] == "Design"
    dup = await client.post(f"{team.api}/jobs/{job.id}/save-as-template", json={"name": "Design 2"})
    assert dup.status_code == 409


async def test_another_organizations_template_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        await make_member(session, theirs)
        template = JobTemplate(organization_id=theirs.id, name="Secret", fields={"title": "T"})
        session.add(template)
        their_job = await make_job(session, theirs)
        await session.flush()
    url = f"{team.api}/job-templates/{template.id}"
    assert (await client.get(url)).status_code == 404
    assert (await client.patch(url, json={"name": "Mine"})).status_code == 404
    assert (await client.delete(url)).status_code == 404
    job = await client.post(f"{team.api}/jobs", json={"template_id": str(template.id)})
    assert job.status_code == 404
    copy = await client.post(
        f"{team.api}/job-templates", json={"name": "Copy", "from_job_id": str(their_job.id)}
    )
    assert copy.status_code == 404
    assert await _templates(db, team) == 0
    async with db.transaction() as session:
        stored = await session.get(JobTemplate, template.id)
        assert stored is not None
        assert stored.name == "Secret"
