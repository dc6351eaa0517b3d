"""Sending email: validate, store in the outbox and enqueue its delivery in one transaction;
reading the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.config import get_settings
from hireflow.errors import Invalid, NotFound
from hireflow.models import OutboxMessage
from hireflow.notifications import repository
from hireflow.notifications.mailer import mail_domain
from hireflow.notifications.tasks import deliver_email
from hireflow.worker import enqueue

MAX_ADDRESS_LENGTH = 254  # RFC 5321: a path is at most 256 octets including "<" and ">"
MAX_SUBJECT_LENGTH = 300  # the column's size

# A dot-atom local part (no quoted strings, no comments) and a domain of dot-separated labels.
# Non-ASCII letters are allowed (SMTPUTF8 and internationalized domains); whitespace, control
# characters, and the separators that would smuggle in a second recipient are not.
_ATOM = r"[^\s\x00-\x1f\x7f()<>\[\]:;@\\,.\"]+"
_LABEL = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
_ADDRESS = re.compile(rf"(?:{_ATOM})(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+")
_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,59}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_address(to: str) -> str:
    """`to` as stored and sent, or `Invalid`. One bare address (`ada@example.com`): no display
    name, no list, and no CR/LF that could add headers."""
    if "\r" in to or "\n" in to:
        raise Invalid("An email address cannot contain line breaks.", extra={"field": "to"})
    if len(to) > MAX_ADDRESS_LENGTH or _ADDRESS.fullmatch(to) is None:
        raise Invalid(f"“{to[:100]}” is not a valid email address.", extra={"field": "to"})
    local, _, domain = to.rpartition("@")
    if len(local) > 64:
        raise Invalid(
            "The part before @ is too long (at most 64 characters).", extra={"field": "to"}
        )
    return f"{local}@{domain.lower()}"


def _check_subject(subject: str) -> str:
    if "\r" in subject or "\n" in subject:
        raise Invalid("A subject cannot contain line breaks.", extra={"field": "subject"})
    if _CONTROL.search(subject):
        raise Invalid("A subject cannot contain control characters.", extra={"field": "subject"})
    if not subject.strip():
        raise Invalid("A subject is required.", extra={"field": "subject"})
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise Invalid(
            f"A subject has at most {MAX_SUBJECT_LENGTH} characters.", extra={"field": "subject"}
        )
    return subject


def _check_body(body: str, field: str) -> None:
    if "\x00" in body:  # PostgreSQL text cannot hold NUL
        raise Invalid("An email body cannot contain NUL characters.", extra={"field": field})


async def send_email(
    session: AsyncSession,
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    kind: str,
    organization_id: uuid.UUID | None = None,
    message_id: uuid.UUID | None = None,
    send_after: datetime | None = None,
    transactional: bool = True,
) -> OutboxMessage:
    """Store the message in the outbox and enqueue its delivery, both in `session`'s
    transaction: a rolled-back change sends nothing, a committed one is delivered at least once
    (always with the same Message-ID). `kind` names the message (`verify_email`, …).
    `message_id` is the outbox row's id when the caller needs it before (tracking links);
    `send_after` delays the delivery; non-`transactional` mail honours unsubscribes."""
    address = check_address(to)
    subject = _check_subject(subject)
    _check_body(text, "text")
    if html is not None:
        _check_body(html, "html")
    if _KIND.fullmatch(kind) is None:
        raise Invalid(f"“{kind[:60]}” is not a valid message kind.", extra={"field": "kind"})

    domain = mail_domain(get_settings().mail_from)
    message = await repository.add(
        session,
        OutboxMessage(
            id=message_id or uuid.uuid4(),
            organization_id=organization_id,
            to_address=address,
            subject=subject,
            text_body=text,
            html_body=html,
            message_id=f"<{uuid.uuid4()}@{domain}>",
            kind=kind,
            status="queued",
            attempts=0,
            send_after=send_after,
            transactional=transactional,
        ),
    )
    await enqueue(session, deliver_email, message_id=str(message.id), schedule_at=send_after)
    return message


async def list_outbox(
    session: AsyncSession,
    *,
    to: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[OutboxMessage]:
    """The whole installation's outbox, newest first (platform admins only: the caller checks)."""
    return await repository.list_messages(
        session, to=to, kind=kind, status=status, limit=limit, offset=offset
    )


async def get_outbox_message(session: AsyncSession, message_id: uuid.UUID) -> OutboxMessage:
    message = await repository.get(session, message_id)
    if message is None:
        raise NotFound("No email in the outbox has this id.")
    return message
