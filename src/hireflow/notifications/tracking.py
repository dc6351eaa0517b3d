"""Signed links in emails: the open pixel, click redirects and unsubscribe links, and what
happens when someone follows them.

Tokens are HMAC-signed (`kit.signing`) with a key derived from the installation's signing key,
valid for a year: a click token names its message and target, so the redirect only ever goes
where the email pointed (never an open redirect); an unsubscribe token names the organization
and the address.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.config import Settings, purpose_key
from hireflow.errors import NotFound
from hireflow.kit.signing import sign, unsign
from hireflow.models import Organization
from hireflow.notifications import repository

log = structlog.get_logger(__name__)

MAX_AGE_SECONDS = 366 * 24 * 3600
# A transparent 1×1 GIF.
PIXEL_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def _key(settings: Settings, purpose: bytes) -> bytes:
    return purpose_key(settings, b"hireflow email " + purpose + b" v1")


def _is_web_url(url: str) -> bool:
    return url.startswith(("https://", "http://")) and not any(c in url for c in "\r\n\t ")


# --- links --------------------------------------------------------------------------------------


def open_url(settings: Settings, message_id: uuid.UUID) -> str:
    token = sign({"m": str(message_id)}, _key(settings, b"open"))
    return f"{settings.base_url}/t/o/{token}.gif"


def click_url(settings: Settings, message_id: uuid.UUID, target: str) -> str:
    token = sign({"m": str(message_id), "u": target}, _key(settings, b"click"))
    return f"{settings.base_url}/t/c/{token}"


def unsubscribe_url(settings: Settings, organization_id: uuid.UUID, address: str) -> str:
    token = sign({"o": str(organization_id), "a": address.lower()}, _key(settings, b"unsubscribe"))
    return f"{settings.base_url}/unsubscribe/{token}"


def _message_id(data: dict[str, object] | None) -> uuid.UUID | None:
    if data is None or not isinstance(data.get("m"), str):
        return None
    try:
        return uuid.UUID(str(data["m"]))
    except ValueError:
        return None


# --- following them -----------------------------------------------------------------------------


async def record_open(session: AsyncSession, settings: Settings, token: str) -> None:
    """Count an open when `token` is a valid pixel token; anything else is ignored (the pixel
    is answered all the same)."""
    data = unsign(token, _key(settings, b"open"), max_age_seconds=MAX_AGE_SECONDS)
    message_id = _message_id(data)
    if message_id is not None:
        await repository.record_open(session, message_id)


async def follow_click(session: AsyncSession, settings: Settings, token: str) -> str:
    """The target of a valid click token, after counting the click (and an open); `NotFound`
    for anything else, so no one can make this site redirect elsewhere."""
    data = unsign(token, _key(settings, b"click"), max_age_seconds=MAX_AGE_SECONDS)
    message_id = _message_id(data)
    target = data.get("u") if data is not None else None
    if message_id is None or not isinstance(target, str) or not _is_web_url(target):
        raise NotFound("This link is not valid.")
    await repository.record_click(session, message_id)
    return target


@dataclass(frozen=True)
class Unsubscription:
    organization: Organization
    address: str


async def read_unsubscribe(session: AsyncSession, settings: Settings, token: str) -> Unsubscription:
    """Whom an unsubscribe token is for; `NotFound` when it is not valid."""
    data = unsign(token, _key(settings, b"unsubscribe"), max_age_seconds=MAX_AGE_SECONDS)
    address = data.get("a") if data is not None else None
    organization_id = data.get("o") if data is not None else None
    organization = None
    if isinstance(address, str) and isinstance(organization_id, str):
        try:
            organization = await session.get(Organization, uuid.UUID(organization_id))
        except ValueError:
            organization = None
    if organization is None or not isinstance(address, str):
        raise NotFound("This unsubscribe link is not valid.")
    return Unsubscription(organization, address)


async def unsubscribe(
    session: AsyncSession, settings: Settings, token: str, *, source: str, origin: Origin
) -> Unsubscription:
    """Record that the token's address wants no more non-transactional mail from the token's
    organization. Idempotent: a second time changes nothing and audits nothing."""
    found = await read_unsubscribe(session, settings, token)
    created = await repository.add_suppression(
        session, found.organization.id, found.address, source=source
    )
    if created is not None:
        await audit.record(
            session,
            "email.unsubscribed",
            origin=origin,
            organization_id=found.organization.id,
            target_type="email_suppression",
            target_id=created,
            data={"address": found.address, "source": source},
        )
        log.info("email unsubscribed", organization_id=str(found.organization.id), source=source)
    return found
