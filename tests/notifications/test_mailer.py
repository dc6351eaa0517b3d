"""Composing the email from an outbox row, choosing the mailer, and describing failures."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiosmtplib
import pytest

from hireflow.config import Settings
from hireflow.models import OutboxMessage
from hireflow.notifications.mailer import SmtpMailer, compose, mailer_for
from hireflow.notifications.tasks import describe_error, is_permanent

CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _row(**fields: object) -> OutboxMessage:
    values: dict[str, object] = {
        "id": uuid.uuid4(),
        "to_address": "ada@example.com",
        "subject": "Hello",
        "text_body": "Plain text",
        "html_body": None,
        "message_id": "<5f0c@hireflow.test>",
        "kind": "welcome",
        "created_at": CREATED,
        **fields,
    }
    return OutboxMessage(**values)


def test_the_email_carries_the_stored_message_id_and_creation_date() -> None:
    email = compose(_row(), mail_from="hireflow <no-reply@hireflow.test>")
    assert email["Message-ID"] == "<5f0c@hireflow.test>"
    assert email["From"] == "hireflow <no-reply@hireflow.test>"
    assert email["To"] == "ada@example.com"
    assert email["Subject"] == "Hello"
    assert parsedate_to_datetime(email["Date"]) == CREATED
    assert email.get_content_type() == "text/plain"
    assert email.get_content().strip() == "Plain text"


def test_an_html_body_becomes_an_alternative_part() -> None:
    email = compose(_row(html_body="<p>Rich</p>"), mail_from="no-reply@hireflow.test")
    assert email.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in email.iter_parts()]
    assert parts == ["text/plain", "text/html"]


def test_no_smtp_host_means_no_mailer(test_settings: Settings) -> None:
    assert mailer_for(test_settings.model_copy(update={"smtp_host": None})) is None


def test_the_smtp_mailer_takes_its_settings_and_hides_the_password(
    test_settings: Settings,
) -> None:
    settings = test_settings.model_copy(
        update={
            "smtp_host": "smtp.example.com",
            "smtp_port": 465,
            "smtp_username": "mailer",
            "smtp_password": "hunter2-secret",
            "smtp_security": "tls",
            "smtp_timeout_seconds": 3.0,
        }
    )
    mailer = mailer_for(settings)
    assert mailer == SmtpMailer(
        host="smtp.example.com",
        port=465,
        username="mailer",
        password="hunter2-secret",
        security="tls",
        timeout_seconds=3.0,
    )
    assert "hunter2-secret" not in repr(mailer)


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (aiosmtplib.SMTPDataError(451, "try later"), False),
        (aiosmtplib.SMTPDataError(554, "rejected"), True),
        (aiosmtplib.SMTPAuthenticationError(535, "bad credentials"), True),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "no such user", "ada@example.com")]
            ),
            True,
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(452, "mailbox full", "ada@example.com")]
            ),
            False,
        ),
        (aiosmtplib.SMTPConnectError("connection refused"), False),
        (aiosmtplib.SMTPReadTimeoutError("timed out"), False),
        (OSError("network unreachable"), False),
    ],
)
def test_only_5xx_replies_are_permanent(error: Exception, permanent: bool) -> None:
    assert is_permanent(error) is permanent


def test_an_error_is_one_short_line_without_the_smtp_password(test_settings: Settings) -> None:
    settings = test_settings.model_copy(update={"smtp_password": "hunter2-secret"})
    error = aiosmtplib.SMTPResponseException(
        421, "closing\r\nconnection for hunter2-secret " + "x" * 1000
    )
    described = describe_error(error, settings)
    assert described.startswith("SMTPResponseException: 421 closing connection for *** x")
    assert "hunter2-secret" not in described
    assert "\n" not in described
    assert len(described) == 500
