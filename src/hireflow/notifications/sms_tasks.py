"""Delivering text messages: one job per message, retried with backoff on temporary failures,
idempotent (a message already sent or failed is left alone)."""

from __future__ import annotations

import uuid

import structlog
from procrastinate import JobContext

from hireflow.config import Settings
from hireflow.kit.clock import now
from hireflow.notifications import sms_repository
from hireflow.notifications.sms import SmsError, sms_sender_for
from hireflow.worker import job_database, job_settings, task, will_retry

log = structlog.get_logger(__name__)

MAX_ERROR_LENGTH = 500  # the column's size


def is_permanent(exc: BaseException) -> bool:
    """The provider refused this message (4xx): retrying cannot help. Anything else (timeouts,
    429, 5xx, a bug) is worth another attempt."""
    return isinstance(exc, SmsError) and exc.permanent


def describe_error(exc: BaseException, settings: Settings) -> str:
    """One line for `last_error`: the exception type and the provider's answer, never the
    auth token."""
    detail = " ".join(str(exc).split())
    if settings.twilio_auth_token is not None:
        token = settings.twilio_auth_token.get_secret_value()
        if token:
            detail = detail.replace(token, "***")
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return text[:MAX_ERROR_LENGTH]


@task(name="notifications.deliver_sms", pass_context=True)
async def deliver_sms(context: JobContext, message_id: str) -> None:
    """Send text message `message_id` (its row id). A temporary failure is raised, so the job
    is retried with backoff; the message is marked `failed` after the last attempt, or at once
    when the provider refuses it (4xx), which is not retried."""
    settings = job_settings(context)
    try:
        row_id = uuid.UUID(message_id)
    except ValueError:
        log.warning("sms delivery job with a malformed id", sms_message_id=message_id)
        return
    failure: Exception | None = None
    # The row stays locked while the provider is called (at most the SMS timeout), so a
    # concurrent re-run of this job waits, then finds it sent.
    async with job_database(context).transaction() as session:
        message = await sms_repository.lock(session, row_id)
        if message is None:
            log.warning("sms to deliver not found", sms_message_id=message_id)
            return
        if message.status != "queued":
            log.info("sms already handled", sms_message_id=message_id, status=message.status)
            return
        message.attempts += 1
        try:
            sender = sms_sender_for(settings)
            if sender is None:
                # Queued while SMS was on, delivered after it was turned off: nothing can send.
                raise SmsError("text messages are turned off (HIREFLOW_SMS_PROVIDER=none)", True)
            provider_id = await sender.send(message.to_number, message.body)
        except Exception as exc:
            message.last_error = describe_error(exc, settings)
            permanent = is_permanent(exc)
            if permanent or not will_retry(deliver_sms, exc, context):
                message.status = "failed"
                log.warning(
                    "sms delivery failed for good",
                    sms_message_id=message_id,
                    attempts=message.attempts,
                    error=message.last_error,
                )
            else:
                log.info(
                    "sms delivery failed; will retry",
                    sms_message_id=message_id,
                    attempts=message.attempts,
                    error=message.last_error,
                )
            # A refusal ends here; anything else is raised so the job is retried, or, after
            # its last attempt, ends `failed` in the queue too.
            failure = None if permanent else exc
        else:
            message.status = "sent"
            message.provider_message_id = provider_id
            message.sent_at = now()
            last_digits = message.to_number[-2:]
            log.info(
                "sms sent",
                sms_message_id=message_id,
                kind=message.kind,
                to_ending=last_digits,
                length=len(message.body),
                provider_message_id=provider_id,
            )
    if failure is not None:
        # After the commit above, so attempts, last_error and status are kept.
        raise failure
