"""CSV import of jobs: preview with a row report, all-or-nothing import, 10,000 rows."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import ImportBatch, Job, JobAssignment, JobStage, JobVersion
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.jobs.conftest import Team

HEADER = (
    "title,description,requirements,skills,location,remote_policy,employment_type,"
    "salary_min,salary_max,salary_currency,department,headcount,status\n"
)


def _file(body: str, name: str = "jobs.csv") -> dict[str, tuple[str, bytes, str]]:
    return {"file": (name, body.encode(), "text/csv")}


Counted = type[Job] | type[JobStage] | type[JobVersion] | type[JobAssignment] | type[ImportBatch]


async def _count(db: Database, model: Counted, organization_id: object) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(model)
        query = query.where(model.organization_id == organization_id)
        return int(await session.scalar(query) or 0)


async def test_preview_then_import(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    csv = HEADER + (
        "Backend Engineer,Build things,Python,Python;SQL;python,Berlin,hybrid,full_time,"
        "60000,80000,EUR,Engineering,2,open\n"
        'Designer,"Line one\n\nLine two",,,,remote,contract,,,,Design,,\n'
    )
    preview = await client.post(f"{team.api}/job-imports", files=_file(csv))
    assert preview.status_code == 201, preview.text
    report = preview.json()
    assert report["status"] == "previewed"
    assert (report["total_rows"], report["valid_rows"], report["error_rows"]) == (2, 2, 0)
    assert report["sample"][0]["skills"] == ["Python", "SQL"]
    assert report["sample"][1]["description_html"] == "<p>Line one</p><p>Line two</p>"
    assert await _count(db, Job, team.organization.id) == 0

    again = await client.get(f"{team.api}/job-imports/{report['id']}")
    assert again.json()["total_rows"] == 2

    done = await client.post(f"{team.api}/job-imports/{report['id']}/import")
    assert done.status_code == 200, done.text
    assert done.json()["imported_count"] == 2
    jobs = (await client.get(f"{team.api}/jobs")).json()["items"]
    by_title = {j["title"]: j for j in jobs}
    assert by_title["Backend Engineer"]["status"] == "open"
    assert by_title["Backend Engineer"]["opened_at"] is not None
    assert by_title["Backend Engineer"]["salary_currency"] == "EUR"
    assert by_title["Designer"]["status"] == "draft"
    assert by_title["Designer"]["headcount"] == 1
    versions = (await client.get(f"{team.api}/jobs/{by_title['Designer']['id']}/versions")).json()
    assert versions[0]["summary"] == "Imported from jobs.csv"
    assert await _count(db, JobStage, team.organization.id) == 14

    twice = await client.post(f"{team.api}/job-imports/{report['id']}/import")
    assert twice.status_code == 409
    assert await _count(db, Job, team.organization.id) == 2


async def test_rows_with_errors_are_reported_and_nothing_is_imported(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    csv = HEADER + (
        "Good,,,,,,,,,,,,\n"
        ",,,,,,,,,,,,\n"  # blank: skipped
        ",desc only,,,,,,,,,,,\n"
        "Bad salary,,,,,,,90,80,USD,,,\n"
        "Bad remote,,,,,mars,,,,,,,\n"
        "Bad number,,,,,,,lots,,,,,\n"
        "Bad status,,,,,,,,,,,,closed\n"
        "Too short,\n"
    )
    preview = await client.post(f"{team.api}/job-imports", files=_file(csv))
    assert preview.status_code == 201, preview.text
    report = preview.json()
    assert (report["total_rows"], report["valid_rows"], report["error_rows"]) == (7, 1, 6)
    errors = {(e["line"], e["column"]) for e in report["errors"]}
    assert (4, "title") in errors
    assert (5, "salary_min") in errors
    assert (6, "remote_policy") in errors
    assert (7, "salary_min") in errors
    assert (8, "status") in errors
    assert (9, None) in errors
    response = await client.post(f"{team.api}/job-imports/{report['id']}/import")
    assert response.status_code == 422
    assert "Nothing was imported" in response.json()["detail"]
    assert await _count(db, Job, team.organization.id) == 0


async def test_broken_files_are_422_and_store_nothing(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    for body, needle in [
        (b"\xff\xfe\x00t\x00i", "UTF-8"),
        (b"", "empty"),
        (b"name,location\nX,Y\n", "title"),
        (b"title,colour\nX,red\n", "Unknown columns: colour"),
        (b"title\n", "no rows"),
    ]:
        response = await client.post(
            f"{team.api}/job-imports", files={"file": ("jobs.csv", body, "text/csv")}
        )
        assert response.status_code == 422, (body, response.text)
        assert needle in response.json()["detail"], response.json()["detail"]
    missing = await client.post(f"{team.api}/job-imports", data={"x": "y"})
    assert missing.status_code == 422
    assert await _count(db, ImportBatch, team.organization.id) == 0


async def test_ten_thousand_rows_import_in_one_request(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    rows = "".join(
        f"Engineer {n},<p>Role {n}</p>,,Python;Go,City {n % 50},remote,full_time,"
        f"{50000 + n},{90000 + n},USD,Dept {n % 7},1,{'open' if n % 2 else 'draft'}\n"
        for n in range(10_000)
    )
    preview = await client.post(f"{team.api}/job-imports", files=_file(HEADER + rows))
    assert preview.status_code == 201, preview.text
    assert preview.json()["valid_rows"] == 10_000
    done = await client.post(f"{team.api}/job-imports/{preview.json()['id']}/import")
    assert done.status_code == 200, done.text
    assert done.json()["imported_count"] == 10_000
    assert await _count(db, Job, team.organization.id) == 10_000
    assert await _count(db, JobStage, team.organization.id) == 70_000
    assert await _count(db, JobVersion, team.organization.id) == 10_000
    page = (await client.get(f"{team.api}/jobs", params={"limit": 100})).json()
    assert len(page["items"]) == 100
    assert page["next_cursor"]


async def test_recruiter_is_assigned_the_jobs_they_import(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        recruiter, _ = await make_member(session, organization, role="recruiter")
    await sign_in(client, recruiter.email)
    api = f"/api/v1/organizations/{organization.id}"
    preview = await client.post(f"{api}/job-imports", files=_file("title\nA\nB\n"))
    assert preview.status_code == 201
    assert (
        await client.post(f"{api}/job-imports/{preview.json()['id']}/import")
    ).status_code == 200
    assert len((await client.get(f"{api}/jobs")).json()["items"]) == 2
    assert await _count(db, JobAssignment, organization.id) == 2


async def test_another_organizations_import_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        batch = ImportBatch(
            organization_id=theirs.id,
            kind="jobs",
            filename="x.csv",
            content=b"title\nA\n",
            total_rows=1,
            error_rows=0,
        )
        session.add(batch)
        await session.flush()
    assert (await client.get(f"{team.api}/job-imports/{batch.id}")).status_code == 404
    assert (await client.post(f"{team.api}/job-imports/{batch.id}/import")).status_code == 404
    assert await _count(db, Job, theirs.id) == 0
    assert await _count(db, Job, team.organization.id) == 0
