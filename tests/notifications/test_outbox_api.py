"""The outbox API: platform admins read every email the platform sent or stored; anyone else
is refused (403 signed in, 401 anonymous) whether or not the id exists."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pyotp
from sqlalchemy import update

from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import OutboxMessage, User
from hireflow.notifications.service import send_email
from tests.factories.users import make_user, sign_in

BASE = "/api/v1/platform/outbox"


async def _sign_in_platform_admin(client: httpx.AsyncClient, db: Database) -> User:
    async with db.transaction() as session:
        admin = await make_user(session)
    await sign_in(client, admin.email)
    async with db.transaction() as session:
        # Made an admin, with MFA set up, within this session (as when enrolling while signed
        # in): platform admins must use MFA, which is tested with the MFA routes.
        await session.execute(
            update(User)
            .where(User.id == admin.id)
            .values(is_platform_admin=True, mfa_secret=pyotp.random_base32(), mfa_enabled_at=now())
        )
    return admin


async def _outbox(db: Database, count: int, **fields: object) -> list[OutboxMessage]:
    """`count` messages, oldest first, one minute apart."""
    messages = []
    async with db.transaction() as session:
        for n in range(count):
            values: dict[str, object] = {
                "to": f"reader-{n}@example.com",
                "subject": f"Message {n}",
                "text": f"Text {n}",
                "kind": "welcome",
                **fields,
            }
            message = await send_email(session, **values)  # type: ignore[arg-type]
            messages.append(message)
        start = now() + timedelta(days=365)  # newer than anything else in the outbox
        for n, message in enumerate(messages):
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(created_at=start + timedelta(minutes=n))
            )
    return messages


async def test_an_admin_lists_the_outbox_newest_first_without_bodies(
    client: httpx.AsyncClient, db: Database
) -> None:
    messages = await _outbox(db, 3, html="<p>Hi</p>")
    await _sign_in_platform_admin(client, db)

    response = await client.get(BASE, params={"limit": 3})

    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["id"] for item in page["items"]] == [str(m.id) for m in reversed(messages)]
    newest = page["items"][0]
    assert newest["to"] == "reader-2@example.com"
    assert newest["subject"] == "Message 2"
    assert newest["kind"] == "welcome"
    assert newest["status"] == "queued"
    assert newest["attempts"] == 0
    assert newest["message_id_header"] == messages[2].message_id
    assert "text_body" not in newest
    assert "html_body" not in newest


async def test_an_admin_reads_one_message_with_its_bodies(
    client: httpx.AsyncClient, db: Database
) -> None:
    organization_id = uuid.uuid4()
    [message] = await _outbox(db, 1, html="<p>Hi</p>", organization_id=organization_id)
    await _sign_in_platform_admin(client, db)

    response = await client.get(f"{BASE}/{message.id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == str(message.id)
    assert body["organization_id"] == str(organization_id)
    assert body["text_body"] == "Text 0"
    assert body["html_body"] == "<p>Hi</p>"
    assert body["message_id_header"] == message.message_id


async def test_pages_follow_each_other_until_the_last(
    client: httpx.AsyncClient, db: Database
) -> None:
    messages = await _outbox(db, 5, kind="paged")
    await _sign_in_platform_admin(client, db)

    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        response = await client.get(BASE, params={"kind": "paged", "limit": 2, "offset": offset})
        assert response.status_code == 200
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        offset = page["next_offset"]
    assert seen == [str(m.id) for m in reversed(messages)]


async def test_filters_by_recipient_kind_and_status(
    client: httpx.AsyncClient, db: Database
) -> None:
    [first, second, third] = await _outbox(db, 3, kind="filtered")
    [other_kind] = await _outbox(db, 1, kind="other_kind", to="reader-1@example.com")
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == third.id).values(status="failed")
        )
    await _sign_in_platform_admin(client, db)

    async def ids(**params: str) -> list[str]:
        response = await client.get(BASE, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert await ids(kind="filtered") == [str(third.id), str(second.id), str(first.id)]
    assert set(await ids(to="Reader-1@Example.com")) == {str(other_kind.id), str(second.id)}
    assert await ids(to="reader-1@example.com", kind="filtered") == [str(second.id)]
    assert await ids(kind="filtered", status="failed") == [str(third.id)]
    assert await ids(kind="filtered", status="sent") == []


async def test_an_unknown_status_filter_is_a_422(client: httpx.AsyncClient, db: Database) -> None:
    await _sign_in_platform_admin(client, db)
    response = await client.get(BASE, params={"status": "lost"})
    assert response.status_code == 422


async def test_an_unknown_id_is_a_404_and_a_malformed_one_a_422(
    client: httpx.AsyncClient, db: Database
) -> None:
    await _sign_in_platform_admin(client, db)
    response = await client.get(f"{BASE}/{uuid.uuid4()}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(f"{BASE}/not-a-uuid")).status_code == 422


async def test_a_signed_in_user_who_is_not_a_platform_admin_gets_403(
    client: httpx.AsyncClient, db: Database
) -> None:
    [message] = await _outbox(db, 1)
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)

    for url in (BASE, f"{BASE}/{message.id}", f"{BASE}/{uuid.uuid4()}"):
        response = await client.get(url)
        assert response.status_code == 403, (url, response.text)
        assert response.json()["code"] == "forbidden"
        assert "Message 0" not in response.text


async def test_anonymous_callers_get_401(client: httpx.AsyncClient, db: Database) -> None:
    [message] = await _outbox(db, 1)
    for url in (BASE, f"{BASE}/{message.id}", f"{BASE}/{uuid.uuid4()}"):
        response = await client.get(url)
        assert response.status_code == 401, (url, response.text)
        assert "Message 0" not in response.text
