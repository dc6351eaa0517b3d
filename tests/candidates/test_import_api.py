"""CSV import of candidates: preview with errors and duplicates, then all-or-nothing import."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import Candidate, CandidateEvent, ImportBatch
from tests.candidates.conftest import Team
from tests.factories.candidates import make_candidate, png_bytes
from tests.factories.organizations import make_organization

GOOD = (
    "Full Name,Email,Phone,Headline,Tags,Skills,Source,Links\n"
    "Ada Lovelace,ada@example.test,(415) 555-0100,Programmer,math;Poetry,Python:5;Go,,\n"
    "Grace Hopper,GRACE@example.test,,Admiral,,COBOL,referral,https://example.test/g\n"
    "Ada Again,ADA@EXAMPLE.TEST,,,,,,\n"
    "Phone Twin,,+1 415-555-0100,,,,,\n"
    "Alan Turing,alan@example.test,,,,,,\n"
)


async def _count(db: Database, org_id: uuid.UUID) -> int:
    async with db.transaction() as session:
        query = select(func.count()).select_from(Candidate)
        return int(await session.scalar(query.where(Candidate.organization_id == org_id)) or 0)


async def _preview(client: httpx.AsyncClient, team: Team, text: str | bytes) -> httpx.Response:
    data = text.encode() if isinstance(text, str) else text
    return await client.post(
        f"{team.api}/candidate-imports", files={"file": ("people.csv", data, "text/csv")}
    )


async def test_preview_reports_duplicates_then_skip_import(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        existing = await make_candidate(
            session, team.org, full_name="Grace B. Hopper", email="grace@EXAMPLE.test"
        )
    preview = await _preview(client, team, GOOD)
    assert preview.status_code == 201, preview.text
    body = preview.json()
    assert body["status"] == "previewed"
    assert body["total_rows"] == 5
    assert body["error_rows"] == 0
    duplicates = {d["line"]: d for d in body["duplicates"]}
    assert duplicates[3]["reasons"] == ["email"]
    assert duplicates[3]["candidate_ids"] == [str(existing.id)]
    assert duplicates[4]["same_as_line"] == 2
    assert duplicates[5]["reasons"] == ["phone"]
    assert duplicates[5]["same_as_line"] == 2
    assert set(duplicates) == {3, 4, 5}
    assert body["preview"][0]["skills"] == ["Python", "Go"]
    assert await _count(db, team.org.id) == 1

    url = f"{team.api}/candidate-imports/{body['id']}"
    assert (await client.get(url)).json()["id"] == body["id"]
    done = await client.post(f"{url}/import", json={"duplicates": "skip"})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "imported"
    assert done.json()["imported_count"] == 2
    assert done.json()["skipped_count"] == 3
    async with db.transaction() as session:
        ada = await session.scalar(select(Candidate).where(Candidate.email == "ada@example.test"))
        assert ada is not None
        assert ada.source == "import"
        assert ada.tags == ["math", "poetry"]
        assert ada.skills == [
            {"name": "Python", "level": 5, "years": None},
            {"name": "Go", "level": None, "years": None},
        ]
        assert ada.phone_normalized == "+14155550100"
        events = await session.scalar(
            select(func.count())
            .select_from(CandidateEvent)
            .where(CandidateEvent.candidate_id == ada.id, CandidateEvent.type == "created")
        )
        assert events == 1
    # Imported rows are searchable at once.
    found = await client.get(f"{team.api}/candidates", params={"q": "lovelace"})
    assert [c["full_name"] for c in found.json()["items"]] == ["Ada Lovelace"]
    # Once only.
    assert (await client.post(f"{url}/import", json={"duplicates": "skip"})).status_code == 409
    assert await _count(db, team.org.id) == 3


async def test_create_mode_creates_duplicates_too(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    preview = (await _preview(client, team, GOOD)).json()
    done = await client.post(
        f"{team.api}/candidate-imports/{preview['id']}/import", json={"duplicates": "create"}
    )
    assert done.status_code == 200
    assert done.json()["imported_count"] == 5
    assert await _count(db, team.org.id) == 5


async def test_broken_rows_are_reported_and_nothing_is_imported(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    text = (
        "full_name,email,phone,skills,source\n"
        "Fine Person,fine@example.test,,,\n"
        ",nobody@example.test,,,\n"
        "Bad Email,not-an-email,,,\n"
        "Bad Phone,,12,,\n"
        "Bad Level,,,Python:9,\n"
        "Bad Source,,,,telepathy\n"
        "Too,Many,Fields,Here,Now,Extra\n"
    )
    preview = await _preview(client, team, text)
    assert preview.status_code == 201
    body = preview.json()
    assert body["error_rows"] == 6
    errors = {(e["line"], e["column"]) for e in body["errors"]}
    assert errors == {
        (3, "full_name"),
        (4, "email"),
        (5, "phone"),
        (6, "skills"),
        (7, "source"),
        (8, None),
    }
    run = await client.post(
        f"{team.api}/candidate-imports/{body['id']}/import", json={"duplicates": "skip"}
    )
    assert run.status_code == 422
    assert await _count(db, team.org.id) == 0


async def test_unreadable_files_are_refused(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    for data in (
        png_bytes(),
        b"",
        b"email\nx@example.test\n",  # no full_name column
        b"full_name,shoe_size\nA,42\n",
        b"full_name\n",
        "full_name\n\xff\xfe".encode("latin-1"),
    ):
        response = await _preview(client, team, data)
        assert response.status_code == 422, (data, response.text)
    bad_mode = await client.post(
        f"{team.api}/candidate-imports/{uuid.uuid4()}/import", json={"duplicates": "merge"}
    )
    assert bad_mode.status_code == 422
    async with db.transaction() as session:
        batches = await session.scalar(select(func.count()).select_from(ImportBatch))
    assert batches == 0
    assert await _count(db, team.org.id) == 0


async def test_other_organizations_import_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        theirs = await make_organization(session, name="Theirs")
        batch = ImportBatch(
            organization_id=theirs.id,
            kind="candidates",
            filename="x.csv",
            content=b"full_name\nSomebody\n",
            total_rows=1,
            error_rows=0,
        )
        session.add(batch)
    url = f"{team.api}/candidate-imports/{batch.id}"
    assert (await client.get(url)).status_code == 404
    run = await client.post(f"{url}/import", json={"duplicates": "create"})
    assert run.status_code == 404
    assert await _count(db, theirs.id) == 0


async def test_ten_thousand_rows_in_one_request(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    lines = ["full_name,email,phone,tags,skills"]
    lines += [
        f"Person {i},person{i}@example.test,+1 415 555 {i % 10000:04d},bulk,Python:{i % 5 + 1}"
        for i in range(10_000)
    ]
    preview = await _preview(client, team, "\n".join(lines) + "\n")
    assert preview.status_code == 201, preview.text
    body = preview.json()
    assert body["total_rows"] == 10_000
    assert body["error_rows"] == 0
    assert body["duplicate_rows"] == 0
    done = await client.post(
        f"{team.api}/candidate-imports/{body['id']}/import", json={"duplicates": "skip"}
    )
    assert done.status_code == 200, done.text
    assert done.json()["imported_count"] == 10_000
    assert await _count(db, team.org.id) == 10_000
    async with db.transaction() as session:
        events = await session.scalar(
            select(func.count())
            .select_from(CandidateEvent)
            .where(CandidateEvent.organization_id == team.org.id)
        )
    assert events == 10_000
    page = await client.get(f"{team.api}/candidates", params={"tag": "bulk", "limit": 100})
    assert len(page.json()["items"]) == 100
    assert page.json()["next_cursor"]
