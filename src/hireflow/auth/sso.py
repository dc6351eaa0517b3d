"""Single sign-on through OpenID Connect providers: signing in with a provider's identity, and
organizations that require it for their email domains."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth import sessions
from hireflow.auth.oidc import OidcIdentity
from hireflow.auth.service import SignIn
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.config import OidcProviderSettings, Settings
from hireflow.errors import Conflict, Forbidden, Invalid, NotFound
from hireflow.kit.clock import now
from hireflow.models import SsoDomain, User, UserIdentity
from hireflow.users import repository as users


def provider(settings: Settings, key: str) -> OidcProviderSettings:
    for candidate in settings.oidc_providers:
        if candidate.key == key:
            return candidate
    raise NotFound("No sign-in provider has this name.")


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


async def sign_in_with_identity(
    session: AsyncSession,
    chosen: OidcProviderSettings,
    identity: OidcIdentity,
    origin: Origin,
    settings: Settings,
) -> SignIn:
    link = await session.scalar(
        select(UserIdentity).where(
            UserIdentity.issuer == identity.issuer, UserIdentity.subject == identity.subject
        )
    )
    user = await session.get(User, link.user_id) if link is not None else None
    if user is None:
        # Only an address the provider has verified may be linked to (or create) an account.
        if not identity.email or not identity.email_verified:
            raise Forbidden(f"{chosen.label} did not confirm an email address for this account.")
        user = await users.get_by_email(session, identity.email)
        if user is None:
            user = User(
                email=identity.email,
                name=(identity.name or identity.email.partition("@")[0])[:200],
                password_hash=None,
                email_verified_at=now(),
            )
            session.add(user)
            await session.flush()
        session.add(
            UserIdentity(
                user_id=user.id,
                provider_key=chosen.key,
                issuer=identity.issuer,
                subject=identity.subject,
                email=identity.email,
            )
        )
    if user.disabled_at is not None:
        raise Forbidden("This account is disabled.")
    if user.email_verified_at is None:
        user.email_verified_at = now()
    user_session, token = await sessions.start(
        session, user, origin, settings, mfa_verified=user.mfa_enabled_at is None
    )
    await audit.record(
        session,
        "auth.login",
        origin=origin,
        actor=user,
        target_type="session",
        target_id=user_session.id,
        data={
            "method": "sso",
            "provider": chosen.key,
            "mfa_pending": user_session.mfa_verified_at is None,
        },
    )
    return SignIn(user, user_session, token)


async def add_domain(
    session: AsyncSession,
    ctx: Ctx,
    *,
    domain: str,
    provider_key: str,
    origin: Origin,
    settings: Settings,
) -> SsoDomain:
    ctx.require(Permission.ORGANIZATION_SETTINGS_WRITE)
    domain = domain.strip().lower()
    provider(settings, provider_key)  # must be configured
    # Proof of control, kept simple: one can only claim the domain of one's own address.
    if _domain(ctx.person().email) != domain:
        raise Invalid(
            "You can only require SSO for the domain of your own email address.",
            extra={"field": "domain"},
        )
    if await session.scalar(select(SsoDomain.id).where(SsoDomain.domain == domain)):
        raise Conflict("This domain already has an SSO rule.", extra={"field": "domain"})
    rule = SsoDomain(organization_id=ctx.organization.id, domain=domain, provider_key=provider_key)
    session.add(rule)
    await session.flush()
    await audit.record(
        session,
        "sso.domain_required",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="sso_domain",
        target_id=rule.id,
        data={"domain": domain, "provider": provider_key},
    )
    return rule


async def list_domains(session: AsyncSession, ctx: Ctx) -> list[SsoDomain]:
    ctx.require(Permission.ORGANIZATION_READ)
    rows = await session.scalars(
        select(SsoDomain)
        .where(SsoDomain.organization_id == ctx.organization.id)
        .order_by(SsoDomain.domain)
    )
    return list(rows)


async def remove_domain(
    session: AsyncSession, ctx: Ctx, domain_id: uuid.UUID, origin: Origin
) -> None:
    ctx.require(Permission.ORGANIZATION_SETTINGS_WRITE)
    rule = await session.scalar(
        select(SsoDomain).where(
            SsoDomain.id == domain_id, SsoDomain.organization_id == ctx.organization.id
        )
    )
    if rule is None:
        raise NotFound("No SSO rule has this id.")
    await session.delete(rule)
    await audit.record(
        session,
        "sso.domain_released",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="sso_domain",
        target_id=domain_id,
        data={"domain": rule.domain},
    )
