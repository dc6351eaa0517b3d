"""The delivery log: one `OutboxAttempt` per delivery attempt, written with the status change;
scheduled mail (`send_after`) is never sent early; TLS certificate checks are configurable;
a failed message retried by an admin is delivered with the same Message-ID."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import aiosmtplib
import pytest
from sqlalchemy import select, text

from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.errors import Conflict
from hireflow.kit.clock import now
from hireflow.models import AuditEvent, OutboxAttempt, OutboxMessage, User
from hireflow.notifications import service
from hireflow.notifications.mailer import SmtpMailer, compose, mailer_for
from hireflow.notifications.service import send_email
from hireflow.notifications.tasks import deliver_email
from hireflow.worker import DEFAULT_RETRY, enqueue
from tests.factories.users import make_user
from tests.fakes.smtp_server import SmtpServer
from tests.notifications.conftest import WorkerRun

Log = list[tuple[int, str, str | None]]


async def _send(database: Database, to: str, **fields: object) -> OutboxMessage:
    async with database.transaction() as session:
        return await send_email(
            session,
            to=to,
            subject="Your interview",
            text="See you on Monday.",
            kind="interview_invitation",
            **fields,  # type: ignore[arg-type]
        )


async def _message(database: Database, message_id: uuid.UUID) -> OutboxMessage:
    async with database.transaction() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def _log(database: Database, message_id: uuid.UUID) -> Log:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.message_id == message_id)
            .order_by(OutboxAttempt.attempt, OutboxAttempt.created_at)
        )
        return [(row.attempt, row.outcome, row.detail) for row in rows]


async def _jobs(database: Database, message_id: uuid.UUID) -> list[tuple[str, datetime]]:
    async with database.transaction() as session:
        rows = await session.execute(
            text(
                "SELECT status::text, scheduled_at FROM procrastinate_jobs "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id "
                "ORDER BY id"
            ),
            {"id": str(message_id)},
        )
        return [(row[0], row[1]) for row in rows]


async def _make_due(database: Database, message_id: uuid.UUID) -> None:
    async with database.transaction() as session:
        await session.execute(
            text(
                "UPDATE procrastinate_jobs SET scheduled_at = now() "
                "WHERE task_name = 'notifications.deliver_email' AND args->>'message_id' = :id "
                "AND status = 'todo'"
            ),
            {"id": str(message_id)},
        )


async def test_a_sent_message_logs_one_sent_attempt(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    stored = await _send(committed_db, new_address())
    await run_worker_once(smtp_server.settings(test_settings))

    assert len(smtp_server.messages) == 1
    assert await _log(committed_db, stored.id) == [(1, "sent", None)]


async def test_a_stored_message_logs_one_stored_attempt(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    assert test_settings.smtp_host is None
    stored = await _send(committed_db, new_address())
    await run_worker_once(test_settings)

    assert (await _message(committed_db, stored.id)).status == "stored"
    assert await _log(committed_db, stored.id) == [(1, "stored", None)]


async def test_a_temporary_failure_then_success_logs_retry_then_sent(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(fail_first=1) as server:
        settings = server.settings(test_settings)
        stored = await _send(committed_db, new_address())
        await run_worker_once(settings)
        [(attempt, outcome, detail)] = await _log(committed_db, stored.id)
        assert (attempt, outcome) == (1, "retry")
        assert detail is not None
        assert detail.startswith("SMTPDataError: 451")

        await _make_due(committed_db, stored.id)
        await run_worker_once(settings)
        assert [m["Message-ID"] for m in server.messages] == [stored.message_id]

    log = await _log(committed_db, stored.id)
    assert [(a, o) for a, o, _ in log] == [(1, "retry"), (2, "sent")]
    assert (await _message(committed_db, stored.id)).status == "sent"


async def test_a_permanent_rejection_logs_one_failed_attempt(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(fail_first=1, failure_reply="554 5.7.1 Message rejected") as server:
        stored = await _send(committed_db, new_address())
        await run_worker_once(server.settings(test_settings))

    assert await _log(committed_db, stored.id) == [
        (1, "failed", "SMTPDataError: 554 5.7.1 Message rejected")
    ]
    assert (await _message(committed_db, stored.id)).status == "failed"


async def test_the_last_temporary_failure_is_logged_failed(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    assert DEFAULT_RETRY.max_attempts is not None
    runs = DEFAULT_RETRY.max_attempts + 1
    with SmtpServer(fail_first=1000) as server:
        settings = server.settings(test_settings)
        stored = await _send(committed_db, new_address())
        for _ in range(runs):
            await run_worker_once(settings)
            await _make_due(committed_db, stored.id)

    log = await _log(committed_db, stored.id)
    assert [(a, o) for a, o, _ in log] == [
        *[(n, "retry") for n in range(1, runs)],
        (runs, "failed"),
    ]
    assert all(detail is not None and "451" in detail for _, _, detail in log)


async def test_a_job_that_finds_the_message_handled_logs_nothing(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    settings = smtp_server.settings(test_settings)
    stored = await _send(committed_db, new_address())
    await run_worker_once(settings)
    async with committed_db.transaction() as session:
        await enqueue(session, deliver_email, message_id=str(stored.id))
    await run_worker_once(settings)

    assert len(smtp_server.messages) == 1
    assert await _log(committed_db, stored.id) == [(1, "sent", None)]


async def test_scheduled_mail_is_queued_for_its_time_and_never_sent_early(
    committed_db: Database,
    smtp_server: SmtpServer,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    settings = smtp_server.settings(test_settings)
    send_after = (now() + timedelta(hours=2)).replace(microsecond=0)
    stored = await _send(committed_db, new_address(), send_after=send_after)

    [(status, scheduled_at)] = await _jobs(committed_db, stored.id)
    assert (status, scheduled_at) == ("todo", send_after)
    await run_worker_once(settings)  # not due: nothing runs
    assert smtp_server.attempts == 0

    # Run early by hand (say an operator retried the job): it sends nothing and defers a
    # new job to the message's time.
    await _make_due(committed_db, stored.id)
    await run_worker_once(settings)

    assert smtp_server.attempts == 0
    message = await _message(committed_db, stored.id)
    assert (message.status, message.attempts) == ("queued", 0)
    assert await _log(committed_db, stored.id) == []
    jobs = await _jobs(committed_db, stored.id)
    assert [status for status, _ in jobs] == ["succeeded", "todo"]
    assert jobs[1][1] == send_after


async def _admin(database: Database) -> User:
    async with database.transaction() as session:
        return await make_user(session, email=f"admin-{uuid.uuid4().hex[:8]}@outbox.test")


async def test_a_failed_message_retried_by_an_admin_is_delivered_with_the_same_message_id(
    committed_db: Database,
    run_worker_once: WorkerRun,
    test_settings: Settings,
    new_address: Callable[[], str],
) -> None:
    with SmtpServer(fail_first=1, failure_reply="550 5.1.1 No such mailbox") as server:
        settings = server.settings(test_settings)
        stored = await _send(committed_db, new_address())
        await run_worker_once(settings)
        assert (await _message(committed_db, stored.id)).status == "failed"
        admin = await _admin(committed_db)
        try:
            async with committed_db.transaction() as session:
                retried = await service.retry_platform_message(session, admin, stored.id, SYSTEM)
                assert (retried.status, retried.attempts) == ("queued", 1)
            assert [s for s, _ in await _jobs(committed_db, stored.id)] == ["succeeded", "todo"]

            await run_worker_once(settings)

            assert [m["Message-ID"] for m in server.messages] == [stored.message_id]
            message = await _message(committed_db, stored.id)
            assert (message.status, message.attempts) == ("sent", 2)
            assert [(a, o) for a, o, _ in await _log(committed_db, stored.id)] == [
                (1, "failed"),
                (2, "sent"),
            ]
            async with committed_db.transaction() as session:
                [event] = (
                    await session.scalars(
                        select(AuditEvent).where(AuditEvent.target_id == str(stored.id))
                    )
                ).all()
            assert (event.action, event.actor_user_id) == ("email.retried", admin.id)
        finally:
            # The audit event stays (the log is append-only); the admin goes.
            async with committed_db.transaction() as session:
                await session.execute(text('DELETE FROM "user" WHERE id = :id'), {"id": admin.id})


async def test_only_a_failed_message_can_be_retried(
    db: Database, new_address: Callable[[], str]
) -> None:
    stored = await _send(db, new_address())
    admin = await _admin(db)
    with pytest.raises(Conflict):
        async with db.transaction() as session:
            await service.retry_platform_message(session, admin, stored.id, SYSTEM)
    assert (await _message(db, stored.id)).status == "queued"


# --- TLS options ----------------------------------------------------------------------------------


def test_validate_certs_comes_from_the_settings(test_settings: Settings) -> None:
    settings = test_settings.model_copy(
        update={"smtp_host": "relay.internal", "smtp_validate_certs": False}
    )
    mailer = mailer_for(settings)
    assert isinstance(mailer, SmtpMailer)
    assert mailer.validate_certs is False
    assert (
        SmtpMailer.from_settings(
            test_settings.model_copy(update={"smtp_host": "smtp.example.com"})
        ).validate_certs
        is True
    )


def _email() -> OutboxMessage:
    return OutboxMessage(
        id=uuid.uuid4(),
        to_address="ada@example.com",
        subject="TLS",
        text_body="over TLS",
        html_body=None,
        message_id=f"<{uuid.uuid4()}@hireflow.test>",
        kind="welcome",
        created_at=now(),
    )


async def test_a_self_signed_server_is_refused_unless_validation_is_off(
    test_settings: Settings,
) -> None:
    with SmtpServer(implicit_tls=True) as server:
        settings = server.settings(test_settings)
        assert settings.smtp_security == "tls"
        email = compose(_email(), mail_from=settings.mail_from)

        checking = SmtpMailer.from_settings(settings)
        with pytest.raises((aiosmtplib.SMTPConnectError, ssl.SSLError)):
            await checking.send(email)
        assert server.messages == []

        trusting = SmtpMailer.from_settings(
            settings.model_copy(update={"smtp_validate_certs": False})
        )
        await trusting.send(email)
        [received] = server.messages
        assert received["Message-ID"] == email["Message-ID"]
