"""The library pages: browser, editor, item page and workflow buttons, review queue, drafting
and import/export, over HTTP."""

from __future__ import annotations

import importlib.util
import json

import httpx
import pytest
from sqlalchemy import select

from hireflow.db import Database
from hireflow.models import LibraryItem, LibraryItemVersion
from tests.factories.library import CHALLENGE, QUESTION, make_item
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.library.conftest import Team
from tests.web.test_pages import Markup

HTML = {"accept": "text/html"}
QUESTION_FORM = {
    "title": "Handling disagreement",
    "type": "situational",
    "prompt": "A teammate disagrees with your design. What do you do?",
    "skills": "Communication, Teamwork",
    "seniority": "mid",
    "category": "People",
    "criterion_0_key": "listening",
    "criterion_0_description": "Seeks to understand the other view",
    "criterion_0_level_0": "Dismisses",
    "criterion_0_level_1": "Listens",
    "criterion_0_level_2": "Asks questions",
    "criterion_0_level_3": "Finds common ground",
    "ideal_answer": "Listens, weighs trade-offs, decides with data.",
}


def _clean(html: str) -> Markup:
    page = Markup(html)
    assert not page.csp_offences, page.csp_offences
    assert len(page.h1) == 1
    return page


async def _items(db: Database) -> list[LibraryItem]:
    async with db.transaction() as session:
        return list(await session.scalars(select(LibraryItem)))


async def test_browse_create_submit_approve_through_pages(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    empty = await client.get(team.pages, headers=HTML)
    assert empty.status_code == 200
    assert "The library is empty" in empty.text
    _clean(empty.text)
    home = await client.get(f"/organizations/{team.organization.id}/jobs", headers=HTML)
    assert f'href="/organizations/{team.organization.id}/library"' in home.text
    for kind in ("question", "challenge"):
        form = await client.get(f"{team.pages}/new", params={"kind": kind}, headers=HTML)
        assert form.status_code == 200
        _clean(form.text)

    bad = await client.post(f"{team.pages}/new?kind=question", data={**QUESTION_FORM, "title": ""})
    assert bad.status_code == 422
    _clean(bad.text)
    assert await _items(db) == []

    created = await client.post(f"{team.pages}/new?kind=question", data=QUESTION_FORM)
    assert created.status_code == 303, created.text
    [item] = await _items(db)
    page = await client.get(created.headers["location"], headers=HTML)
    assert page.status_code == 200
    assert "Submit for review" in page.text
    _clean(page.text)
    assert "Finds common ground" in page.text

    url = f"{team.pages}/items/{item.id}"
    assert (await client.post(f"{url}/submit")).status_code == 303
    queue = await client.get(f"{team.pages}/review", headers=HTML)
    assert queue.status_code == 200
    assert "Handling disagreement" in queue.text
    _clean(queue.text)
    assert (await client.post(f"{url}/approve?from=review")).status_code == 303
    listed = await client.get(team.pages, params={"status": "approved"}, headers=HTML)
    assert "Handling disagreement" in listed.text
    _clean(listed.text)

    edit = await client.get(f"{url}/edit", headers=HTML)
    assert edit.status_code == 200
    assert "stays in use" in edit.text
    _clean(edit.text)
    saved = await client.post(f"{url}/edit", data={**QUESTION_FORM, "prompt": "Changed."})
    assert saved.status_code == 303
    async with db.transaction() as session:
        versions = list(
            await session.scalars(
                select(LibraryItemVersion.status).order_by(LibraryItemVersion.number)
            )
        )
    assert versions == ["approved", "draft"]
    assert (await client.post(f"{url}/approve")).status_code == 409
    assert (await client.post(f"{url}/explode")).status_code == 404


async def test_challenge_form_and_reject_with_comment(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    data = {
        **QUESTION_FORM,
        "title": "Add two numbers",
        "statement": "Return a + b.",
        "languages": ["python", "javascript"],
        "starter_python": "def add(a, b):\n    pass\n",
        "starter_javascript": "function add(a, b) {}\n",
        "entrypoint": "add",
        "tests": json.dumps(CHALLENGE["tests"]),
        "time_limit_seconds": "600",
    }
    bad = await client.post(f"{team.pages}/new?kind=challenge", data={**data, "tests": "[nope"})
    assert bad.status_code == 422
    assert "visible" in bad.text
    created = await client.post(f"{team.pages}/new?kind=challenge", data=data)
    assert created.status_code == 303, created.text
    [item] = await _items(db)
    assert item.kind == "challenge"
    page = await client.get(created.headers["location"], headers=HTML)
    _clean(page.text)
    assert "def add(a, b):" in page.text
    url = f"{team.pages}/items/{item.id}"
    await client.post(f"{url}/submit")
    assert (await client.post(f"{url}/reject", data={"comment": ""})).status_code == 422
    assert (
        await client.post(f"{url}/reject", data={"comment": "Needs more tests"})
    ).status_code == 303
    page = await client.get(url, headers=HTML)
    assert "Needs more tests" in page.text


async def test_review_queue_shows_ai_badge_and_duplicates(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        await make_item(session, team.organization, status="approved")
    drafts = await client.get(f"{team.pages}/drafts", headers=HTML)
    assert drafts.status_code == 200
    _clean(drafts.text)
    short = await client.post(f"{team.pages}/drafts", data={"job_description": "short"})
    assert short.status_code == 422
    made = await client.post(
        f"{team.pages}/drafts",
        data={
            "job_description": "Site reliability engineer: on-call, incident response and "
            "production incident handling for our platform.",
            "role": "SRE",
            "skills": "Incident response",
            "count": "3",
        },
    )
    assert made.status_code == 303, made.text
    queue = await client.get(f"{team.pages}/review", headers=HTML)
    _clean(queue.text)
    assert "AI-generated" in queue.text
    await client.post(f"{team.api}/items", json={**QUESTION, "title": QUESTION["title"] + "?"})
    async with db.transaction() as session:
        pending = list(await session.scalars(select(LibraryItem).order_by(LibraryItem.created_at)))
    await client.post(f"{team.api}/items/{pending[-1].id}/submit")
    queue = await client.get(f"{team.pages}/review", headers=HTML)
    assert "Possible duplicate" in queue.text


async def test_transfer_page_import_and_errors(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    page = await client.get(f"{team.pages}/transfer", headers=HTML)
    assert page.status_code == 200
    _clean(page.text)
    bad = json.dumps({"items": [QUESTION, {**QUESTION, "prompt": ""}]}).encode()
    refused = await client.post(f"{team.pages}/import", files={"file": ("l.json", bad)})
    assert refused.status_code == 422
    assert "Item 2" in refused.text
    assert await _items(db) == []
    good = json.dumps({"items": [QUESTION]}).encode()
    done = await client.post(f"{team.pages}/import", files={"file": ("l.json", good)})
    assert done.status_code == 303
    assert len(await _items(db)) == 1
    export = await client.get(f"{team.api}/export", params={"format": "csv"})
    assert export.status_code == 200
    assert export.text.startswith("kind,title")


async def test_other_organization_and_interviewer(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Other")
        theirs = await make_item(session, other)
        interviewer, _ = await make_member(session, team.organization, role="interviewer")
    response = await client.get(f"{team.pages}/items/{theirs.id}", headers=HTML)
    assert response.status_code == 404
    await sign_in(client, interviewer.email)
    assert (await client.get(team.pages, headers=HTML)).status_code == 200
    assert (await client.get(f"{team.pages}/new", headers=HTML)).status_code == 403


@pytest.mark.skipif(
    importlib.util.find_spec("hireflow.sandbox") is None, reason="hireflow.sandbox not built yet"
)
async def test_run_form_on_a_challenge_page(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    from hireflow import sandbox  # type: ignore[attr-defined,unused-ignore]

    async with db.transaction() as session:
        item = await make_item(session, team.organization, kind="challenge")
    url = f"{team.pages}/items/{item.id}"
    page = await client.get(url, headers=HTML)
    assert "Run tests" in page.text
    _clean(page.text)
    response = await client.post(
        f"{url}/versions/1/run",
        data={"language": "python", "code": "def add(a, b):\n    return a + b\n"},
    )
    if not sandbox.availability("python")[0]:
        assert response.status_code == 503
        return
    assert response.status_code == 200, response.text
    _clean(response.text)
    assert "2 of 2 tests passed" in response.text
    empty = await client.post(f"{url}/versions/1/run", data={"language": "python", "code": ""})
    assert empty.status_code == 422
