"""The jobs API: create, read, list, edit (versions), status transitions, assignees."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, Job, JobAssignment, JobStage, JobVersion
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.jobs.conftest import Team

JOB = {
    "title": "Backend Engineer",
    "description": "<p>Build <strong>things</strong></p><script>alert(1)</script>",
    "requirements": "Five years of Python",
    "skills": ["Python", " python ", "PostgreSQL", "  "],
    "location": "Berlin",
    "remote_policy": "hybrid",
    "employment_type": "full_time",
    "salary_min": 60000,
    "salary_max": 80000,
    "salary_currency": "eur",
    "department": "Engineering",
    "headcount": 2,
}


async def _count(db: Database, model: Any, **where: Any) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(await session.scalar(query) or 0)


async def _create(client: httpx.AsyncClient, team: Team, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"{team.api}/jobs", json={**JOB, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_create_job_is_a_draft_with_stages_and_version_1(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    job = await _create(client, team)
    assert job["status"] == "draft"
    assert job["version"] == 1
    assert job["skills"] == ["Python", "PostgreSQL"]
    assert job["salary_currency"] == "EUR"
    assert job["description_html"] == "<p>Build <strong>things</strong></p>"
    assert job["created_by_user_id"] == str(team.owner.id)
    assert await _count(db, JobStage, job_id=job["id"]) == 7
    versions = (await client.get(f"{team.api}/jobs/{job['id']}/versions")).json()
    assert [(v["number"], v["summary"]) for v in versions] == [(1, "Created")]
    async with db.transaction() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert "job.created" in actions
    fetched = await client.get(f"{team.api}/jobs/{job['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["title"] == "Backend Engineer"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"salary_min": 90000, "salary_max": 80000}, None),
        ({"salary_currency": None}, None),
        ({"salary_currency": "XYZ"}, "salary_currency"),
        ({"headcount": 0}, "headcount"),
        ({"remote_policy": "moon"}, "remote_policy"),
        ({"skills": [f"skill {n}" for n in range(51)]}, "skills"),
        ({"organization_id": "00000000-0000-0000-0000-000000000000"}, "organization_id"),
        ({"status": "open"}, "status"),
    ],
)
async def test_bad_job_is_422_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, fields: dict[str, Any], field: str | None
) -> None:
    response = await client.post(f"{team.api}/jobs", json={**JOB, **fields})
    assert response.status_code == 422, response.text
    if field is not None:
        assert field in response.text
    assert await _count(db, Job, organization_id=team.organization.id) == 0


async def test_title_is_required_without_a_template(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await client.post(f"{team.api}/jobs", json={"department": "Sales"})
    assert response.status_code == 422
    assert response.json()["detail"] == "Give the job a title."
    assert await _count(db, Job, organization_id=team.organization.id) == 0


async def test_list_filters_and_keyset_pagination(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        for n in range(5):
            await make_job(session, team.organization, title=f"Engineer {n}", department="Eng")
        await make_job(session, team.organization, title="Sales lead", status="draft")
    page = (await client.get(f"{team.api}/jobs", params={"limit": 4})).json()
    assert len(page["items"]) == 4
    assert page["next_cursor"]
    rest = (
        await client.get(f"{team.api}/jobs", params={"limit": 4, "cursor": page["next_cursor"]})
    ).json()
    assert len(rest["items"]) == 2
    assert rest["next_cursor"] is None
    ids = [j["id"] for j in page["items"] + rest["items"]]
    assert len(set(ids)) == 6
    drafts = (await client.get(f"{team.api}/jobs", params={"status": "draft"})).json()
    assert [j["title"] for j in drafts["items"]] == ["Sales lead"]
    eng = (await client.get(f"{team.api}/jobs", params={"department": "eng"})).json()
    assert len(eng["items"]) == 5
    found = (await client.get(f"{team.api}/jobs", params={"q": "ENGINEER 3"})).json()
    assert [j["title"] for j in found["items"]] == ["Engineer 3"]
    percent = (await client.get(f"{team.api}/jobs", params={"q": "%"})).json()
    assert percent["items"] == []


async def test_bad_list_parameters_are_422(client: httpx.AsyncClient, team: Team) -> None:
    assert (await client.get(f"{team.api}/jobs", params={"cursor": "nonsense!"})).status_code == 422
    assert (await client.get(f"{team.api}/jobs", params={"limit": 101})).status_code == 422
    assert (await client.get(f"{team.api}/jobs", params={"status": "gone"})).status_code == 422


async def test_edit_creates_a_version_and_a_no_op_creates_none(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    job = await _create(client, team)
    url = f"{team.api}/jobs/{job['id']}"
    edited = await client.patch(url, json={"title": "Senior Backend Engineer", "location": None})
    assert edited.status_code == 200
    assert edited.json()["version"] == 2
    assert edited.json()["location"] is None
    again = await client.patch(url, json={"title": "Senior Backend Engineer"})
    assert again.json()["version"] == 2
    nothing = await client.patch(url, json={})
    assert nothing.json()["version"] == 2
    versions = (await client.get(f"{url}/versions")).json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["summary"] == "Changed title, location"
    assert versions[0]["author_user_id"] == str(team.owner.id)


async def test_bad_edit_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    job = await _create(client, team)
    url = f"{team.api}/jobs/{job['id']}"
    for body in (
        {"title": None},
        {"salary_min": 100000},
        {"headcount": None},
        {"version": 9},
        {"salary_currency": None},
    ):
        response = await client.patch(url, json=body)
        assert response.status_code == 422, (body, response.text)
    current = (await client.get(url)).json()
    assert current == job | {"updated_at": current["updated_at"]}
    assert await _count(db, JobVersion, job_id=job["id"]) == 1


async def test_version_diff_and_restore(client: httpx.AsyncClient, team: Team) -> None:
    job = await _create(client, team)
    url = f"{team.api}/jobs/{job['id']}"
    await client.patch(url, json={"title": "Staff Engineer", "description": "<p>New text</p>"})
    await client.patch(url, json={"headcount": 3})

    version = await client.get(f"{url}/versions/1")
    assert version.status_code == 200
    assert version.json()["snapshot"]["title"] == "Backend Engineer"

    diff = (await client.get(f"{url}/versions/2/diff")).json()
    assert diff["against"] == 1
    changes = {f["field"]: f for f in diff["fields"] if f["changed"]}
    assert set(changes) == {"title", "description_html"}
    assert changes["title"]["before"] == "Backend Engineer"
    assert changes["title"]["after"] == "Staff Engineer"
    assert "-<p>Build <strong>things</strong></p>" in diff["description_diff"]
    assert "+<p>New text</p>" in diff["description_diff"]

    wide = (await client.get(f"{url}/versions/3/diff", params={"against": 1})).json()
    assert {f["field"] for f in wide["fields"] if f["changed"]} == {
        "title",
        "description_html",
        "headcount",
    }
    assert (await client.get(f"{url}/versions/1/diff")).status_code == 422
    assert (await client.get(f"{url}/versions/9")).status_code == 404
    assert (await client.get(f"{url}/versions/2/diff", params={"against": 9})).status_code == 404

    restored = await client.post(f"{url}/versions/1/restore")
    assert restored.status_code == 200
    assert restored.json()["version"] == 4
    assert restored.json()["title"] == "Backend Engineer"
    assert restored.json()["headcount"] == 2
    versions = (await client.get(f"{url}/versions")).json()
    assert [v["number"] for v in versions] == [4, 3, 2, 1]
    assert versions[0]["summary"] == "Restored version 1"
    # History is kept; restoring the same content again is refused.
    assert (await client.get(f"{url}/versions/3")).json()["snapshot"]["headcount"] == 3
    again = await client.post(f"{url}/versions/1/restore")
    assert again.status_code == 409
    assert (await client.post(f"{url}/versions/9/restore")).status_code == 404


# action, from status, allowed?
TRANSITIONS = [
    ("open", "draft", True),
    ("open", "on_hold", True),
    ("open", "open", False),
    ("open", "closed", False),
    ("hold", "open", True),
    ("hold", "draft", False),
    ("hold", "closed", False),
    ("close", "open", True),
    ("close", "on_hold", True),
    ("close", "draft", False),
    ("reopen", "closed", True),
    ("reopen", "open", False),
    ("reopen", "draft", False),
    ("archive", "draft", True),
    ("archive", "open", True),
    ("archive", "on_hold", True),
    ("archive", "closed", True),
    ("archive", "archived", False),
    ("open", "archived", False),
    ("reopen", "archived", False),
]
TARGETS = {"open": "open", "hold": "on_hold", "close": "closed", "reopen": "open"}


@pytest.mark.parametrize(("action", "status", "allowed"), TRANSITIONS)
async def test_status_transitions(
    client: httpx.AsyncClient,
    db: Database,
    team: Team,
    action: str,
    status: str,
    allowed: bool,
) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization, status=status)
    response = await client.post(f"{team.api}/jobs/{job.id}/{action}")
    if allowed:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == TARGETS.get(action, "archived")
        stamp = {"open": "opened_at", "on_hold": None, "closed": "closed_at"}.get(
            body["status"], "archived_at"
        )
        if stamp:
            assert body[stamp] is not None
    else:
        assert response.status_code == 409, response.text
        assert response.json()["job_status"] == status
        current = (await client.get(f"{team.api}/jobs/{job.id}")).json()
        assert current["status"] == status


async def test_archived_job_is_read_only(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    job = await _create(client, team)
    url = f"{team.api}/jobs/{job['id']}"
    await client.patch(url, json={"title": "Changed"})
    assert (await client.post(f"{url}/archive")).status_code == 200
    assert (await client.patch(url, json={"title": "Again"})).status_code == 409
    assert (await client.post(f"{url}/versions/1/restore")).status_code == 409
    assert (await client.get(url)).json()["title"] == "Changed"
    # Closed jobs can still be edited.
    other = await _create(client, team, title="Other")
    other_url = f"{team.api}/jobs/{other['id']}"
    await client.post(f"{other_url}/open")
    await client.post(f"{other_url}/close")
    assert (await client.patch(other_url, json={"title": "Edited"})).status_code == 200


async def test_assignees(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization)
        recruiter, _ = await make_member(session, team.organization, role="recruiter")
        outsider_org = await make_organization(session, name="Elsewhere")
        outsider, _ = await make_member(session, outsider_org, role="owner")
    url = f"{team.api}/jobs/{job.id}/assignees"
    assert (await client.get(url)).json() == []
    added = await client.put(f"{url}/{recruiter.id}")
    assert added.status_code == 200
    assert added.json()["email"] == recruiter.email
    assert added.json()["assigned_by_user_id"] == str(team.owner.id)
    assert (await client.put(f"{url}/{recruiter.id}")).status_code == 200
    assert [a["user_id"] for a in (await client.get(url)).json()] == [str(recruiter.id)]
    # Not a member: 404, nothing assigned.
    assert (await client.put(f"{url}/{outsider.id}")).status_code == 404
    assert await _count(db, JobAssignment, job_id=job.id) == 1
    assert (await client.delete(f"{url}/{recruiter.id}")).status_code == 204
    assert (await client.delete(f"{url}/{recruiter.id}")).status_code == 404
    assert (await client.get(url)).json() == []
    async with db.transaction() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert {"job.assignee_added", "job.assignee_removed"} <= set(actions)


async def test_recruiter_sees_only_assigned_jobs_and_gets_the_jobs_they_create(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
        mine = await make_job(session, organization, title="Mine", assignees=[recruiter])
        hidden = await make_job(session, organization, title="Hidden")
    await sign_in(client, recruiter.email)
    api = f"/api/v1/organizations/{organization.id}"
    titles = [j["title"] for j in (await client.get(f"{api}/jobs")).json()["items"]]
    assert titles == ["Mine"]
    assert (await client.get(f"{api}/jobs/{mine.id}")).status_code == 200
    assert (await client.get(f"{api}/jobs/{hidden.id}")).status_code == 404
    assert (await client.patch(f"{api}/jobs/{hidden.id}", json={"title": "x"})).status_code == 404
    assert (await client.post(f"{api}/jobs/{hidden.id}/open")).status_code == 404
    created = await client.post(f"{api}/jobs", json={"title": "Created by me"})
    assert created.status_code == 201
    assert (await client.get(f"{api}/jobs/{created.json()['id']}")).status_code == 200
    seen = {j["title"] for j in (await client.get(f"{api}/jobs")).json()["items"]}
    assert seen == {"Mine", "Created by me"}


async def test_viewer_cannot_write(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        viewer, _ = await make_member(session, organization, role="viewer")
        job = await make_job(session, organization)
    await sign_in(client, viewer.email)
    api = f"/api/v1/organizations/{organization.id}"
    assert (await client.get(f"{api}/jobs/{job.id}")).status_code == 200
    assert (await client.post(f"{api}/jobs", json={"title": "x"})).status_code == 403
    assert (await client.patch(f"{api}/jobs/{job.id}", json={"title": "x"})).status_code == 403
    assert (await client.post(f"{api}/jobs/{job.id}/close")).status_code == 403


async def test_billing_manager_cannot_list_jobs(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        billing, _ = await make_member(session, organization, role="billing_manager")
    await sign_in(client, billing.email)
    response = await client.get(f"/api/v1/organizations/{organization.id}/jobs")
    assert response.status_code == 403


async def test_another_organizations_job_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        them, _ = await make_member(session, theirs, role="owner")
        job = await make_job(session, theirs)
    mine = f"{team.api}/jobs/{job.id}"
    for method, url, body in [
        ("GET", mine, None),
        ("PATCH", mine, {"title": "x"}),
        ("POST", f"{mine}/open", None),
        ("POST", f"{mine}/archive", None),
        ("GET", f"{mine}/versions", None),
        ("GET", f"{mine}/versions/1", None),
        ("GET", f"{mine}/versions/1/diff?against=1", None),
        ("POST", f"{mine}/versions/1/restore", None),
        ("GET", f"{mine}/assignees", None),
        ("PUT", f"{mine}/assignees/{team.owner.id}", None),
        ("DELETE", f"{mine}/assignees/{them.id}", None),
        ("POST", f"{mine}/save-as-template", {"name": "Copy"}),
    ]:
        response = await client.request(method, url, json=body)
        assert response.status_code == 404, (method, url, response.text)
    # Their job in their organization's path: not a member there.
    theirs_url = f"/api/v1/organizations/{theirs.id}/jobs/{job.id}"
    assert (await client.get(theirs_url)).status_code == 404
    async with db.transaction() as session:
        stored = await session.get(Job, job.id)
        assert stored is not None
        assert stored.status == "open"
        assert stored.title == "Backend Engineer"
