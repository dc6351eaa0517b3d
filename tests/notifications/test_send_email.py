"""`send_email`: the message and its delivery job are written in the caller's transaction,
with a stable Message-ID; bad addresses and header injection are refused with nothing stored."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy import func, select, text

from hireflow.config import get_settings
from hireflow.db import Database
from hireflow.errors import Invalid
from hireflow.models import OutboxMessage
from hireflow.notifications.mailer import mail_domain
from hireflow.notifications.service import check_address, send_email


async def _outbox_and_jobs(database: Database) -> tuple[int, int]:
    async with database.transaction() as session:
        messages = await session.scalar(select(func.count()).select_from(OutboxMessage))
        jobs = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email'"
            )
        )
        return int(messages or 0), int(jobs or 0)


async def _jobs_for(database: Database, message_id: object) -> list[str]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT status::text FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id"
            ),
            {"id": str(message_id)},
        )
        return [row[0] for row in rows]


async def test_a_committed_message_is_stored_queued_with_exactly_one_delivery_job(
    committed_db: Database, new_address: Callable[[], str]
) -> None:
    to = new_address()
    async with committed_db.transaction() as session:
        message = await send_email(session, to=to, subject="Welcome", text="Hello", kind="welcome")

    async with committed_db.transaction() as session:
        stored = await session.get(OutboxMessage, message.id)
    assert stored is not None
    assert (stored.to_address, stored.subject, stored.text_body, stored.html_body) == (
        to,
        "Welcome",
        "Hello",
        None,
    )
    assert (stored.kind, stored.status, stored.attempts, stored.organization_id) == (
        "welcome",
        "queued",
        0,
        None,
    )
    assert await _jobs_for(committed_db, message.id) == ["todo"]


async def test_a_rolled_back_transaction_leaves_no_message_and_no_job(
    committed_db: Database, new_address: Callable[[], str]
) -> None:
    to = new_address()
    message_ids = []

    async def send_then_fail() -> None:
        async with committed_db.transaction() as session:
            message = await send_email(session, to=to, subject="Hi", text="Hi", kind="welcome")
            message_ids.append(message.id)
            raise RuntimeError("the business change failed")

    with pytest.raises(RuntimeError, match="business change"):
        await send_then_fail()

    async with committed_db.transaction() as session:
        found = await session.scalar(select(func.count()).where(OutboxMessage.to_address == to))
    assert found == 0
    assert await _jobs_for(committed_db, message_ids[0]) == []


async def test_the_message_id_is_a_unique_rfc5322_id_on_the_sender_domain(db: Database) -> None:
    async with db.transaction() as session:
        first = await send_email(session, to="a@example.com", subject="1", text="1", kind="k")
        second = await send_email(session, to="a@example.com", subject="2", text="2", kind="k")
    domain = mail_domain(get_settings().mail_from)
    pattern = rf"<[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}@{domain}>"
    assert re.fullmatch(pattern, first.message_id)
    assert re.fullmatch(pattern, second.message_id)
    assert first.message_id != second.message_id


def test_the_mail_domain_comes_from_the_sender_address() -> None:
    assert mail_domain("hireflow <no-reply@Mail.Example.com>") == "mail.example.com"
    assert mail_domain("no-reply@example.org") == "example.org"
    assert mail_domain("hireflow") == "hireflow.invalid"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada.Lovelace+jobs@Example.COM", "Ada.Lovelace+jobs@example.com"),
        ("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"),
        ("jürgen@exämple.de", "jürgen@exämple.de"),
    ],
)
def test_valid_addresses_are_accepted_with_the_domain_lowercased(given: str, stored: str) -> None:
    assert check_address(given) == stored


BAD_ADDRESSES = [
    "",
    "ada",
    "ada@",
    "@example.com",
    "ada@example",
    "ada@@example.com",
    "ada @example.com",
    " ada@example.com",
    "ada@example.com ",
    "Ada <ada@example.com>",
    "ada@example.com, eve@example.com",
    "ada@example.com;eve@example.com",
    "ada..lovelace@example.com",
    ".ada@example.com",
    "ada@-example.com",
    "ada@example..com",
    "ada@exa_mple.com",
    "ada@example.com\r\nBcc: eve@example.com",
    "ada@example.com\nBcc: eve@example.com",
    "ada\x00@example.com",
    "a" * 65 + "@example.com",
    "ada@" + "a" * 250 + ".com",
]


@pytest.mark.parametrize("to", BAD_ADDRESSES)
async def test_a_bad_address_is_invalid_and_nothing_is_stored(db: Database, to: str) -> None:
    before = await _outbox_and_jobs(db)
    with pytest.raises(Invalid) as raised:
        async with db.transaction() as session:
            await send_email(session, to=to, subject="Hi", text="Hi", kind="welcome")
    assert raised.value.status == 422
    assert raised.value.extra == {"field": "to"}
    assert await _outbox_and_jobs(db) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"subject": "Hi\r\nBcc: eve@example.com"}, "subject"),
        ({"subject": "Hi\nBcc: eve@example.com"}, "subject"),
        ({"subject": "Hi\rthere"}, "subject"),
        ({"subject": "Hi\x00"}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 301}, "subject"),
        ({"text": "NUL \x00 inside"}, "text"),
        ({"html": "<p>\x00</p>"}, "html"),
        ({"kind": ""}, "kind"),
        ({"kind": "Verify Email"}, "kind"),
        ({"kind": "k" * 61}, "kind"),
    ],
)
async def test_header_injection_and_bad_fields_are_invalid_and_nothing_is_stored(
    db: Database, fields: dict[str, str], field: str
) -> None:
    before = await _outbox_and_jobs(db)
    values = {"subject": "Hi", "text": "Hi", "kind": "welcome", **fields}
    with pytest.raises(Invalid) as raised:
        async with db.transaction() as session:
            await send_email(session, to="ada@example.com", **values)  # type: ignore[arg-type]
    assert raised.value.status == 422
    assert raised.value.extra == {"field": field}
    assert await _outbox_and_jobs(db) == before
