"""In-app notifications through the API: list (pages, unread filter), unread count, mark one
and all read; only the caller's own (another user's id is a 404), bad input a 422 that changes
nothing, anonymous a 401; personal API tokens work too."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from hireflow.db import Database
from hireflow.inapp.service import notify
from hireflow.models import Notification, User
from tests.factories.api_tokens import make_personal_token
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user, sign_in

API = "/api/v1/notifications"


async def _member(db: Database) -> tuple[User, uuid.UUID]:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        user, _ = await make_member(session, organization, role="recruiter")
    return user, organization.id


async def _notify(
    db: Database, user: User, organization_id: uuid.UUID | None, n: int
) -> list[uuid.UUID]:
    ids = []
    async with db.transaction() as session:
        for i in range(n):
            made = await notify(
                session,
                user_id=user.id,
                organization_id=organization_id,
                kind="test",
                title=f"Notification {i}",
                body=f"Body {i}",
                link=f"/organizations/{organization_id}/jobs",
            )
            ids.append(made.id)
    return ids


async def test_list_pages_newest_first_with_the_unread_count(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, org_id = await _member(db)
    ids = await _notify(db, user, org_id, 5)
    await sign_in(client, user.email)

    first = await client.get(API, params={"limit": 3})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [item["title"] for item in body["items"]] == [
        "Notification 4",
        "Notification 3",
        "Notification 2",
    ]
    assert body["unread"] == 5
    assert body["items"][0]["link"] == f"/organizations/{org_id}/jobs"
    assert body["items"][0]["read_at"] is None
    second = await client.get(API, params={"limit": 3, "cursor": body["next_cursor"]})
    assert [item["id"] for item in second.json()["items"]] == [str(ids[1]), str(ids[0])]
    assert second.json()["next_cursor"] is None


async def test_read_one_then_unread_filter_and_count(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, org_id = await _member(db)
    ids = await _notify(db, user, org_id, 3)
    await sign_in(client, user.email)

    read = await client.post(f"{API}/{ids[1]}/read")
    assert read.status_code == 200, read.text
    assert read.json()["read_at"] is not None
    again = await client.post(f"{API}/{ids[1]}/read")  # idempotent
    assert again.status_code == 200
    assert again.json()["read_at"] == read.json()["read_at"]

    count = await client.get(f"{API}/unread-count")
    assert count.json() == {"unread": 2}
    unread = await client.get(API, params={"unread": "true"})
    assert {item["id"] for item in unread.json()["items"]} == {str(ids[0]), str(ids[2])}


async def test_read_all_marks_only_mine(client: httpx.AsyncClient, db: Database) -> None:
    user, org_id = await _member(db)
    async with db.transaction() as session:
        other = await make_user(session)
    await _notify(db, user, org_id, 2)
    [theirs] = await _notify(db, other, None, 1)
    await sign_in(client, user.email)

    response = await client.post(f"{API}/read-all")
    assert response.status_code == 200, response.text
    assert response.json() == {"marked": 2, "unread": 0}
    assert (await client.get(f"{API}/unread-count")).json() == {"unread": 0}
    async with db.transaction() as session:
        row = await session.get(Notification, theirs)
        assert row is not None
        assert row.read_at is None


async def test_another_users_notification_is_a_404_and_stays_unread(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, _ = await _member(db)
    async with db.transaction() as session:
        other = await make_user(session)
    [theirs] = await _notify(db, other, None, 1)
    await sign_in(client, user.email)

    response = await client.post(f"{API}/{theirs}/read")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    listed = await client.get(API)
    assert listed.json()["items"] == []
    async with db.transaction() as session:
        row = await session.get(Notification, theirs)
        assert row is not None
        assert row.read_at is None


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("POST", f"{API}/not-a-uuid/read", None),
        ("GET", API, {"cursor": "garbage!"}),
        ("GET", API, {"limit": "0"}),
        ("GET", API, {"limit": "500"}),
        ("GET", API, {"unread": "perhaps"}),
    ],
)
async def test_bad_input_is_a_422_and_changes_nothing(
    client: httpx.AsyncClient,
    db: Database,
    method: str,
    path: str,
    params: dict[str, str] | None,
) -> None:
    user, org_id = await _member(db)
    await _notify(db, user, org_id, 1)
    await sign_in(client, user.email)

    response = await client.request(method, path, params=params)
    assert response.status_code == 422, response.text
    assert (await client.get(f"{API}/unread-count")).json() == {"unread": 1}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", API),
        ("GET", f"{API}/unread-count"),
        ("POST", f"{API}/read-all"),
        ("POST", f"{API}/00000000-0000-4000-8000-000000000001/read"),
    ],
)
async def test_anonymous_is_a_401(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(method, path)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_personal_api_token_reads_and_marks(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, org_id = await _member(db)
    [made] = await _notify(db, user, org_id, 1)
    async with db.transaction() as session:
        _, raw = await make_personal_token(session, user.id)
    headers = {"Authorization": f"Bearer {raw}"}

    listed = await client.get(API, headers=headers)
    assert listed.status_code == 200, listed.text
    assert [item["id"] for item in listed.json()["items"]] == [str(made)]
    marked = await client.post(f"{API}/{made}/read", headers=headers)
    assert marked.status_code == 200, marked.text
    async with db.transaction() as session:
        read_at = await session.scalar(select(Notification.read_at).where(Notification.id == made))
    assert read_at is not None
