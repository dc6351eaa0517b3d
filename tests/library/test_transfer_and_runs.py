"""Import/export round trips (JSON and CSV), bad files change nothing, and code runs."""

from __future__ import annotations

import importlib.util
import json

import httpx
import pytest
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import CodeRun, LibraryItem
from tests.factories.library import CHALLENGE, QUESTION, make_item
from tests.library.conftest import Team


async def _count(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(LibraryItem)) or 0)


async def _seed(db: Database, team: Team) -> None:
    async with db.transaction() as session:
        await make_item(session, team.organization, kind="challenge", status="approved")
        await make_item(session, team.organization, status="in_review")


@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_export_import_round_trip(
    client: httpx.AsyncClient, db: Database, team: Team, fmt: str
) -> None:
    await _seed(db, team)
    exported = await client.get(f"{team.api}/export", params={"format": fmt})
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    preview = await client.post(
        f"{team.api}/import",
        params={"dry_run": "true"},
        files={"file": (f"library.{fmt}", exported.content)},
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["checked_count"] == 2
    assert preview.json()["imported_count"] == 0
    assert await _count(db) == 2
    imported = await client.post(
        f"{team.api}/import", files={"file": (f"library.{fmt}", exported.content)}
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["imported_count"] == 2
    assert await _count(db) == 4
    drafts = (await client.get(f"{team.api}/items", params={"status": "draft"})).json()["items"]
    assert len(drafts) == 2
    again = await client.get(f"{team.api}/export", params={"format": fmt, "status": "draft"})
    if fmt == "json":
        items = sorted(json.loads(again.content)["items"], key=lambda i: i["kind"])
        original = sorted(json.loads(exported.content)["items"], key=lambda i: i["kind"])
        assert items == original
        assert items[0]["tests"] == CHALLENGE["tests"]
        assert items[1]["prompt"] == QUESTION["prompt"]
    else:
        assert again.text.splitlines()[0] == exported.text.splitlines()[0]
        assert len(again.text.strip().splitlines()) == 3


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("library.json", b"{not json"),
        ("library.json", b"[]"),
        ("library.json", json.dumps({"items": [QUESTION, {**QUESTION, "type": "x"}]}).encode()),
        ("library.json", json.dumps({"format": "other", "items": [QUESTION]}).encode()),
        ("library.json", b"\xff\xfe"),
        ("library.json", b""),
        ("library.csv", b"kind,title\nquestion,Hello\n"),
        ("library.csv", b"kind,title,rubric,colour\nquestion,Hi,{},red\n"),
        ("library.csv", b'kind,title,rubric,type,prompt\nquestion,Hi,{bad json,technical,"Q?"\n'),
        ("library.csv", b"kind,title,rubric\n"),
    ],
)
async def test_bad_files_are_4xx_and_import_nothing(
    client: httpx.AsyncClient, db: Database, team: Team, name: str, content: bytes
) -> None:
    response = await client.post(f"{team.api}/import", files={"file": (name, content)})
    assert 400 <= response.status_code < 500, response.text
    assert await _count(db) == 0


async def test_a_simple_question_csv_imports(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    rubric = json.dumps(QUESTION["rubric"]).replace('"', '""')
    csv = (
        "kind,title,type,prompt,skills,seniority,category,rubric\n"
        f"question,Conflict,behavioural,Tell me about a conflict.,Teamwork; Communication,mid,"
        f'People,"{rubric}"\n'
    ).encode()
    response = await client.post(f"{team.api}/import", files={"file": ("q.csv", csv)})
    assert response.status_code == 200, response.text
    item = (await client.get(f"{team.api}/items")).json()["items"][0]
    assert item["skills"] == ["Teamwork", "Communication"]
    assert item["status"] == "draft"


async def test_code_run_errors_without_running(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        question = await make_item(session, team.organization)
        challenge = await make_item(session, team.organization, kind="challenge")
    base = f"{team.api}/items"
    body = {"language": "python", "code": "def add(a, b):\n    return a + b\n"}
    response = await client.post(f"{base}/{question.id}/versions/1/runs", json=body)
    assert response.status_code == 422
    response = await client.post(f"{base}/{challenge.id}/versions/9/runs", json=body)
    assert response.status_code == 404
    response = await client.post(
        f"{base}/{challenge.id}/versions/1/runs", json={**body, "language": "ruby"}
    )
    assert response.status_code == 422


@pytest.mark.skipif(
    importlib.util.find_spec("hireflow.sandbox") is None, reason="hireflow.sandbox not built yet"
)
async def test_code_run_records_results_and_hides_hidden_tests(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    from hireflow import sandbox  # type: ignore[attr-defined,unused-ignore]

    available, reason = sandbox.availability("python")
    async with db.transaction() as session:
        challenge = await make_item(session, team.organization, kind="challenge")
    url = f"{team.api}/items/{challenge.id}/versions/1/runs"
    response = await client.post(
        url, json={"language": "python", "code": "def add(a, b):\n    return a + b\n"}
    )
    if not available:
        assert response.status_code == 503
        assert reason in response.text
        return
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["passed"] == run["total"] == 2
    hidden = [r for r in run["results"] if r["hidden"]]
    assert hidden
    assert all(r["args"] is None and r["expected"] is None for r in hidden)
    visible = [r for r in run["results"] if not r["hidden"]]
    assert visible[0]["args"] == [1, 2]
    assert visible[0]["expected"] == 3
    wrong = await client.post(
        url, json={"language": "python", "code": "def add(a, b):\n    return a - b\n"}
    )
    assert wrong.status_code == 201
    assert wrong.json()["passed"] < 2
    javascript = await client.post(
        url, json={"language": "javascript", "code": "function add(a, b) {\n  return a + b;\n}\n"}
    )
    assert javascript.status_code == 201, javascript.text
    assert javascript.json()["passed"] == 2
    async with db.transaction() as session:
        assert int(await session.scalar(select(func.count()).select_from(CodeRun)) or 0) == 3
