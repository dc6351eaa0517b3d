"""The library API: create, edit, the review workflow, permissions, near-duplicates, AI drafts,
lists and filters, another organization's items."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hireflow.db import Database
from hireflow.library import service
from hireflow.models import AuditEvent, LibraryItem
from tests.factories.library import CHALLENGE, QUESTION, make_item
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.library.conftest import Team


async def _create(client: httpx.AsyncClient, team: Team, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"{team.api}/items", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _act(
    client: httpx.AsyncClient, team: Team, item_id: str, action: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{team.api}/items/{item_id}/{action}", json=body or None)


async def test_question_workflow_draft_review_approve_retire(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await _create(client, team, QUESTION)
    item_id = created["item"]["id"]
    assert created["item"]["status"] == "draft"
    assert created["allowed_actions"] == ["edit", "submit"]
    assert created["live_version"] is None

    submitted = (await _act(client, team, item_id, "submit")).json()
    assert submitted["item"]["status"] == "in_review"
    assert submitted["versions"][0]["submitted_at"] is not None
    assert submitted["allowed_actions"] == ["approve", "reject"]

    approved = (await _act(client, team, item_id, "approve")).json()
    assert approved["item"]["status"] == "approved"
    assert approved["live_version"] == 1
    assert approved["versions"][0]["reviewed_by_user_id"] == str(team.owner.id)
    async with db.transaction() as session:
        live = await service.approved_version(session, team.organization.id, item_id)
        assert live is not None
        assert live.number == 1
        question = service.to_question(live, "q1")
    assert question.kind == "behavioural"
    assert question.competency == "Incident response"
    assert question.source == f"library:{item_id}:v1"
    assert question.rubric[0].key == "structure"
    assert question.rubric[0].indicators

    retired = (await _act(client, team, item_id, "retire")).json()
    assert retired["item"]["retired_at"] is not None
    assert retired["item"]["approved_version_id"] is None
    assert retired["versions"][0]["status"] == "retired"
    assert retired["allowed_actions"] == []
    async with db.transaction() as session:
        assert await service.approved_version(session, team.organization.id, item_id) is None
        actions = set(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.like("library.%"))
            )
        )
    assert {"library.created", "library.submitted", "library.approved", "library.retired"} <= (
        actions
    )


@pytest.mark.parametrize(
    ("steps", "action"),
    [
        ([], "approve"),
        ([], "retire"),
        (["submit"], "submit"),
        (["submit"], "retire"),
        (["submit", "approve"], "approve"),
        (["submit", "approve"], "submit"),
    ],
)
async def test_invalid_transitions_are_409_with_allowed_actions(
    client: httpx.AsyncClient, team: Team, steps: list[str], action: str
) -> None:
    item_id = (await _create(client, team, QUESTION))["item"]["id"]
    for step in steps:
        assert (await _act(client, team, item_id, step)).status_code == 200
    response = await _act(client, team, item_id, action)
    assert response.status_code == 409, response.text
    assert "allowed_actions" in response.json()


async def test_reject_needs_a_comment_and_edit_makes_a_new_draft(
    client: httpx.AsyncClient, team: Team
) -> None:
    item_id = (await _create(client, team, QUESTION))["item"]["id"]
    await _act(client, team, item_id, "submit")
    assert (await _act(client, team, item_id, "reject")).status_code == 422
    rejected = await _act(client, team, item_id, "reject", comment="Too vague.")
    assert rejected.status_code == 200
    assert rejected.json()["versions"][0]["review_comment"] == "Too vague."
    assert rejected.json()["allowed_actions"] == ["edit"]
    edited = await client.put(f"{team.api}/items/{item_id}", json={**QUESTION, "title": "Better"})
    assert edited.status_code == 200, edited.text
    versions = edited.json()["versions"]
    assert [(v["number"], v["status"]) for v in versions] == [(2, "draft"), (1, "rejected")]
    assert edited.json()["item"]["status"] == "draft"


async def test_editing_an_approved_item_keeps_the_approved_version_live(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    item_id = (await _create(client, team, QUESTION))["item"]["id"]
    await _act(client, team, item_id, "submit")
    await _act(client, team, item_id, "approve")
    edited = await client.put(
        f"{team.api}/items/{item_id}", json={**QUESTION, "prompt": "A new prompt, please."}
    )
    assert edited.status_code == 200
    body = edited.json()
    assert [(v["number"], v["status"]) for v in body["versions"]] == [(2, "draft"), (1, "approved")]
    assert body["live_version"] == 1
    # Only one open version: editing the draft changes it in place.
    again = await client.put(f"{team.api}/items/{item_id}", json={**QUESTION, "prompt": "Again."})
    assert [v["number"] for v in again.json()["versions"]] == [2, 1]
    async with db.transaction() as session:
        live = await service.approved_version(session, team.organization.id, item_id)
        assert live is not None
        assert live.number == 1
    await _act(client, team, item_id, "submit")
    assert (await client.put(f"{team.api}/items/{item_id}", json=QUESTION)).status_code == 409
    approved = (await _act(client, team, item_id, "approve")).json()
    assert approved["live_version"] == 2
    assert [(v["number"], v["status"]) for v in approved["versions"]] == [
        (2, "approved"),
        (1, "retired"),
    ]


async def test_kind_cannot_change(client: httpx.AsyncClient, team: Team) -> None:
    item_id = (await _create(client, team, QUESTION))["item"]["id"]
    response = await client.put(f"{team.api}/items/{item_id}", json=CHALLENGE)
    assert response.status_code == 422


@pytest.mark.parametrize(
    "change",
    [
        {"tests": [CHALLENGE["tests"][0]]},  # no hidden test
        {"tests": [{**t, "hidden": True} for t in CHALLENGE["tests"]]},  # no visible test
        {"entrypoint": "not an identifier"},
        {"starter_code": {"python": "def add(a, b): pass"}},  # javascript missing
        {"languages": ["python", "ruby"]},
        {"languages": []},
        {"time_limit_seconds": 5},
        {"rubric": {"criteria": [{"key": "a", "description": "x", "levels": ["1", "2", "3"]}]}},
        {"rubric": {"criteria": []}},
        {"title": ""},
        {"category": "x" * 41},
        {"seniority": "wizard"},
        {"extra": 1},
    ],
)
async def test_challenge_validation(
    client: httpx.AsyncClient, team: Team, change: dict[str, Any]
) -> None:
    response = await client.post(f"{team.api}/items", json={**copy.deepcopy(CHALLENGE), **change})
    assert response.status_code == 422, response.text


async def test_recruiter_cannot_approve_and_interviewer_cannot_write(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, team.organization, role="recruiter")
        interviewer, _ = await make_member(session, team.organization, role="interviewer")
    await sign_in(client, recruiter.email)
    item_id = (await _create(client, team, QUESTION))["item"]["id"]
    assert (await _act(client, team, item_id, "submit")).status_code == 200
    assert (await _act(client, team, item_id, "approve")).status_code == 403
    assert (await _act(client, team, item_id, "reject", comment="no")).status_code == 403
    await sign_in(client, interviewer.email)
    assert (await client.get(f"{team.api}/items/{item_id}")).status_code == 200
    assert (await client.post(f"{team.api}/items", json=QUESTION)).status_code == 403


async def test_near_duplicates_are_flagged(client: httpx.AsyncClient, team: Team) -> None:
    first = (await _create(client, team, QUESTION))["item"]["id"]
    second = await _create(client, team, {**QUESTION, "title": QUESTION["title"] + "!"})
    similar = second["versions"][0]["similar_items"]
    assert [s["item_id"] for s in similar] == [first]
    assert similar[0]["similarity"] >= 0.35
    other = await _create(
        client,
        team,
        {**QUESTION, "title": "Reverse a linked list", "prompt": "Implement it in place."},
    )
    assert other["versions"][0]["similar_items"] == []


async def test_ai_drafts_are_in_review_and_ai_generated(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await client.post(
        f"{team.api}/drafts",
        json={
            "job_description": "We need a backend engineer who builds APIs in Python and "
            "runs PostgreSQL in production.",
            "role": "Backend Engineer",
            "skills": ["Python", "PostgreSQL"],
            "count": 4,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["model"]
    assert body["fallback"] is False
    assert 1 <= len(body["items"]) <= 4
    assert all(i["status"] == "in_review" and i["ai_generated"] for i in body["items"])
    listed = (await client.get(f"{team.api}/items", params={"ai_generated": "true"})).json()
    assert len(listed["items"]) == len(body["items"])
    detail = (await client.get(f"{team.api}/items/{body['items'][0]['id']}")).json()
    assert detail["versions"][0]["source"] == "ai"
    assert detail["allowed_actions"] == ["approve", "reject"]
    bad = await client.post(f"{team.api}/drafts", json={"job_description": "short"})
    assert bad.status_code == 422


async def test_list_filters_search_and_pagination(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        await make_item(session, team.organization, kind="challenge", status="approved")
        for n in range(3):
            await make_item(session, team.organization, title=f"Question {n} about caching")
    url = f"{team.api}/items"
    assert len((await client.get(url)).json()["items"]) == 4
    only = (await client.get(url, params={"kind": "challenge"})).json()["items"]
    assert [i["kind"] for i in only] == ["challenge"]
    assert len((await client.get(url, params={"status": "draft"})).json()["items"]) == 3
    assert len((await client.get(url, params={"skill": "python"})).json()["items"]) == 1
    assert len((await client.get(url, params={"seniority": "senior"})).json()["items"]) == 3
    assert len((await client.get(url, params={"category": "warm-up"})).json()["items"]) == 1
    assert len((await client.get(url, params={"q": "caching"})).json()["items"]) == 3
    assert len((await client.get(url, params={"q": "incident you led"})).json()["items"]) == 3
    page = (await client.get(url, params={"limit": 3})).json()
    assert len(page["items"]) == 3
    assert page["next_cursor"]
    rest = (await client.get(url, params={"limit": 3, "cursor": page["next_cursor"]})).json()
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    assert (await client.get(url, params={"cursor": "nope"})).status_code == 422


async def test_another_organizations_item_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Other")
        theirs = await make_item(session, other, status="in_review")
        assert await service.approved_version(session, team.organization.id, theirs.id) is None
    assert (await client.get(f"{team.api}/items/{theirs.id}")).status_code == 404
    assert (await _act(client, team, str(theirs.id), "approve")).status_code == 404
    assert (await client.put(f"{team.api}/items/{theirs.id}", json=QUESTION)).status_code == 404
    async with db.transaction() as session:
        item = await session.get(LibraryItem, theirs.id)
        assert item is not None
        assert item.approved_version_id is None


async def test_challenge_to_question_is_coding(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        item = await make_item(session, team.organization, kind="challenge", status="approved")
        version = await service.approved_version(session, team.organization.id, item.id)
        assert version is not None
        question = service.to_question(version, "q3")
    assert question.kind == "coding"
    assert question.language == "python"
    assert question.starter_code == CHALLENGE["starter_code"]["python"]
    assert question.competency == "Python"
    assert question.suggested_minutes == 10
