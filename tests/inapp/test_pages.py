"""The notifications page and the navigation's bell: signed out → sign in; the list, newest
first with unread ones marked, its unread filter and pages; marking one or all read (with the
session's CSRF token); another user's notification is a 404; the bell shows the unread count."""

from __future__ import annotations

import re
import uuid

import httpx

from hireflow.db import Database
from hireflow.inapp.service import notify
from hireflow.models import Notification, User
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user
from tests.portal.test_pages import browser_sign_in, session_csrf
from tests.web.test_pages import HTML, assert_html

BELL = re.compile(r"data-unread-count(?: hidden)?>([^<]*)<")


async def _member_with(db: Database, titles: list[str]) -> tuple[User, list[uuid.UUID]]:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        user, _ = await make_member(session, organization, role="recruiter")
        ids = [
            (
                await notify(
                    session,
                    user_id=user.id,
                    organization_id=organization.id,
                    kind="test",
                    title=title,
                    link=f"/organizations/{organization.id}/team",
                )
            ).id
            for title in titles
        ]
    return user, ids


async def test_signed_out_goes_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/notifications", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_empty_state_and_a_bell_without_count(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, _ = await _member_with(db, [])
    await browser_sign_in(client, user.email)
    page = assert_html(await client.get("/notifications", headers=HTML))
    assert page.h1 == ["Notifications"]
    assert not page.csp_offences
    text = (await client.get("/notifications", headers=HTML)).text
    assert "No notifications yet" in text
    assert "data-unread-count hidden>0<" in text
    assert "Mark all read" not in text


async def test_list_mark_one_and_all_read(client: httpx.AsyncClient, db: Database) -> None:
    user, ids = await _member_with(db, ["First thing", "Second thing", "Third thing"])
    await browser_sign_in(client, user.email)
    response = await client.get("/notifications", headers=HTML)
    page = assert_html(response)
    assert not page.csp_offences
    text = response.text
    assert text.index("Third thing") < text.index("Second thing") < text.index("First thing")
    assert text.count("notification-item notification-unread") == 3
    assert BELL.findall(text) == ["3"]
    assert "/notifications" in page.links

    marked = await client.post(
        f"/notifications/{ids[0]}/read", data={"csrf_token": session_csrf(client)}, headers=HTML
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/notifications?notice=notification-read"
    after = (await client.get("/notifications", headers=HTML)).text
    assert after.count("notification-item notification-unread") == 2
    assert BELL.findall(after) == ["2"]
    unread_only = (await client.get("/notifications?unread=true", headers=HTML)).text
    assert "First thing" not in unread_only
    assert "Second thing" in unread_only

    all_read = await client.post(
        "/notifications/read-all", data={"csrf_token": session_csrf(client)}, headers=HTML
    )
    assert all_read.status_code == 303
    final = (await client.get("/notifications?unread=true", headers=HTML)).text
    assert "Nothing unread" in final
    assert BELL.findall(final) == ["0"]


async def test_marking_without_the_csrf_token_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    user, [made] = await _member_with(db, ["Only one"])
    await browser_sign_in(client, user.email)
    response = await client.post(f"/notifications/{made}/read", data={}, headers=HTML)
    assert response.status_code == 403
    async with db.transaction() as session:
        row = await session.get(Notification, made)
        assert row is not None
        assert row.read_at is None


async def test_another_users_notification_is_a_404(client: httpx.AsyncClient, db: Database) -> None:
    user, _ = await _member_with(db, [])
    async with db.transaction() as session:
        other = await make_user(session)
        theirs = await notify(
            session, user_id=other.id, organization_id=None, kind="test", title="Theirs"
        )
    await browser_sign_in(client, user.email)
    response = await client.post(
        f"/notifications/{theirs.id}/read", data={"csrf_token": session_csrf(client)}, headers=HTML
    )
    assert response.status_code == 404
    assert "Theirs" not in response.text


async def test_older_pages_follow_the_cursor(client: httpx.AsyncClient, db: Database) -> None:
    user, _ = await _member_with(db, [f"Item {i:02d}" for i in range(30)])
    await browser_sign_in(client, user.email)
    first = (await client.get("/notifications", headers=HTML)).text
    assert "Item 29" in first
    assert "Item 04" not in first
    [older] = re.findall(r'href="(/notifications\?cursor=[^"]+)" rel="next"', first)
    second = (await client.get(older.replace("&amp;", "&"), headers=HTML)).text
    assert "Item 04" in second
    assert "Item 29" not in second
