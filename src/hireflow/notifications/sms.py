"""Text messages: the `SmsSender` adapter (Twilio, or none: off by default), phone number
checks, and `send_sms`, which stores a message and enqueues its delivery in the caller's
transaction (delivered by `notifications.deliver_sms`)."""

from __future__ import annotations

import re
import uuid
from typing import Any, Protocol
from urllib.parse import quote

import httpx
import phonenumbers
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.config import Settings, get_settings
from hireflow.errors import AppError, Invalid
from hireflow.models import SmsMessage
from hireflow.notifications import sms_repository
from hireflow.worker import enqueue

MAX_BODY_LENGTH = 1600  # the column's size, and Twilio's limit for one message
MAX_NUMBER_INPUT = 40  # longer input is not a phone number, whatever its formatting

_KIND = re.compile(r"[a-z][a-z0-9_.-]{0,59}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SmsError(Exception):
    """Sending failed. `permanent`: the provider refused this message (a bad number, wrong
    credentials …), so retrying cannot help; otherwise (timeouts, 429, 5xx) a retry may."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class SmsDisabled(AppError):
    status = 422
    code = "sms-disabled"
    title = "Text messages are turned off"


class SmsSender(Protocol):
    async def send(self, to: str, body: str) -> str:
        """Hand the message to the provider; returns its id for the message, or raises
        `SmsError`."""
        ...


class TwilioSmsSender:
    """Twilio's Messages API: one form POST per message, HTTP basic auth (account SID and auth
    token). https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
    """

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        base_url: str = "https://api.twilio.com",
        timeout: float = 10.0,
    ) -> None:
        self._account_sid = account_sid
        self._auth_token = auth_token
        self._from_number = from_number
        self._url = (
            f"{base_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid, safe='')}"
            "/Messages.json"
        )
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioSmsSender:
        if (
            not settings.twilio_account_sid
            or settings.twilio_auth_token is None
            or not settings.twilio_from_number
        ):
            raise ValueError("Twilio needs an account SID, an auth token and a from number")
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=settings.twilio_from_number,
            base_url=settings.twilio_base_url,
            timeout=settings.sms_timeout_seconds,
        )

    async def send(self, to: str, body: str) -> str:
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, auth=(self._account_sid, self._auth_token)
            ) as client:
                response = await client.post(
                    self._url, data={"To": to, "From": self._from_number, "Body": body}
                )
        except httpx.TimeoutException as exc:
            raise SmsError(
                f"Twilio did not answer within {self._timeout:g} s", permanent=False
            ) from exc
        except httpx.HTTPError as exc:
            raise SmsError(
                f"Twilio is unreachable ({type(exc).__name__})", permanent=False
            ) from exc

        payload = _json(response)
        if response.status_code in (200, 201):
            sid = payload.get("sid")
            if not isinstance(sid, str) or not sid:
                # Twilio took the message: retrying could text the person twice.
                raise SmsError("Twilio accepted the message without a sid", permanent=True)
            return sid[:64]
        status = response.status_code
        code = payload.get("code")
        message = payload.get("message")
        detail = f"Twilio answered {status}"
        if code is not None:
            detail += f" (code {code})"
        if isinstance(message, str) and message:
            detail += f": {message}"
        permanent = 400 <= status < 500 and status != 429
        raise SmsError(detail, permanent=permanent)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def sms_enabled(settings: Settings | None = None) -> bool:
    """Whether text messages can be sent (`HIREFLOW_SMS_PROVIDER` is not `none`)."""
    return (settings or get_settings()).sms_provider != "none"


def sms_sender_for(settings: Settings) -> SmsSender | None:
    """The configured sender, or None when text messages are off."""
    if settings.sms_provider == "twilio":
        return TwilioSmsSender.from_settings(settings)
    return None


def check_phone(number: str, *, field: str = "to") -> str:
    """`number` in E.164 (`+14155552671`), or `Invalid`. International format only (a leading
    `+` and the country code): there is no country to guess a national number's from."""
    shown = number[:MAX_NUMBER_INPUT]
    if _CONTROL.search(number) or len(number) > MAX_NUMBER_INPUT:
        raise Invalid(f"“{shown}” is not a valid phone number.", extra={"field": field})
    if not number.strip().startswith("+"):
        raise Invalid(
            f"“{shown}” is not in international format: start with + and the country code, "
            "e.g. +14155552671.",
            extra={"field": field},
        )
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise Invalid(f"“{shown}” is not a valid phone number.", extra={"field": field}) from None
    if parsed.extension:
        raise Invalid(
            "A text message cannot go to a phone extension; remove the extension.",
            extra={"field": field},
        )
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(
            f"“{shown}” is not a valid phone number for its country code.",
            extra={"field": field},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _check_body(body: str) -> str:
    if "\x00" in body:  # PostgreSQL text cannot hold NUL
        raise Invalid("A text message cannot contain NUL characters.", extra={"field": "body"})
    if not body.strip():
        raise Invalid("A text message needs some text.", extra={"field": "body"})
    if len(body) > MAX_BODY_LENGTH:
        raise Invalid(
            f"A text message has at most {MAX_BODY_LENGTH} characters (this one has {len(body)}).",
            extra={"field": "body"},
        )
    return body


async def send_sms(
    session: AsyncSession,
    *,
    to: str,
    body: str,
    kind: str,
    organization_id: uuid.UUID | None,
    settings: Settings | None = None,
) -> SmsMessage:
    """Store the text message and enqueue its delivery, both in `session`'s transaction: a
    rolled-back change sends nothing, a committed one is delivered at least once. `kind` names
    the message (`interview_invitation`, …). `SmsDisabled` (422) when text messages are off;
    `Invalid` for a bad number or body. `settings`: the app's (default: the process's)."""
    # Imported here: the task module imports this one (its sender and errors).
    from hireflow.notifications.sms_tasks import deliver_sms

    if not sms_enabled(settings):
        raise SmsDisabled(
            "Text messages are turned off on this installation (HIREFLOW_SMS_PROVIDER=none)."
        )
    number = check_phone(to)
    body = _check_body(body)
    if _KIND.fullmatch(kind) is None:
        raise Invalid(f"“{kind[:60]}” is not a valid message kind.", extra={"field": "kind"})
    message = await sms_repository.add(
        session,
        SmsMessage(
            id=uuid.uuid4(),
            organization_id=organization_id,
            to_number=number,
            body=body,
            kind=kind,
            status="queued",
            attempts=0,
        ),
    )
    await enqueue(session, deliver_sms, message_id=str(message.id))
    return message


async def list_sms(
    session: AsyncSession,
    *,
    to: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[SmsMessage]:
    """The whole installation's text messages, newest first (platform admins only: the caller
    checks). `to` is compared in E.164, so any formatting of the number finds it."""
    number = check_phone(to) if to is not None else None
    return await sms_repository.list_messages(
        session, to=number, kind=kind, status=status, limit=limit, offset=offset
    )
