"""Delivering outbox messages: one job per message, retried with backoff on temporary
failures, idempotent (a message already sent, stored or failed is left alone). Every attempt
writes one row of the delivery log (`OutboxAttempt`) in the transaction of its status change."""

from __future__ import annotations

import uuid

import aiosmtplib
import structlog
from procrastinate import JobContext

from hireflow.config import Settings
from hireflow.kit.clock import now
from hireflow.notifications import repository
from hireflow.notifications.mailer import compose, mailer_for
from hireflow.worker import enqueue, job_database, job_settings, task, will_retry

log = structlog.get_logger(__name__)

MAX_ERROR_LENGTH = 500  # the column's size


def is_permanent(exc: BaseException) -> bool:
    """A 5xx reply is the server's final answer (RFC 5321 §4.2.1): retrying cannot help."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(500 <= r.code < 600 for r in exc.recipients)
    return isinstance(exc, aiosmtplib.SMTPResponseException) and 500 <= exc.code < 600


def describe_error(exc: BaseException, settings: Settings) -> str:
    """One line for `last_error`: the exception type and the server's reply, never a secret."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        detail = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        detail = f"{exc.code} {exc.message}"
    else:
        detail = str(exc)
    detail = " ".join(detail.split())  # one line
    if settings.smtp_password:
        detail = detail.replace(settings.smtp_password, "***")
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text[:MAX_ERROR_LENGTH]


@task(name="notifications.deliver_email", pass_context=True)
async def deliver_email(context: JobContext, message_id: str) -> None:
    """Send outbox message `message_id` (its row id). A temporary failure is raised, so the job
    is retried with backoff; the message is marked `failed` after the last attempt, or at once
    when the server rejects it (5xx), which is not retried. A run before the message's
    `send_after` (a scheduled job run early by hand) sends nothing: it defers a new job to then."""
    settings = job_settings(context)
    try:
        row_id = uuid.UUID(message_id)
    except ValueError:
        log.warning("email delivery job with a malformed id", outbox_message_id=message_id)
        return
    failure: Exception | None = None
    # The row stays locked while the message is handed to the server (at most the SMTP
    # timeout), so a concurrent re-run of this job waits, then finds it sent.
    async with job_database(context).transaction() as session:
        message = await repository.lock(session, row_id)
        if message is None:
            log.warning("email to deliver not found", outbox_message_id=message_id)
            return
        if message.status != "queued":
            log.info("email already handled", outbox_message_id=message_id, status=message.status)
            return
        if message.send_after is not None and message.send_after > now():
            await enqueue(
                session, deliver_email, message_id=message_id, schedule_at=message.send_after
            )
            log.info(
                "email not due yet; deferred",
                outbox_message_id=message_id,
                send_after=message.send_after.isoformat(),
            )
            return
        mailer = mailer_for(settings)
        if mailer is None:
            message.status = "stored"
            await repository.add_attempt(
                session, message, attempt=message.attempts + 1, outcome="stored"
            )
            log.info("email stored (no SMTP configured)", outbox_message_id=message_id)
            return
        message.attempts += 1
        try:
            await mailer.send(compose(message, mail_from=settings.mail_from, settings=settings))
        except Exception as exc:
            message.last_error = describe_error(exc, settings)
            permanent = is_permanent(exc)
            final = permanent or not will_retry(deliver_email, exc, context)
            await repository.add_attempt(
                session,
                message,
                attempt=message.attempts,
                outcome="failed" if final else "retry",
                detail=message.last_error,
            )
            if final:
                message.status = "failed"
                log.warning(
                    "email delivery failed for good",
                    outbox_message_id=message_id,
                    attempts=message.attempts,
                    error=message.last_error,
                )
            else:
                log.info(
                    "email delivery failed; will retry",
                    outbox_message_id=message_id,
                    attempts=message.attempts,
                    error=message.last_error,
                )
            # A rejection (5xx) ends here; anything else is raised so the job is retried, or,
            # after its last attempt, ends `failed` in the queue too.
            failure = None if permanent else exc
        else:
            message.status = "sent"
            message.sent_at = now()
            await repository.add_attempt(session, message, attempt=message.attempts, outcome="sent")
            log.info("email sent", outbox_message_id=message_id, kind=message.kind)
    if failure is not None:
        # After the commit above, so attempts, last_error and status are kept.
        raise failure
