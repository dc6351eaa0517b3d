"""Delivery by the worker: exactly one email per message, with its stored Message-ID, through
a real SMTP server on loopback; retries on temporary failures, `failed` in the end, `stored`
without SMTP, and nothing sent twice."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy import text

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import OutboxMessage
from hireflow.notifications.service import send_email
from hireflow.notifications.tasks import deliver_email
from hireflow.worker import DEFAULT_RETRY, enqueue
from tests.fakes.smtp_server import SmtpServer
from tests.notifications.conftest import WorkerRun


async def _send(database: Database, to: str, **overrides: object) -> OutboxMessage:
    fields: dict[str, object] = {
        "subject": "Confirm your email address",
        "text": "Hello,\n\nconfirm your address: https://hireflow.test/verify?token=abc\n",
        "html": "<p>Hello,</p><p><a href='https://hireflow.test/verify?token=abc'>Confirm</a></p>",
        "kind": "verify_email",
        **overrides,
    }
    async with database.transaction() as session:
        return await send_email(session, to=to, **fields)  # type: ignore[arg-type]


async def _message(database: Database, message_id: uuid.UUID) -> OutboxMessage:
    async with database.transaction() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def _jobs(database: Database, message: OutboxMessage) -> list[tuple[str, int]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id "
                "ORDER BY id"
            ),
            {"id": str(message.id)},
        )
        return [(row[0], row[1]) for row in rows]


async def _make_retry_due(database: Database, message: OutboxMessage) -> None:
    """Pretend the backoff wait is over, so the next worker run picks the job up."""
    async with database.transaction() as session:
        await session.execute(
            text(
                "UPDATE procrastinate_jobs SET scheduled_at = now() "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id"
            ),
            {"id": str(message.id)},
        )


async def test_a_committed_message_is_delivered_once_with_its_stored_message_id(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    to = new_address()
    stored = await _send(committed_db, to)

    await run_worker_once(smtp_server.settings(test_settings))

    [received] = smtp_server.received
    assert received.recipients == [to]
    email = received.message
    assert email["Message-ID"] == stored.message_id
    assert email["Subject"] == "Confirm your email address"
    assert email["To"] == to
    assert email["From"] == test_settings.mail_from
    assert email["Date"] is not None
    assert email.get_content_type() == "multipart/alternative"
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert plain is not None
    assert html is not None
    assert "confirm your address: https://hireflow.test/verify?token=abc" in plain.get_content()
    assert "<a href='https://hireflow.test/verify?token=abc'>Confirm</a>" in html.get_content()

    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, None)
    assert message.sent_at is not None
    assert await _jobs(committed_db, stored) == [("succeeded", 1)]


async def test_a_text_only_message_is_a_single_plain_part(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    await _send(committed_db, new_address(), html=None, subject="Grüße – ünïcode")
    await run_worker_once(smtp_server.settings(test_settings))
    [email] = smtp_server.messages
    assert email.get_content_type() == "text/plain"
    assert email["Subject"] == "Grüße – ünïcode"


async def test_the_worker_signs_in_to_the_smtp_server_when_credentials_are_set(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(credentials=("mailer", "s3cret-pass")) as server:
        stored = await _send(committed_db, new_address())
        await run_worker_once(server.settings(test_settings))
        [received] = server.received
        assert received.login == "mailer"
        assert received.message["Message-ID"] == stored.message_id


async def test_wrong_smtp_credentials_fail_at_once_without_revealing_the_password(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(credentials=("mailer", "right-pass")) as server:
        stored = await _send(committed_db, new_address())
        await run_worker_once(server.settings(test_settings, smtp_password="wrong-pass-123"))
        assert server.messages == []

    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error is not None
    assert message.last_error.startswith("SMTPAuthenticationError: 535")
    assert "wrong-pass-123" not in message.last_error
    # A rejection (5xx) is final: the job is not retried.
    assert await _jobs(committed_db, stored) == [("succeeded", 1)]


async def test_after_a_temporary_failure_the_retry_delivers_the_same_email_once(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(fail_first=1) as server:
        settings = server.settings(test_settings)
        stored = await _send(committed_db, new_address())

        await run_worker_once(settings)
        assert server.messages == []
        message = await _message(committed_db, stored.id)
        assert (message.status, message.attempts) == ("queued", 1)
        assert message.last_error is not None
        assert message.last_error.startswith("SMTPDataError: 451")
        assert await _jobs(committed_db, stored) == [("todo", 1)]

        await _make_retry_due(committed_db, stored)
        await run_worker_once(settings)

        assert server.attempts == 2
        assert [m["Message-ID"] for m in server.messages] == [stored.message_id]
    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("sent", 2)
    assert await _jobs(committed_db, stored) == [("succeeded", 2)]


async def test_a_message_that_keeps_failing_is_failed_after_the_last_attempt(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    assert DEFAULT_RETRY.max_attempts is not None
    attempts = DEFAULT_RETRY.max_attempts + 1  # the first run and every retry
    with SmtpServer(fail_first=1000) as server:
        settings = server.settings(test_settings)
        stored = await _send(committed_db, new_address())
        for run in range(1, attempts + 1):
            await run_worker_once(settings)
            message = await _message(committed_db, stored.id)
            assert message.attempts == run
            assert message.status == ("failed" if run == attempts else "queued")
            await _make_retry_due(committed_db, stored)
        await run_worker_once(settings)  # nothing is left to run
        assert server.attempts == attempts
        assert server.messages == []

    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("failed", attempts)
    assert message.last_error is not None
    assert "451" in message.last_error
    assert message.sent_at is None
    # The job ends failed too, where operators look for failed jobs.
    assert await _jobs(committed_db, stored) == [("failed", attempts)]


async def test_a_rejected_recipient_fails_at_once(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(fail_first=1, failure_reply="550 5.1.1 No such mailbox") as server:
        stored = await _send(committed_db, new_address())
        await run_worker_once(server.settings(test_settings))
        assert server.attempts == 1

    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == "SMTPDataError: 550 5.1.1 No such mailbox"


async def test_an_unreachable_server_is_a_temporary_failure(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer() as server:
        settings = server.settings(test_settings)
    # The server is stopped: nothing listens on its port any more.
    stored = await _send(committed_db, new_address())
    await run_worker_once(settings)

    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error is not None
    assert await _jobs(committed_db, stored) == [("todo", 1)]


async def test_without_smtp_the_message_is_stored_and_nothing_is_sent(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    assert test_settings.smtp_host is None
    stored = await _send(committed_db, new_address())

    await run_worker_once(test_settings)

    assert smtp_server.attempts == 0
    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts, message.sent_at) == ("stored", 0, None)
    assert await _jobs(committed_db, stored) == [("succeeded", 1)]


async def test_running_the_delivery_again_sends_nothing_more(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    settings = smtp_server.settings(test_settings)
    stored = await _send(committed_db, new_address())
    await run_worker_once(settings)
    # At-least-once delivery: the same job may run again (say its worker died after sending).
    async with committed_db.transaction() as session:
        await enqueue(session, deliver_email, message_id=str(stored.id))
    await run_worker_once(settings)

    assert len(smtp_server.messages) == 1
    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("sent", 1)
    assert await _jobs(committed_db, stored) == [("succeeded", 1), ("succeeded", 1)]
