"""API credentials sent as `Authorization: Bearer`: personal API tokens, organization API keys,
and identity providers' JWTs.

- A personal token (`hfp_…`) acts as its user; with scopes, only within them.
- An organization API key (`hfo_…`) acts for its organization only, with exactly its scopes.
- A provider's JWT (Clerk-style; providers with `accept_bearer_tokens`) acts as the user linked
  to the identity, or to the account with the address the provider verified (then linked).

Tokens are 256 random bits after the prefix, shown once at creation; only their SHA-256 hash is
stored, with the first characters (`prefix`) so people can tell them apart. Every creation and
revocation is audited; an API token cannot create tokens or keys, so a leaked one cannot
multiply itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final

import jwt
import structlog
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import oidc
from hireflow.authz.permissions import Permission
from hireflow.config import OidcProviderSettings, Settings
from hireflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from hireflow.kit.clock import now
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import ApiToken, Organization, User, UserIdentity
from hireflow.users import repository as users

if TYPE_CHECKING:  # both import this module
    from hireflow.auth.dependencies import UserCaller
    from hireflow.authz.context import Ctx

log = structlog.get_logger(__name__)

PERSONAL: Final = "personal"
ORGANIZATION: Final = "organization"
PREFIXES: Final = {PERSONAL: "hfp_", ORGANIZATION: "hfo_"}
# Characters kept for display: the prefix and 8 of the 43 random ones.
SHOWN_CHARS: Final = 12
# new_token() gives 43 characters; anything much longer is not ours.
MAX_TOKEN_CHARS: Final = 100
# last_used_at is written at most this often, so each call doesn't cost a write.
TOUCH_EVERY: Final = timedelta(seconds=60)
# Live (not revoked) tokens per user, keys per organization.
MAX_LIVE: Final = 100


class InvalidToken(Unauthorized):
    code = "invalid-token"
    title = "Invalid or expired token"

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class ApiTokenNotAllowed(Forbidden):
    code = "api-token-not-allowed"
    title = "Not with an API token"


@dataclass(frozen=True)
class PersonalCredential:
    api_token: ApiToken
    user: User


@dataclass(frozen=True)
class OrganizationCredential:
    api_token: ApiToken
    organization: Organization


@dataclass(frozen=True)
class IssuedToken:
    api_token: ApiToken
    token: str  # the raw token: returned to its maker this once, never stored or logged


def is_api_token(raw: str) -> bool:
    return raw.startswith(tuple(PREFIXES.values()))


# --- authentication ------------------------------------------------------------------------


async def authenticate(
    session: AsyncSession, raw: str
) -> PersonalCredential | OrganizationCredential:
    """The live token `raw` is, with its user or organization; InvalidToken (401) otherwise."""
    if len(raw) > MAX_TOKEN_CHARS:
        raise InvalidToken("This API token is not valid.")
    row = await session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(raw)))
    if row is None or not raw.startswith(PREFIXES.get(row.kind, "-")):
        raise InvalidToken("This API token is not valid.")
    moment = now()
    if row.revoked_at is not None:
        raise InvalidToken("This API token was revoked.")
    if row.expires_at is not None and row.expires_at <= moment:
        raise InvalidToken("This API token has expired.")
    credential: PersonalCredential | OrganizationCredential
    if row.kind == PERSONAL:
        user = await session.get(User, row.user_id) if row.user_id else None
        if user is None or user.disabled_at is not None:
            raise InvalidToken("The account of this API token is disabled.")
        credential = PersonalCredential(row, user)
    else:
        organization = (
            await session.get(Organization, row.organization_id) if row.organization_id else None
        )
        if organization is None:
            raise InvalidToken("This API key is not valid.")
        credential = OrganizationCredential(row, organization)
    if row.last_used_at is None or moment - row.last_used_at >= TOUCH_EVERY:
        row.last_used_at = moment
    return credential


async def user_for_provider_token(
    session: AsyncSession, settings: Settings, token: str, origin: Origin
) -> User:
    """The user a provider's JWT belongs to. The token's unverified `iss` only picks the
    provider; the token is then verified against that provider's keys, audience and expiry."""
    providers = [p for p in settings.oidc_providers if p.accept_bearer_tokens]
    if not providers:
        raise InvalidToken("This is not a hireflow API token.")
    issuer = _unverified_issuer(token)
    candidates = [p for p in providers if str(p.issuer).rstrip("/") == issuer]
    if not candidates:
        raise InvalidToken("Tokens of this issuer are not accepted.")
    refused: oidc.OidcTokenInvalid | None = None
    for provider in candidates:  # several clients of one issuer may be configured
        try:
            identity = await oidc.verify_bearer_token(provider, token)
        except oidc.OidcTokenInvalid as exc:
            refused = exc
            continue
        return await _user_of_identity(session, provider, identity, origin)
    assert refused is not None
    raise InvalidToken(refused.detail)


def _unverified_issuer(token: str) -> str:
    if len(token) > oidc.MAX_TOKEN_CHARS:
        raise InvalidToken("This token is too long.")
    try:
        # Not trusted: only used to choose which provider's keys verify the token.
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidToken("This is neither a hireflow API token nor a JWT.") from None
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not issuer:
        raise InvalidToken("This token names no issuer.")
    return issuer.rstrip("/")


async def _user_of_identity(
    session: AsyncSession,
    provider: OidcProviderSettings,
    identity: oidc.OidcIdentity,
    origin: Origin,
) -> User:
    user_id = await session.scalar(
        select(UserIdentity.user_id).where(
            UserIdentity.issuer == identity.issuer, UserIdentity.subject == identity.subject
        )
    )
    if user_id is not None:
        user = await session.get(User, user_id)
    else:
        user = await _link_by_email(session, provider, identity, origin)
    if user is None or user.disabled_at is not None:
        raise InvalidToken("No active hireflow account has this identity.")
    return user


async def _link_by_email(
    session: AsyncSession,
    provider: OidcProviderSettings,
    identity: oidc.OidcIdentity,
    origin: Origin,
) -> User:
    """The account with the address the provider verified, now linked to the identity. API
    calls never create accounts: one signs up (or in through SSO) first."""
    if not identity.email or not identity.email_verified:
        raise InvalidToken(
            "No hireflow account is linked to this identity, and the provider did not confirm "
            "an email address to find one by."
        )
    user = await users.get_by_email(session, identity.email)
    if user is None or user.disabled_at is not None:
        raise InvalidToken("No active hireflow account has this identity or email address.")
    # Two first calls at once must not collide on the unique (issuer, subject).
    linked = await session.scalar(
        insert(UserIdentity)
        .values(
            id=uuid.uuid4(),
            user_id=user.id,
            provider_key=provider.key,
            issuer=identity.issuer,
            subject=identity.subject,
            email=identity.email,
        )
        .on_conflict_do_nothing(index_elements=[UserIdentity.issuer, UserIdentity.subject])
        .returning(UserIdentity.id)
    )
    if user.email_verified_at is None:
        user.email_verified_at = now()
    if linked is not None:
        await audit.record(
            session,
            "auth.identity_linked",
            origin=origin,
            actor=user,
            target_type="user_identity",
            target_id=linked,
            data={"provider": provider.key, "method": "bearer_token"},
        )
    return user


# --- personal tokens -----------------------------------------------------------------------


async def create_personal_token(
    session: AsyncSession,
    principal: UserCaller,
    *,
    name: str,
    scopes: Sequence[Permission],
    expires_in_days: int | None,
    origin: Origin,
) -> IssuedToken:
    """A token acting as `principal.user`, within `scopes` if any are given."""
    if principal.api_token is not None:
        raise _no_tokens_from_tokens()
    user = principal.user
    await _refuse_beyond_limit(session, ApiToken.user_id == user.id, "tokens")
    issued = await _issue(
        session,
        kind=PERSONAL,
        name=name,
        scopes=scopes,
        expires_in_days=expires_in_days,
        user_id=user.id,
        organization_id=None,
        created_by=user,
    )
    await audit.record(
        session,
        "api_token.created",
        origin=origin,
        actor=user,
        target_type="api_token",
        target_id=issued.api_token.id,
        data=_described(issued.api_token),
    )
    return issued


async def list_personal_tokens(session: AsyncSession, user: User) -> list[ApiToken]:
    """The user's tokens that were not revoked (expired ones too), newest first."""
    rows = await session.scalars(
        select(ApiToken)
        .where(
            ApiToken.kind == PERSONAL,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list(rows)


async def revoke_personal_token(
    session: AsyncSession, user: User, token_id: uuid.UUID, origin: Origin
) -> None:
    row = await session.scalar(
        select(ApiToken).where(
            ApiToken.id == token_id,
            ApiToken.kind == PERSONAL,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
    )
    if row is None:
        raise NotFound("No token of yours has this id.")
    row.revoked_at = now()
    await session.flush()
    await audit.record(
        session,
        "api_token.revoked",
        origin=origin,
        actor=user,
        target_type="api_token",
        target_id=row.id,
        data=_described(row),
    )


# --- organization API keys -----------------------------------------------------------------


async def create_organization_key(
    session: AsyncSession,
    ctx: Ctx,
    *,
    name: str,
    scopes: Sequence[Permission],
    expires_in_days: int | None,
    origin: Origin,
) -> IssuedToken:
    """A key acting for `ctx.organization` with exactly `scopes`, which must be among the
    creator's own permissions."""
    ctx.require(Permission.API_KEYS_WRITE)
    if ctx.api_token is not None:
        raise _no_tokens_from_tokens()
    creator = ctx.person()
    if not scopes:
        raise Invalid("Give the key at least one scope.", extra={"field": "scopes"})
    beyond = sorted({p.value for p in scopes} - {p.value for p in ctx.permissions})
    if beyond:
        raise Forbidden(
            "A key cannot be given permissions you do not have yourself.",
            extra={"permissions": beyond},
        )
    await _refuse_beyond_limit(session, ApiToken.organization_id == ctx.organization.id, "keys")
    issued = await _issue(
        session,
        kind=ORGANIZATION,
        name=name,
        scopes=scopes,
        expires_in_days=expires_in_days,
        user_id=None,
        organization_id=ctx.organization.id,
        created_by=creator,
    )
    await audit.record(
        session,
        "api_key.created",
        origin=origin,
        actor=creator,
        organization_id=ctx.organization.id,
        target_type="api_key",
        target_id=issued.api_token.id,
        data=_described(issued.api_token),
    )
    return issued


async def list_organization_keys(session: AsyncSession, ctx: Ctx) -> list[ApiToken]:
    ctx.require(Permission.API_KEYS_WRITE)
    rows = await session.scalars(
        select(ApiToken)
        .where(
            ApiToken.kind == ORGANIZATION,
            ApiToken.organization_id == ctx.organization.id,
            ApiToken.revoked_at.is_(None),
        )
        .order_by(ApiToken.created_at.desc(), ApiToken.id)
    )
    return list(rows)


async def revoke_organization_key(
    session: AsyncSession, ctx: Ctx, key_id: uuid.UUID, origin: Origin
) -> None:
    ctx.require(Permission.API_KEYS_WRITE)
    row = await session.scalar(
        select(ApiToken).where(
            ApiToken.id == key_id,
            ApiToken.kind == ORGANIZATION,
            ApiToken.organization_id == ctx.organization.id,
            ApiToken.revoked_at.is_(None),
        )
    )
    if row is None:
        raise NotFound("No API key has this id.")
    row.revoked_at = now()
    await session.flush()
    await audit.record(
        session,
        "api_key.revoked",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="api_key",
        target_id=row.id,
        data=_described(row),
    )


# --- shared --------------------------------------------------------------------------------


async def _issue(
    session: AsyncSession,
    *,
    kind: str,
    name: str,
    scopes: Sequence[Permission],
    expires_in_days: int | None,
    user_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    created_by: User,
) -> IssuedToken:
    label = name.strip()
    if not label:
        raise Invalid("Give the token a name.", extra={"field": "name"})
    raw = PREFIXES[kind] + new_token()
    moment = now()
    row = ApiToken(
        kind=kind,
        user_id=user_id,
        organization_id=organization_id,
        name=label[:100],
        prefix=raw[:SHOWN_CHARS],
        token_hash=hash_token(raw),
        scopes=sorted({p.value for p in scopes}),
        created_by_user_id=created_by.id,
        created_at=moment,
        expires_at=moment + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(row)
    await session.flush()
    log.info("api token created", kind=kind, api_token_id=str(row.id), prefix=row.prefix)
    return IssuedToken(row, raw)


async def _refuse_beyond_limit(
    session: AsyncSession, owner: ColumnElement[bool], what: str
) -> None:
    live = await session.scalar(
        select(func.count()).select_from(ApiToken).where(owner, ApiToken.revoked_at.is_(None))
    )
    if (live or 0) >= MAX_LIVE:
        raise Conflict(f"There are {MAX_LIVE} {what} already: revoke some first.")


def _no_tokens_from_tokens() -> ApiTokenNotAllowed:
    return ApiTokenNotAllowed(
        "API tokens cannot create API tokens or keys: sign in (or use your identity provider's "
        "token) to do this."
    )


def _described(row: ApiToken) -> dict[str, object]:
    return {
        "name": row.name,
        "prefix": row.prefix,
        "scopes": list(row.scopes),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
    }
