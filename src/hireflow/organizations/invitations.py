"""Team invitations: an expiring, single-use link by email that makes its holder a member with
the role chosen by the inviter. Every step is audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.audit.service import Origin
from hireflow.auth.accounts import InvalidLink, strong_password
from hireflow.authz.context import Ctx, permissions_of
from hireflow.authz.permissions import Permission
from hireflow.config import Settings
from hireflow.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from hireflow.inapp import triggers as inapp_triggers
from hireflow.kit.clock import now
from hireflow.kit.passwords import hash_password
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import Invitation, Organization, Role, User
from hireflow.notifications.service import send_templated
from hireflow.organizations import repository
from hireflow.users import repository as users
from hireflow.users.service import normalize_email

LIFETIME = timedelta(days=7)


async def invite(
    session: AsyncSession,
    ctx: Ctx,
    *,
    email: str,
    role_id: uuid.UUID,
    origin: Origin,
    settings: Settings,
) -> Invitation:
    ctx.require(Permission.MEMBERS_WRITE)
    address = normalize_email(email)
    role = await repository.get_role(session, ctx.organization.id, role_id)
    if role is None:
        raise Invalid("No role has this id.", extra={"field": "role_id"})
    if role.is_system and role.key == "owner" and (ctx.role is None or ctx.role.key != "owner"):
        raise Forbidden("Only an owner can invite an owner.")
    beyond = permissions_of(role) - ctx.permissions
    if beyond:
        raise Forbidden(
            "You cannot invite someone to a role with permissions you lack.",
            extra={"permissions": sorted(p.value for p in beyond)},
        )
    existing_user = await users.get_by_email(session, address)
    if existing_user is not None and await repository.membership_of(
        session, existing_user.id, ctx.organization.id
    ):
        raise Conflict("This person is a member already.", extra={"field": "email"})
    pending = await session.scalar(
        select(Invitation).where(
            Invitation.organization_id == ctx.organization.id,
            Invitation.email == address,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
    )
    if pending is not None:
        pending.revoked_at = now()  # a new invitation replaces the pending one
    raw = new_token()
    moment = now()
    invitation = Invitation(
        organization_id=ctx.organization.id,
        email=address,
        role_id=role.id,
        invited_by_user_id=ctx.user.id if ctx.user else None,
        token_hash=hash_token(raw),
        created_at=moment,
        expires_at=moment + LIFETIME,
    )
    session.add(invitation)
    await session.flush()
    # An organization API key invites on behalf of the organization, not of a person.
    invited = f"{ctx.user.name} invited you" if ctx.user else "You are invited"
    await send_templated(
        session,
        kind="team_invitation",
        to=address,
        variables={
            "inviter_line": invited,
            "organization_name": ctx.organization.name,
            "role_name": role.name,
            "link": f"{settings.base_url}/invitations/accept?token={raw}",
        },
        organization_id=ctx.organization.id,
        settings=settings,
    )
    await audit.record(
        session,
        "member.invited",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="invitation",
        target_id=invitation.id,
        data={"email": address, "role": role.key},
    )
    return invitation


async def list_pending(session: AsyncSession, ctx: Ctx) -> list[tuple[Invitation, Role]]:
    ctx.require(Permission.MEMBERS_READ)
    rows = await session.execute(
        select(Invitation, Role)
        .join(Role, Role.id == Invitation.role_id)
        .where(
            Invitation.organization_id == ctx.organization.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now(),
        )
        .order_by(Invitation.created_at.desc())
    )
    return [(i, r) for i, r in rows.all()]


async def revoke(session: AsyncSession, ctx: Ctx, invitation_id: uuid.UUID, origin: Origin) -> None:
    ctx.require(Permission.MEMBERS_WRITE)
    invitation = await session.scalar(
        select(Invitation).where(
            Invitation.id == invitation_id, Invitation.organization_id == ctx.organization.id
        )
    )
    if invitation is None:
        raise NotFound("No invitation has this id.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation was accepted already.")
    invitation.revoked_at = invitation.revoked_at or now()
    await audit.record(
        session,
        "member.invitation_revoked",
        origin=origin,
        actor=ctx.user,
        actor_email=ctx.actor_email,
        organization_id=ctx.organization.id,
        target_type="invitation",
        target_id=invitation.id,
        data={"email": invitation.email},
    )


async def _usable(session: AsyncSession, token: str) -> tuple[Invitation, Organization, Role]:
    row = (
        await session.execute(
            select(Invitation, Organization, Role)
            .join(Organization, Organization.id == Invitation.organization_id)
            .join(Role, Role.id == Invitation.role_id)
            .where(Invitation.token_hash == hash_token(token))
            .with_for_update(of=Invitation)
        )
    ).first()
    if row is None:
        raise InvalidLink("This invitation link is invalid. Ask for a new one.")
    invitation, organization, role = row
    if (
        invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now()
    ):
        raise InvalidLink("This invitation was used, withdrawn or has expired. Ask for a new one.")
    return invitation, organization, role


async def preview(session: AsyncSession, token: str) -> tuple[Invitation, Organization, Role, bool]:
    """The invitation behind a link, and whether its address already has an account."""
    invitation, organization, role = await _usable(session, token)
    has_account = await users.get_by_email(session, invitation.email) is not None
    return invitation, organization, role, has_account


async def accept(
    session: AsyncSession,
    token: str,
    *,
    signed_in: User | None,
    name: str | None,
    password: str | None,
    origin: Origin,
) -> Organization:
    """Accept as the signed-in user (whose address must match), or create the account.
    Returns the organization joined."""
    invitation, organization, role = await _usable(session, token)
    user = await users.get_by_email(session, invitation.email)
    if user is not None:
        if signed_in is None or signed_in.id != user.id:
            raise Unauthorized(f"Sign in as {invitation.email} to accept this invitation.")
    else:
        if signed_in is not None:
            raise Forbidden(f"This invitation is for {invitation.email}; sign out first.")
        if not name or not password:
            raise Invalid(
                "Give your name and a password to create your account.",
                extra={"field": "password" if name else "name"},
            )
        await strong_password(password, invitation.email, name, organization.name)
        # The link reached the inbox, so the address is verified.
        user = User(
            email=invitation.email,
            name=name.strip(),
            password_hash=hash_password(password),
            email_verified_at=now(),
        )
        session.add(user)
        await session.flush()
    if await repository.membership_of(session, user.id, organization.id) is None:
        await repository.add_member(
            session, organization_id=organization.id, user_id=user.id, role_id=role.id
        )
    invitation.accepted_at = now()
    invitation.accepted_user_id = user.id
    await audit.record(
        session,
        "member.joined",
        origin=origin,
        actor=user,
        organization_id=organization.id,
        target_type="invitation",
        target_id=invitation.id,
        data={"role": role.key},
    )
    await inapp_triggers.invitation_accepted(session, invitation, organization, user)
    return organization
