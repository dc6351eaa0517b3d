"""Platform admins see the delivery log and tracking of any email and retry a failed one, in the
API and on the outbox page; anyone else gets 403 and nothing changes."""

from __future__ import annotations

import httpx
from sqlalchemy import select, text, update

from hireflow.db import Database
from hireflow.models import AuditEvent, OutboxAttempt, OutboxMessage
from tests.factories.users import make_user, sign_in
from tests.notifications.test_outbox_api import BASE, _outbox, _sign_in_platform_admin

HTML = {"accept": "text/html"}


async def _fail(db: Database, message: OutboxMessage) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(status="failed", attempts=2, last_error="SMTPDataError: 451 busy", open_count=0)
        )
        session.add(OutboxAttempt(message_id=message.id, attempt=1, outcome="retry", detail="x"))
        session.add(
            OutboxAttempt(
                message_id=message.id, attempt=2, outcome="failed", detail="SMTPDataError: 451 busy"
            )
        )


async def _state(db: Database, message: OutboxMessage) -> tuple[str, int, int]:
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(OutboxMessage.status, OutboxMessage.attempts).where(
                    OutboxMessage.id == message.id
                )
            )
        ).one()
        jobs = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id"
            ),
            {"id": str(message.id)},
        )
    return row[0], row[1], int(jobs or 0)


async def test_an_admin_reads_the_delivery_log_and_retries_a_failed_email(
    client: httpx.AsyncClient, db: Database
) -> None:
    [message] = await _outbox(db, 1)
    await _fail(db, message)
    admin = await _sign_in_platform_admin(client, db)

    detail = (await client.get(f"{BASE}/{message.id}")).json()
    assert [(a["attempt"], a["outcome"]) for a in detail["delivery_log"]] == [
        (1, "retry"),
        (2, "failed"),
    ]
    assert (detail["open_count"], detail["click_count"], detail["opened_at"]) == (0, 0, None)

    response = await client.post(f"{BASE}/{message.id}/retry")
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["attempts"]) == ("queued", 2)
    assert await _state(db, message) == ("queued", 2, 2)
    async with db.transaction() as session:
        [event] = (
            await session.scalars(select(AuditEvent).where(AuditEvent.target_id == str(message.id)))
        ).all()
    assert (event.action, event.actor_user_id) == ("email.retried", admin.id)

    again = await client.post(f"{BASE}/{message.id}/retry")
    assert again.status_code == 409
    assert await _state(db, message) == ("queued", 2, 2)


async def test_someone_who_is_not_a_platform_admin_cannot_retry(
    client: httpx.AsyncClient, db: Database
) -> None:
    [message] = await _outbox(db, 1)
    await _fail(db, message)
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)

    response = await client.post(f"{BASE}/{message.id}/retry")
    assert response.status_code == 403
    assert (await client.post(f"/platform/outbox/{message.id}/retry")).status_code == 403
    assert await _state(db, message) == ("failed", 2, 1)


async def test_the_platform_message_page_shows_the_log_and_a_retry_button(
    client: httpx.AsyncClient, db: Database
) -> None:
    [message] = await _outbox(db, 1)
    await _fail(db, message)
    await _sign_in_platform_admin(client, db)

    page = await client.get(f"/platform/outbox/{message.id}", headers=HTML)
    assert page.status_code == 200, page.text
    assert "Delivery log" in page.text
    assert "SMTPDataError: 451 busy" in page.text
    assert f'action="/platform/outbox/{message.id}/retry"' in page.text

    retried = await client.post(f"/platform/outbox/{message.id}/retry", headers=HTML)
    assert retried.status_code == 303, retried.text
    assert await _state(db, message) == ("queued", 2, 2)
    page = await client.get(f"/platform/outbox/{message.id}", headers=HTML)
    assert "Retry delivery" not in page.text
