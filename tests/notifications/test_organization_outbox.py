"""An organization's outbox: owners and admins read their organization's emails (list with
filters and pages, one with its body, delivery log and tracking) and retry a failed one, in
the API and in the pages; recruiters get 403; another organization's email is a 404."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, text, update

from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import AuditEvent, Organization, OutboxAttempt, OutboxMessage, User
from hireflow.notifications.service import send_email
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, sign_in


def _base(organization: Organization) -> str:
    return f"/api/v1/organizations/{organization.id}/outbox"


async def _setup(db: Database, role: str = "owner") -> tuple[Organization, User, Organization]:
    async with db.transaction() as session:
        mine = await make_organization(session, name="Mine")
        me, _ = await make_member(session, mine, role=role)
        theirs = await make_organization(session, name="Theirs")
    return mine, me, theirs


async def _emails(
    db: Database, organization: Organization | None, count: int, **fields: object
) -> list[OutboxMessage]:
    """`count` emails of `organization`, oldest first, one minute apart."""
    messages = []
    async with db.transaction() as session:
        for n in range(count):
            values: dict[str, object] = {
                "to": f"person-{n}@example.com",
                "subject": f"Email {n}",
                "text": f"Text {n}",
                "kind": "team_invitation",
                "organization_id": organization.id if organization else None,
                **fields,
            }
            messages.append(await send_email(session, **values))  # type: ignore[arg-type]
        start = now() + timedelta(days=365)
        for n, message in enumerate(messages):
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(created_at=start + timedelta(minutes=n))
            )
    return messages


async def _fail(db: Database, message: OutboxMessage, error: str = "SMTPDataError: 550 no") -> None:
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(status="failed", attempts=1, last_error=error)
        )
        session.add(OutboxAttempt(message_id=message.id, attempt=1, outcome="failed", detail=error))


async def _jobs(db: Database, message: OutboxMessage) -> list[str]:
    async with db.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT status::text FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id "
                "ORDER BY id"
            ),
            {"id": str(message.id)},
        )
        return [row[0] for row in rows]


async def _retry_events(db: Database, message: OutboxMessage) -> list[AuditEvent]:
    async with db.transaction() as session:
        query = select(AuditEvent).where(
            AuditEvent.action == "email.retried", AuditEvent.target_id == str(message.id)
        )
        return list((await session.scalars(query)).all())


# --- API ------------------------------------------------------------------------------------------


async def test_an_owner_lists_only_the_organizations_emails_with_filters_and_pages(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, theirs = await _setup(db)
    messages = await _emails(db, mine, 3)
    await _emails(db, theirs, 2)
    await _emails(db, None, 1)
    await _fail(db, messages[0])
    await sign_in(client, me.email)

    async def ids(**params: str) -> list[str]:
        response = await client.get(_base(mine), params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    expected = [str(m.id) for m in reversed(messages)]
    assert await ids() == expected
    assert await ids(status="failed") == [str(messages[0].id)]
    assert await ids(to="Person-1@example.com") == [str(messages[1].id)]
    assert await ids(kind="team_invitation", status="queued") == expected[:2]
    assert await ids(kind="other") == []

    seen: list[str] = []
    offset: int | None = 0
    while offset is not None:
        response = await client.get(_base(mine), params={"limit": 2, "offset": offset})
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        offset = page["next_offset"]
    assert seen == expected

    newest = (await client.get(_base(mine))).json()["items"][0]
    assert newest["subject"] == "Email 2"
    assert (newest["open_count"], newest["click_count"], newest["transactional"]) == (0, 0, True)
    assert "text_body" not in newest
    assert (await client.get(_base(mine), params={"status": "lost"})).status_code == 422


async def test_an_owner_reads_one_email_with_its_delivery_log_and_tracking(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, _ = await _setup(db)
    [message] = await _emails(db, mine, 1, html="<p>Hello <b>there</b></p>")
    await _fail(db, message)
    opened = now() - timedelta(minutes=5)
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(opened_at=opened, open_count=3)
        )
    await sign_in(client, me.email)

    response = await client.get(f"{_base(mine)}/{message.id}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text_body"] == "Text 0"
    assert body["html_body"] == "<p>Hello <b>there</b></p>"
    assert body["status"] == "failed"
    assert body["message_id_header"] == message.message_id
    assert body["open_count"] == 3
    assert body["opened_at"] is not None
    assert body["clicked_at"] is None
    assert [(a["attempt"], a["outcome"], a["detail"]) for a in body["delivery_log"]] == [
        (1, "failed", "SMTPDataError: 550 no")
    ]


async def test_another_organizations_email_is_a_404(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, theirs = await _setup(db)
    [their_message] = await _emails(db, theirs, 1)
    [unowned] = await _emails(db, None, 1)
    await _fail(db, their_message)
    await sign_in(client, me.email)

    for message in (their_message, unowned):
        for method, url in [
            ("GET", f"{_base(mine)}/{message.id}"),
            ("POST", f"{_base(mine)}/{message.id}/retry"),
            ("GET", f"/organizations/{mine.id}/outbox/{message.id}"),
            ("GET", f"/organizations/{mine.id}/outbox/{message.id}/html"),
        ]:
            response = await client.request(method, url)
            assert response.status_code == 404, (method, url, response.text)
    for url in (_base(theirs), f"{_base(theirs)}/{their_message.id}"):
        assert (await client.get(url)).status_code == 404
    assert (await client.get(f"{_base(mine)}/{uuid.uuid4()}")).status_code == 404
    assert (await client.get(f"{_base(mine)}/not-a-uuid")).status_code == 422
    assert await _jobs(db, their_message) == ["todo"]  # only the original delivery job


async def test_a_recruiter_gets_403(client: httpx.AsyncClient, db: Database) -> None:
    mine, me, _ = await _setup(db, role="recruiter")
    [message] = await _emails(db, mine, 1)
    await _fail(db, message)
    await sign_in(client, me.email)

    for method, url in [
        ("GET", _base(mine)),
        ("GET", f"{_base(mine)}/{message.id}"),
        ("POST", f"{_base(mine)}/{message.id}/retry"),
    ]:
        response = await client.request(method, url)
        assert response.status_code == 403, (method, url, response.text)
        assert "Email 0" not in response.text
    assert (await client.get(f"/organizations/{mine.id}/outbox")).status_code == 403
    async with db.transaction() as session:
        status = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.id == message.id)
        )
    assert status == "failed"


async def test_an_owner_retries_a_failed_email(client: httpx.AsyncClient, db: Database) -> None:
    mine, me, _ = await _setup(db)
    [message] = await _emails(db, mine, 1)
    await _fail(db, message)
    await sign_in(client, me.email)

    response = await client.post(f"{_base(mine)}/{message.id}/retry")

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["attempts"]) == ("queued", 1)
    assert body["message_id_header"] == message.message_id
    assert [a["outcome"] for a in body["delivery_log"]] == ["failed"]
    assert await _jobs(db, message) == ["todo", "todo"]  # the original and the retry's
    [event] = await _retry_events(db, message)
    assert (event.organization_id, event.actor_user_id) == (mine.id, me.id)
    assert event.target_type == "outbox_message"


async def test_retrying_an_email_that_is_not_failed_is_a_409_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, _ = await _setup(db)
    [queued, sent] = await _emails(db, mine, 2)
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == sent.id).values(status="sent")
        )
    await sign_in(client, me.email)

    for message, status in ((queued, "queued"), (sent, "sent")):
        response = await client.post(f"{_base(mine)}/{message.id}/retry")
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert status in response.json()["detail"]
        async with db.transaction() as session:
            stored = await session.get(OutboxMessage, message.id)
            assert stored is not None
            await session.refresh(stored)
            assert (stored.status, stored.attempts) == (status, 0)
        assert await _jobs(db, message) == ["todo"]
        assert await _retry_events(db, message) == []


# --- pages ----------------------------------------------------------------------------------------


async def test_the_outbox_pages_list_show_and_retry(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, _ = await _setup(db)
    [message] = await _emails(
        db, mine, 1, subject="Invitation <to> join", html="<script>alert(1)</script><p>Hi</p>"
    )
    await _fail(db, message, error="SMTPDataError: 550 mailbox <unknown>")
    await sign_in(client, me.email)

    listing = await client.get(f"/organizations/{mine.id}/outbox")
    assert listing.status_code == 200, listing.text
    assert "Invitation &lt;to&gt; join" in listing.text
    assert f"/organizations/{mine.id}/outbox/{message.id}" in listing.text
    assert "Failed" in listing.text
    filtered = await client.get(f"/organizations/{mine.id}/outbox", params={"status": "sent"})
    assert "Invitation &lt;to&gt; join" not in filtered.text

    page = await client.get(f"/organizations/{mine.id}/outbox/{message.id}")
    assert page.status_code == 200, page.text
    assert "Delivery log" in page.text
    assert "SMTPDataError: 550 mailbox &lt;unknown&gt;" in page.text
    assert "Retry delivery" in page.text
    # The HTML part is never inlined: only a sandboxed frame of its own route.
    assert "<script>alert(1)</script>" not in page.text
    html_url = f"/organizations/{mine.id}/outbox/{message.id}/html"
    assert f'<iframe src="{html_url}" sandbox' in page.text

    frame = await client.get(html_url)
    assert frame.status_code == 200
    assert frame.text == "<script>alert(1)</script><p>Hi</p>"
    csp = frame.headers["content-security-policy"]
    assert csp.startswith("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:;")
    assert "sandbox" in csp
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"

    retried = await client.post(f"/organizations/{mine.id}/outbox/{message.id}/retry")
    assert retried.status_code == 303, retried.text
    assert retried.headers["location"].startswith(f"/organizations/{mine.id}/outbox/{message.id}")
    assert [e.action for e in await _retry_events(db, message)] == ["email.retried"]
    again = await client.post(f"/organizations/{mine.id}/outbox/{message.id}/retry")
    assert again.status_code == 409
    assert "this one is queued" in again.text


async def test_the_organization_pages_link_the_outbox(
    client: httpx.AsyncClient, db: Database
) -> None:
    mine, me, _ = await _setup(db)
    await sign_in(client, me.email)
    response = await client.get(f"/organizations/{mine.id}/audit")
    assert response.status_code == 200
    assert f'href="/organizations/{mine.id}/outbox"' in response.text


async def test_an_email_without_html_has_no_frame(client: httpx.AsyncClient, db: Database) -> None:
    mine, me, _ = await _setup(db)
    [message] = await _emails(db, mine, 1)
    await sign_in(client, me.email)
    page = await client.get(f"/organizations/{mine.id}/outbox/{message.id}")
    assert "This email has no HTML part." in page.text
    assert "Retry delivery" not in page.text  # queued, not failed
    frame = await client.get(f"/organizations/{mine.id}/outbox/{message.id}/html")
    assert frame.status_code == 404
