"""Turning an outbox row into an RFC 5322 email, and the SMTP client that sends it."""

from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Literal, Protocol

import aiosmtplib

from hireflow.config import Settings, get_settings
from hireflow.models import OutboxMessage
from hireflow.notifications.tracking import unsubscribe_url

# Used for Message-IDs when `mail_from` has no usable domain.
FALLBACK_DOMAIN = "hireflow.invalid"


class Mailer(Protocol):
    """Something that hands a message over for delivery, or raises."""

    async def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    """One SMTP connection per message (mail volume is low; no idle connections to babysit)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Literal["starttls", "tls", "none"] = "starttls"
    timeout_seconds: float = 10.0
    # Check the server's certificate (chain and host name) under `tls` and `starttls`. Turn
    # off only for a relay on a private network with a self-signed certificate.
    validate_certs: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        if not settings.smtp_host:
            raise ValueError("no SMTP host is configured")
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password or None,
            security=settings.smtp_security,
            timeout_seconds=settings.smtp_timeout_seconds,
            validate_certs=settings.smtp_validate_certs,
        )

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password if self.username else None,
            use_tls=self.security == "tls",
            # Required, not opportunistic: credentials and content never go out in clear text
            # unless the admin chose `none`.
            start_tls=self.security == "starttls",
            validate_certs=self.validate_certs,
            timeout=self.timeout_seconds,
        )


def mailer_for(settings: Settings) -> Mailer | None:
    """The configured mailer, or None when no SMTP host is set: then the outbox is the delivery
    (messages are marked `stored` and admins read them in the app)."""
    if not settings.smtp_host:
        return None
    return SmtpMailer.from_settings(settings)


def mail_domain(mail_from: str) -> str:
    """The domain of the sender address (`hireflow <no-reply@example.com>` → `example.com`)."""
    _, address = parseaddr(mail_from)
    _, at, domain = address.rpartition("@")
    return domain.strip().lower() if at and domain.strip() else FALLBACK_DOMAIN


def compose(
    outbox_message: OutboxMessage, *, mail_from: str, settings: Settings | None = None
) -> EmailMessage:
    """The email for an outbox row. Message-ID and Date come from the row, so every attempt
    sends the same email (receivers can drop duplicates of an at-least-once delivery).
    An organization's non-transactional mail carries RFC 8058 one-click unsubscribe headers
    (their link signed with `settings`' key, the process's by default)."""
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = outbox_message.to_address
    email["Subject"] = outbox_message.subject
    email["Message-ID"] = outbox_message.message_id
    email["Date"] = format_datetime(outbox_message.created_at)
    if outbox_message.transactional is False and outbox_message.organization_id is not None:
        link = unsubscribe_url(
            settings or get_settings(), outbox_message.organization_id, outbox_message.to_address
        )
        email["List-Unsubscribe"] = f"<{link}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(outbox_message.text_body)
    if outbox_message.html_body is not None:
        email.add_alternative(outbox_message.html_body, subtype="html")
    return email
