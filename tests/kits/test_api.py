"""The interview kit API: validation, approval (blocked, pinned, back to draft), the candidate's
preview, permissions and tenancy."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, InterviewKit, LibraryItem
from tests.factories.jobs import make_job
from tests.factories.kits import add_draft, make_item, question_content
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in
from tests.kits.conftest import Team


async def _kits(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(InterviewKit)) or 0)


async def test_put_creates_a_draft_kit_with_item_details(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    response = await client.put(team.kit, json=team.body(follow_ups=2))
    assert response.status_code == 200, response.text
    kit = response.json()
    assert kit["status"] == "draft"
    assert kit["follow_ups"] == 2
    assert kit["total_minutes"] == 30
    assert kit["item_count"] == 3
    assert [s["title"] for s in kit["sections"]] == ["Warm-up", "Depth"]
    first = kit["sections"][0]["items"][0]
    assert first == {
        "id": str(team.items[0].id),
        "title": "Scaling a read-heavy API",
        "kind": "question",
        "approved_version": 1,
        "retired": False,
    }
    assert kit["sections"][1]["items"][1]["kind"] == "challenge"
    assert (await client.get(team.kit)).json()["id"] == kit["id"]
    async with db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action).where(AuditEvent.target_id == kit["id"])
            )
        )
    assert actions == ["kit.created"]


async def test_get_without_a_kit_is_404(client: httpx.AsyncClient, team: Team) -> None:
    response = await client.get(team.kit)
    assert response.status_code == 404


async def _bad(client: httpx.AsyncClient, team: Team, body: dict[str, Any]) -> httpx.Response:
    return await client.put(team.kit, json=body)


async def test_invalid_kits_are_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    q1, q2, _ = team.items
    async with db.transaction() as session:
        other = await make_organization(session, name="Globex")
        foreign = await make_item(session, other, title="Their question")
        retired = await make_item(session, team.organization, title="Old", retired=True)
    section = {"title": "S", "minutes": 10}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"sections": []}, "no sections"),
        ({"sections": [{**section, "item_ids": [str(uuid.uuid4())]}]}, "unknown id"),
        ({"sections": [{**section, "item_ids": ["not-a-uuid"]}]}, "bad id"),
        ({"sections": [{**section, "item_ids": [str(foreign.id)]}]}, "other org's item"),
        ({"sections": [{**section, "item_ids": [str(retired.id)]}]}, "retired"),
        (
            {
                "sections": [
                    {**section, "item_ids": [str(q1.id)]},
                    {**section, "item_ids": [str(q2.id), str(q1.id)]},
                ]
            },
            "repeat across sections",
        ),
        ({"sections": [{"title": "S", "minutes": 0, "item_ids": []}]}, "0 minutes"),
        ({"sections": [{"title": "S", "minutes": 181, "item_ids": []}]}, "181 minutes"),
        ({"sections": [{"title": "x" * 81, "minutes": 5, "item_ids": []}]}, "long title"),
        ({"sections": [{"title": "  ", "minutes": 5, "item_ids": []}]}, "blank title"),
        ({"sections": [{**section, "item_ids": []}] * 11}, "11 sections"),
        ({"sections": [{**section, "item_ids": []}], "follow_ups": 6}, "6 follow-ups"),
        ({"sections": [{**section, "item_ids": []}], "organization_id": "x"}, "extra field"),
    ]
    for body, why in cases:
        response = await _bad(client, team, body)
        assert response.status_code == 422, (why, response.text)
    assert await _kits(db) == 0


async def test_more_than_30_items_is_refused(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        many = [await make_item(session, team.organization, title=f"Q{i}") for i in range(31)]
    body = {
        "sections": [
            {"title": "A", "minutes": 10, "item_ids": [str(i.id) for i in many[:16]]},
            {"title": "B", "minutes": 10, "item_ids": [str(i.id) for i in many[16:]]},
        ]
    }
    response = await client.put(team.kit, json=body)
    assert response.status_code == 422
    assert "at most 30" in response.text
    assert await _kits(db) == 0


async def test_approve_is_blocked_by_items_without_an_approved_version(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        draft = await make_item(session, team.organization, title="Unreviewed", approved=False)
    body = team.body()
    body["sections"][0]["item_ids"].append(str(draft.id))  # type: ignore[index]
    assert (await client.put(team.kit, json=body)).status_code == 200
    kit = (await client.get(team.kit)).json()
    assert [i["title"] for i in kit["blocking_items"]] == ["Unreviewed"]
    assert kit["sections"][0]["items"][1]["approved_version"] == "not approved"
    response = await client.post(f"{team.kit}/approve")
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "kit-items-not-approved"
    assert [i["id"] for i in problem["items"]] == [str(draft.id)]
    assert (await client.get(team.kit)).json()["status"] == "draft"


async def test_approve_pins_versions_and_a_later_put_returns_to_draft(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    assert (await client.put(team.kit, json=team.body())).status_code == 200
    response = await client.post(f"{team.kit}/approve")
    assert response.status_code == 200, response.text
    kit = response.json()
    assert kit["status"] == "approved"
    assert kit["approved_by_user_id"] == str(team.owner.id)
    assert kit["approved_at"] is not None
    assert kit["approved_versions"] == {str(i.id): str(i.approved_version_id) for i in team.items}
    # A new draft of an item does not change what the approved kit pins.
    async with db.transaction() as session:
        item = await session.get(LibraryItem, team.items[0].id)
        assert item is not None
        await add_draft(session, item, question_content("A draft wording"))
    again = (await client.get(team.kit)).json()
    assert again["approved_versions"] == kit["approved_versions"]
    assert again["sections"][0]["items"][0]["approved_version"] == 1

    edited = await client.put(team.kit, json=team.body(follow_ups=3))
    assert edited.status_code == 200
    assert edited.json()["status"] == "draft"
    assert edited.json()["approved_versions"] == {}
    assert edited.json()["approved_at"] is None
    async with db.transaction() as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target_id == kit["id"])
                .order_by(AuditEvent.created_at)
            )
        )
    assert actions == ["kit.created", "kit.approved", "kit.updated"]


def _walk(value: Any) -> list[str]:
    """Every key and string anywhere in a JSON value."""
    if isinstance(value, dict):
        return [k for k in value] + [s for v in value.values() for s in _walk(v)]
    if isinstance(value, list):
        return [s for v in value for s in _walk(v)]
    return [value] if isinstance(value, str) else []


async def test_preview_shows_prompts_and_starter_code_but_no_rubric_answer_or_hidden_test(
    client: httpx.AsyncClient, team: Team
) -> None:
    assert (await client.put(team.kit, json=team.body())).status_code == 200
    response = await client.get(f"{team.kit}/preview")
    assert response.status_code == 200
    preview = response.json()
    questions = [q for s in preview["sections"] for q in s["questions"]]
    assert [q["number"] for q in questions] == [1, 2, 3]
    assert questions[0]["prompt"] == "How would you approach: Scaling a read-heavy API?"
    coding = questions[2]
    assert coding["kind"] == "coding"
    assert coding["prompt"] == "Return the sum of a and b."
    assert coding["starter_code"].startswith("def add")
    assert coding["examples"] == [{"args": [1, 2], "expected": 3}]
    words = _walk(preview)
    text = " ".join(words)
    for secret in ("rubric", "ideal_answer", "SECRET", "hidden", "tests", "skills", "criteria"):
        assert secret not in words, secret
        assert secret not in text, secret
    assert 42 not in [e["expected"] for q in questions for e in q["examples"]]


async def test_a_recruiter_cannot_approve(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    assert (await client.put(team.kit, json=team.body())).status_code == 200
    async with db.transaction() as session:
        recruiter, _ = await make_member(session, team.organization, role="recruiter")
        from hireflow.models import JobAssignment

        session.add(
            JobAssignment(
                organization_id=team.organization.id, job_id=team.job.id, user_id=recruiter.id
            )
        )
    await sign_in(client, recruiter.email)
    assert (await client.get(team.kit)).status_code == 200
    response = await client.post(f"{team.kit}/approve")
    assert response.status_code == 403
    assert (await client.put(team.kit, json=team.body(follow_ups=0))).status_code == 200


async def test_a_viewer_cannot_edit(client: httpx.AsyncClient, db: Database, team: Team) -> None:
    async with db.transaction() as session:
        viewer, _ = await make_member(session, team.organization, role="viewer")
    await sign_in(client, viewer.email)
    response = await client.put(team.kit, json=team.body())
    assert response.status_code == 403
    assert await _kits(db) == 0


async def test_another_organizations_job_is_404(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        other = await make_organization(session, name="Globex")
        their_job = await make_job(session, other)
    theirs = f"/api/v1/organizations/{other.id}/jobs/{their_job.id}/kit"
    mine_their_job = f"/api/v1/organizations/{team.organization.id}/jobs/{their_job.id}/kit"
    for url in (theirs, mine_their_job):
        assert (await client.get(url)).status_code == 404
        assert (await client.put(url, json=team.body())).status_code == 404
        assert (await client.post(f"{url}/approve")).status_code == 404
        assert (await client.get(f"{url}/preview")).status_code == 404
    assert await _kits(db) == 0
