"""Sending email: validate, store in the outbox and enqueue its delivery in one transaction;
reading the outbox."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import partial

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.config import Settings, get_settings
from hireflow.email_templates.service import effective_content, mail_profile
from hireflow.errors import Conflict, Invalid, NotFound
from hireflow.models import OutboxAttempt, OutboxMessage, User
from hireflow.notifications import repository, tracking
from hireflow.notifications.catalog import BRANDING_VARIABLES, CATALOG
from hireflow.notifications.mailer import mail_domain
from hireflow.notifications.rendering import PLATFORM_BRANDING, default_content, instrument, render
from hireflow.notifications.schemas import OutboxMessageSummary, OutboxPage
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
    organization_id: uuid.UUID | None = None,
) -> list[OutboxMessage]:
    """The outbox, newest first: the whole installation's (platform admins only: the caller
    checks), or one organization's when `organization_id` is given."""
    return await repository.list_messages(
        session,
        to=to,
        kind=kind,
        status=status,
        limit=limit,
        offset=offset,
        organization_id=organization_id,
    )


async def outbox_page(
    session: AsyncSession,
    *,
    to: str | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
    organization_id: uuid.UUID | None = None,
) -> OutboxPage:
    """One page of `list_outbox` for the API, with the offset of the next one."""
    messages = await list_outbox(
        session,
        to=to,
        kind=kind,
        status=status,
        limit=limit + 1,
        offset=offset,
        organization_id=organization_id,
    )
    return OutboxPage(
        items=[OutboxMessageSummary.model_validate(m) for m in messages[:limit]],
        next_offset=offset + limit if len(messages) > limit else None,
    )


async def get_outbox_message(
    session: AsyncSession, message_id: uuid.UUID, *, organization_id: uuid.UUID | None = None
) -> OutboxMessage:
    """One message; with `organization_id`, only that organization's (another's is a 404)."""
    message = await repository.get(session, message_id)
    if message is None or (
        organization_id is not None and message.organization_id != organization_id
    ):
        raise NotFound("No email in the outbox has this id.")
    return message


async def delivery_log(session: AsyncSession, message_id: uuid.UUID) -> list[OutboxAttempt]:
    """The message's delivery attempts, oldest first."""
    return await repository.attempts_of(session, message_id)


async def _requeue(session: AsyncSession, message_id: uuid.UUID) -> OutboxMessage:
    """A failed message back to `queued` with a new delivery job (attempts and Message-ID
    kept, so receivers still see one email); anything else is a 409 and nothing changes."""
    message = await repository.lock(session, message_id)
    if message is None:
        raise NotFound("No email in the outbox has this id.")
    if message.status != "failed":
        raise Conflict(
            f"Only a failed email can be retried; this one is {message.status}.",
            extra={"status": message.status},
        )
    message.status = "queued"
    await session.flush()
    await enqueue(session, deliver_email, message_id=str(message.id))
    return message


async def retry_organization_message(
    session: AsyncSession, ctx: Ctx, message_id: uuid.UUID, origin: Origin
) -> OutboxMessage:
    """Retry a failed email of `ctx`'s organization (another organization's is a 404)."""
    await get_outbox_message(session, message_id, organization_id=ctx.organization.id)
    message = await _requeue(session, message_id)
    await audit.record_by(
        session,
        ctx,
        "email.retried",
        origin=origin,
        target_type="outbox_message",
        target_id=message.id,
        data={"to": message.to_address, "kind": message.kind, "attempts": message.attempts},
    )
    return message


async def retry_platform_message(
    session: AsyncSession, admin: User, message_id: uuid.UUID, origin: Origin
) -> OutboxMessage:
    """Retry any failed email (platform admins only: the caller checks). Audited in the
    message's organization's log when it has one, else in the installation's."""
    message = await _requeue(session, message_id)
    await audit.record(
        session,
        "email.retried",
        origin=origin,
        actor=admin,
        organization_id=message.organization_id,
        target_type="outbox_message",
        target_id=message.id,
        data={
            "to": message.to_address,
            "kind": message.kind,
            "attempts": message.attempts,
            "by_platform_admin": True,
        },
    )
    return message


# --- templated email (notifications.catalog, email_templates) ------------------------------------

log = structlog.get_logger(__name__)


async def is_suppressed(session: AsyncSession, organization_id: uuid.UUID, address: str) -> bool:
    """Whether `address` unsubscribed from `organization_id`'s non-transactional mail."""
    return await repository.is_suppressed(session, organization_id, address)


async def suppressed_addresses(
    session: AsyncSession, organization_id: uuid.UUID, addresses: Collection[str]
) -> set[str]:
    """Which of `addresses` (lower-cased) unsubscribed from `organization_id`'s mail."""
    return await repository.suppressed_addresses(session, organization_id, addresses)


async def send_templated(
    session: AsyncSession,
    *,
    kind: str,
    to: str,
    variables: Mapping[str, str | int],
    organization_id: uuid.UUID | None,
    send_after: datetime | None = None,
    settings: Settings | None = None,
) -> OutboxMessage | None:
    """Send the email of `kind` (a key of `notifications.catalog`) to `to`: the organization's
    template or the default, rendered with `variables` and the organization's branding, with
    tracking when the kind is the organization's and it allows tracking, and an unsubscribe
    link on non-transactional mail. None (nothing sent) when the kind is not transactional and
    `to` unsubscribed from the organization. A kind or variable missing is a programming error
    (`ValueError`). `settings` (links, signing key) default to the process's."""
    entry = CATALOG.get(kind)
    if entry is None:
        raise ValueError(f"unknown email kind {kind!r}")
    given = set(variables)
    if organization_id is not None and entry.organization_scoped:
        given |= set(BRANDING_VARIABLES)  # the branding fills these in
    missing = set(entry.variables) - given
    if missing:
        raise ValueError(f"email {kind!r} needs the variables {sorted(missing)}")
    settings = settings or get_settings()
    address = check_address(to)
    if (
        not entry.transactional
        and organization_id is not None
        and await repository.is_suppressed(session, organization_id, address)
    ):
        log.info("email suppressed", kind=kind, organization_id=str(organization_id))
        return None

    profile = await mail_profile(session, organization_id) if organization_id else None
    look = profile.branding if profile is not None and entry.organization_scoped else None
    unsubscribe = (
        tracking.unsubscribe_url(settings, organization_id, address)
        if not entry.transactional and organization_id is not None
        else None
    )
    content = await effective_content(session, organization_id, entry)
    # `render` adds the branding's variables (organization_name, …) under the caller's.
    try:
        rendered = render(
            entry, content, variables, look or PLATFORM_BRANDING, unsubscribe_url=unsubscribe
        )
    except Invalid:
        if content == default_content(entry):
            raise
        # A saved template that no longer renders (say, a value too long for the subject):
        # the default still goes out rather than nothing.
        log.warning("email template failed, default used", kind=kind)
        rendered = render(
            entry,
            default_content(entry),
            variables,
            look or PLATFORM_BRANDING,
            unsubscribe_url=unsubscribe,
        )
    message_id = uuid.uuid4()
    html = rendered.html
    if profile is not None and profile.tracking and entry.organization_scoped:
        html = instrument(
            html,
            click_url=partial(tracking.click_url, settings, message_id),
            pixel_url=tracking.open_url(settings, message_id),
            keep=frozenset({unsubscribe} if unsubscribe else ()),
        )
    return await send_email(
        session,
        to=address,
        subject=rendered.subject,
        text=rendered.text,
        html=html,
        kind=kind,
        organization_id=organization_id,
        message_id=message_id,
        send_after=send_after,
        transactional=entry.transactional,
    )
