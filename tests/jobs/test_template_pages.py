"""The job template pages: new and edit forms over HTTP, with the rules the API applies."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, JobTemplate, Organization
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.jobs.conftest import Team
from tests.web.test_pages import Markup

HTML = {"accept": "text/html"}

EMPTY = {
    "title": "",
    "description": "",
    "requirements": "",
    "skills": "",
    "location": "",
    "remote_policy": "",
    "employment_type": "",
    "salary_min": "",
    "salary_max": "",
    "salary_currency": "",
    "department": "",
    "headcount": "",
}
FORM = {
    **EMPTY,
    "name": "Backend (EU)",
    "title": "Backend Engineer",
    "description": "<p>Build <em>it</em></p><img src=x onerror=alert(1)>",
    "skills": "Python, python, PostgreSQL",
    "remote_policy": "remote",
    "salary_min": "60000",
    "salary_max": "80000",
    "salary_currency": "eur",
    "department": "Engineering",
}


def _clean(html: str) -> Markup:
    page = Markup(html)
    assert not page.csp_offences, page.csp_offences
    assert len(page.h1) == 1
    return page


async def _add_template(
    db: Database, organization: Organization, name: str, fields: dict[str, Any]
) -> uuid.UUID:
    async with db.transaction() as session:
        template = JobTemplate(organization_id=organization.id, name=name, fields=fields)
        session.add(template)
        await session.flush()
        return template.id


Stored = dict[str, tuple[str, dict[str, Any]]]


async def _stored(db: Database, organization: Organization) -> Stored:
    """The organization's templates: name → (id, fields)."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(JobTemplate).where(JobTemplate.organization_id == organization.id)
        )
        return {t.name: (str(t.id), dict(t.fields)) for t in rows}


async def _audit(db: Database, organization: Organization) -> list[tuple[str, dict[str, Any]]]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.organization_id == organization.id,
                AuditEvent.action.like("job_template.%"),
            )
            .order_by(AuditEvent.id)
        )
        return [(e.action, dict(e.data)) for e in rows]


async def test_create_a_template_through_the_form(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    listing = await client.get(f"{team.pages}/job-templates", headers=HTML)
    assert "No templates yet" in listing.text
    assert f"{team.pages}/job-templates/new" in _clean(listing.text).links

    page = await client.get(f"{team.pages}/job-templates/new", headers=HTML)
    assert page.status_code == 200
    assert _clean(page.text).h1 == ["New job template"]
    assert 'name="csrf_token"' in page.text
    assert ">Not set</option>" in page.text

    created = await client.post(f"{team.pages}/job-templates", data=FORM, headers=HTML)
    assert created.status_code == 303, created.text
    assert created.headers["location"] == f"{team.pages}/job-templates?notice=template-created"
    [(template_id, fields)] = (await _stored(db, team.organization)).values()
    # Only the fields given are set; the description is sanitized, skills tidied.
    assert fields == {
        "title": "Backend Engineer",
        "description_html": "<p>Build <em>it</em></p>",
        "skills": ["Python", "PostgreSQL"],
        "remote_policy": "remote",
        "salary_min": 60000,
        "salary_max": 80000,
        "salary_currency": "EUR",
        "department": "Engineering",
    }
    assert await _audit(db, team.organization) == [
        ("job_template.created", {"name": "Backend (EU)"})
    ]

    listed = await client.get(created.headers["location"], headers=HTML)
    markup = _clean(listed.text)
    assert "Template created" in listed.text
    assert "Backend (EU)" in listed.text
    assert f"{team.pages}/job-templates/{template_id}/edit" in markup.links

    start = await client.get(
        f"{team.pages}/jobs/new", params={"template_id": template_id}, headers=HTML
    )
    assert 'value="Backend Engineer"' in start.text
    assert 'value="Python, PostgreSQL"' in start.text


async def test_edit_a_template(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    template_id = await _add_template(
        db,
        team.organization,
        "Sales",
        {"title": "Account Executive", "department": "Sales", "location": "Berlin"},
    )
    url = f"{team.pages}/job-templates/{template_id}/edit"
    page = await client.get(url, headers=HTML)
    assert page.status_code == 200
    assert _clean(page.text).h1 == ["Edit template Sales"]
    assert 'value="Account Executive"' in page.text
    assert 'value="Berlin"' in page.text

    # Department emptied (removed), headcount and employment type set, renamed.
    form = {
        **EMPTY,
        "name": "Sales (DACH)",
        "title": "Account Executive",
        "location": "Berlin",
        "employment_type": "contract",
        "headcount": "3",
    }
    saved = await client.post(url, data=form, headers=HTML)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{team.pages}/job-templates?notice=template-saved"
    stored = await _stored(db, team.organization)
    assert stored == {
        "Sales (DACH)": (
            str(template_id),
            {
                "title": "Account Executive",
                "location": "Berlin",
                "employment_type": "contract",
                "headcount": 3,
            },
        )
    }
    [(action, data)] = await _audit(db, team.organization)
    assert action == "job_template.updated"
    assert sorted(data["fields"]) == ["department", "employment_type", "headcount", "name"]

    # The same form again changes nothing: no update, no audit event.
    again = await client.post(url, data=form, headers=HTML)
    assert again.headers["location"] == f"{team.pages}/job-templates?notice=template-unchanged"
    assert await _stored(db, team.organization) == stored
    assert len(await _audit(db, team.organization)) == 1


async def test_duplicate_name_is_shown_on_the_form(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    await _add_template(db, team.organization, "Backend (EU)", {"title": "Backend"})
    ops_id = await _add_template(db, team.organization, "Ops", {"title": "SRE"})
    before = await _stored(db, team.organization)

    clash = await client.post(
        f"{team.pages}/job-templates", data={**FORM, "name": "backend (eu)"}, headers=HTML
    )
    assert clash.status_code == 409
    assert "A job template with this name exists." in clash.text
    assert 'id="field-name-error"' in clash.text
    assert 'value="backend (eu)"' in clash.text
    assert 'value="Python, python, PostgreSQL"' in clash.text
    _clean(clash.text)

    rename = await client.post(
        f"{team.pages}/job-templates/{ops_id}/edit",
        data={**EMPTY, "name": "Backend (EU)", "title": "Site Reliability"},
        headers=HTML,
    )
    assert rename.status_code == 409
    assert "A job template with this name exists." in rename.text
    assert 'value="Site Reliability"' in rename.text
    assert _clean(rename.text).h1 == ["Edit template Ops"]

    assert await _stored(db, team.organization) == before
    assert await _audit(db, team.organization) == []


async def test_bad_input_shows_errors_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    url = f"{team.pages}/job-templates"
    bad = await client.post(
        url,
        data={**FORM, "name": "  ", "salary_min": "lots", "remote_policy": "moon"},
        headers=HTML,
    )
    assert bad.status_code == 422
    assert "Give the template a name" in bad.text
    assert "Enter a whole number" in bad.text
    assert "Choose onsite, hybrid or remote" in bad.text
    assert 'value="Backend Engineer"' in bad.text
    assert 'value="lots"' in bad.text
    _clean(bad.text)
    for data, message in [
        ({**FORM, "salary_currency": ""}, "currency"),
        ({**FORM, "salary_min": "90000"}, "The minimum salary is more than the maximum."),
        ({**FORM, "headcount": "0"}, "whole number from 1 to 10,000"),
        ({**FORM, "salary_currency": "EURO"}, "ISO currency code"),
    ]:
        response = await client.post(url, data=data, headers=HTML)
        assert response.status_code == 422, (data, response.status_code)
        assert message in response.text
    assert await _stored(db, team.organization) == {}

    template_id = await _add_template(db, team.organization, "Keep", {"title": "Kept"})
    before = await _stored(db, team.organization)
    edit = f"{url}/{template_id}/edit"
    for data in (
        {**EMPTY, "name": "Renamed", "headcount": "0"},
        {**EMPTY, "name": "R", "salary_min": "5", "salary_max": "1", "salary_currency": "GBP"},
        {**EMPTY, "name": ""},
        {**EMPTY, "name": "Renamed", "title": "x" * 201},
    ):
        response = await client.post(edit, data=data, headers=HTML)
        assert response.status_code == 422, (data, response.status_code)
        assert _clean(response.text).h1 == ["Edit template Keep"]
    assert await _stored(db, team.organization) == before
    assert await _audit(db, team.organization) == []


async def test_another_organizations_template_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
    template_id = await _add_template(db, theirs, "Secret", {"title": "Their title"})
    for method, path in [
        ("GET", f"{team.pages}/job-templates/{template_id}/edit"),
        ("POST", f"{team.pages}/job-templates/{template_id}/edit"),
        ("GET", f"/organizations/{theirs.id}/job-templates/{template_id}/edit"),
        ("POST", f"/organizations/{theirs.id}/job-templates/{template_id}/edit"),
        ("GET", f"/organizations/{theirs.id}/job-templates/new"),
        ("POST", f"/organizations/{theirs.id}/job-templates"),
    ]:
        response = await client.request(
            method, path, data={**EMPTY, "name": "Mine", "title": "Mine"}, headers=HTML
        )
        assert response.status_code == 404, (method, path, response.status_code)
        assert "Their title" not in response.text
    assert await _stored(db, theirs) == {"Secret": (str(template_id), {"title": "Their title"})}
    assert await _stored(db, team.organization) == {}


async def test_a_member_without_jobs_write_gets_403(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    template_id = await _add_template(db, team.organization, "Sales", {"title": "AE"})
    async with db.transaction() as session:
        viewer, _ = await make_member(session, team.organization, role="viewer")
    await sign_in(client, viewer.email)

    listing = await client.get(f"{team.pages}/job-templates", headers=HTML)
    assert listing.status_code == 200
    links = _clean(listing.text).links
    assert f"{team.pages}/job-templates/new" not in links
    assert f"{team.pages}/job-templates/{template_id}/edit" not in links

    for method, path in [
        ("GET", f"{team.pages}/job-templates/new"),
        ("POST", f"{team.pages}/job-templates"),
        ("GET", f"{team.pages}/job-templates/{template_id}/edit"),
        ("POST", f"{team.pages}/job-templates/{template_id}/edit"),
    ]:
        response = await client.request(method, path, data=FORM, headers=HTML)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "text/html" in response.headers["content-type"]
        assert "jobs:write" in response.text
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(JobTemplate)
            .where(JobTemplate.organization_id == team.organization.id)
        )
    assert count == 1
    assert (await _stored(db, team.organization))["Sales"][1] == {"title": "AE"}
