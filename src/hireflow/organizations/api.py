"""Organization JSON routes."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from hireflow.api import API_PREFIX
from hireflow.audit import service as audit
from hireflow.audit.schemas import AuditEventPage, AuditEventRead
from hireflow.auth.dependencies import CurrentUser, MfaRequired, OptionalUser
from hireflow.authz.context import Ctx, MemberCtx, OrgCtx, permissions_for, requires
from hireflow.authz.permissions import Permission
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import NotFound
from hireflow.models import Membership, Role, User
from hireflow.organizations import invitations, members, repository, service
from hireflow.organizations import settings as org_settings
from hireflow.organizations.schemas import (
    InvitationAccept,
    InvitationCreate,
    InvitationPreview,
    InvitationRead,
    InvitationToken,
    MemberRead,
    MemberUpdate,
    OrganizationPublic,
    OrganizationRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
)
from hireflow.organizations.settings import OrganizationSettings, SettingsUpdate

router = APIRouter(prefix=API_PREFIX, tags=["organizations"])

Slug = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]


@router.get(
    "/public/organizations/{slug}",
    response_model=OrganizationPublic,
    summary="Public profile of an organization",
    responses={404: {"description": "No organization has this slug."}},
)
async def read_public_organization(slug: Slug, session: DbSession) -> OrganizationPublic:
    organization = await service.get_public_organization(session, slug)
    return OrganizationPublic.model_validate(organization)


def _member_read(membership: Membership, user: User, role: Role) -> MemberRead:
    return MemberRead(
        membership_id=membership.id,
        user_id=user.id,
        email=user.email,
        name=user.name,
        role=role.key,
        joined_at=membership.created_at,
    )


def _read(ctx: Ctx) -> OrganizationRead:
    organization = ctx.organization
    return OrganizationRead(
        id=organization.id,
        name=organization.name,
        slug=organization.slug,
        created_at=organization.created_at,
        role=ctx.role.key if ctx.role else None,
        permissions=sorted(p.value for p in ctx.permissions),
    )


@router.get(
    "/organizations", response_model=list[OrganizationRead], summary="Organizations I belong to"
)
async def list_my_organizations(
    principal: CurrentUser, session: DbSession
) -> list[OrganizationRead]:
    rows = await repository.memberships_of_user(session, principal.user.id)
    return [
        _read(MemberCtx(principal.user, o, m, r, permissions_for(r, principal.api_token)))
        for m, o, r in rows
    ]


@router.get(
    "/organizations/{organization_id}",
    response_model=OrganizationRead,
    summary="One of my organizations",
    responses={404: {"description": "Not a member"}},
)
async def read_organization(ctx: OrgCtx) -> OrganizationRead:
    return _read(ctx)


@router.get(
    "/organizations/{organization_id}/members",
    response_model=list[MemberRead],
    summary="Members of the organization",
)
async def list_members(
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))], session: DbSession
) -> list[MemberRead]:
    rows = await repository.members(session, ctx.organization.id)
    return [_member_read(m, u, r) for m, u, r in rows]


@router.get(
    "/organizations/{organization_id}/roles",
    response_model=list[RoleRead],
    summary="Roles available in the organization (system and custom)",
)
async def list_roles(
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))], session: DbSession
) -> list[RoleRead]:
    roles = await repository.roles_for(session, ctx.organization.id)
    return [RoleRead.model_validate(role) for role in roles]


@router.get(
    "/organizations/{organization_id}/audit-events",
    response_model=AuditEventPage,
    summary="The organization's audit log, newest first",
)
async def list_audit_events(
    ctx: Annotated[Ctx, Depends(requires(Permission.AUDIT_READ))],
    session: DbSession,
    action: Annotated[str | None, Query(max_length=80)] = None,
    actor_user_id: uuid.UUID | None = None,
    before_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditEventPage:
    page = await audit.list_events(
        session,
        organization_id=ctx.organization.id,
        action=action,
        actor_user_id=actor_user_id,
        before_id=before_id,
        limit=limit,
    )
    return AuditEventPage(
        items=[AuditEventRead.model_validate(e) for e in page.items],
        next_before_id=page.next_before_id,
    )


RoleWriter = Annotated[Ctx, Depends(requires(Permission.ROLES_WRITE))]


@router.post(
    "/organizations/{organization_id}/roles",
    response_model=RoleRead,
    status_code=201,
    summary="Create a custom role",
    responses={
        409: {"description": "A role with this name exists"},
        403: {"description": "Not allowed, or permissions beyond your own"},
    },
)
async def create_role(
    body: RoleCreate, ctx: RoleWriter, session: DbSession, origin: RequestOrigin
) -> RoleRead:
    role = await members.create_role(session, ctx, body, origin)
    return RoleRead.model_validate(role)


@router.get(
    "/organizations/{organization_id}/roles/{role_id}", response_model=RoleRead, summary="One role"
)
async def read_role(
    role_id: uuid.UUID,
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))],
    session: DbSession,
) -> RoleRead:
    role = await repository.get_role(session, ctx.organization.id, role_id)
    if role is None:
        raise NotFound("No role has this id.")
    return RoleRead.model_validate(role)


@router.patch(
    "/organizations/{organization_id}/roles/{role_id}",
    response_model=RoleRead,
    summary="Edit a custom role",
)
async def update_role(
    role_id: uuid.UUID, body: RoleUpdate, ctx: RoleWriter, session: DbSession, origin: RequestOrigin
) -> RoleRead:
    role = await members.update_role(session, ctx, role_id, body, origin)
    return RoleRead.model_validate(role)


@router.delete(
    "/organizations/{organization_id}/roles/{role_id}",
    status_code=204,
    summary="Delete a custom role no member has",
)
async def delete_role(
    role_id: uuid.UUID, ctx: RoleWriter, session: DbSession, origin: RequestOrigin
) -> None:
    await members.delete_role(session, ctx, role_id, origin)


@router.patch(
    "/organizations/{organization_id}/members/{membership_id}",
    response_model=MemberRead,
    summary="Change a member's role",
)
async def change_member_role(
    membership_id: uuid.UUID,
    body: MemberUpdate,
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_WRITE))],
    session: DbSession,
    origin: RequestOrigin,
) -> MemberRead:
    membership = await members.change_member_role(session, ctx, membership_id, body.role_id, origin)
    rows = await repository.members(session, ctx.organization.id)
    m, u, r = next(row for row in rows if row[0].id == membership.id)
    return _member_read(m, u, r)


@router.delete(
    "/organizations/{organization_id}/members/{membership_id}",
    status_code=204,
    summary="Remove a member (or leave the organization)",
)
async def remove_member(
    membership_id: uuid.UUID, ctx: OrgCtx, session: DbSession, origin: RequestOrigin
) -> None:
    await members.remove_member(session, ctx, membership_id, origin)


@router.post(
    "/organizations/{organization_id}/invitations",
    response_model=InvitationRead,
    status_code=201,
    summary="Invite someone by email with a role",
)
async def create_invitation(
    body: InvitationCreate,
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_WRITE))],
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
) -> InvitationRead:
    invitation = await invitations.invite(
        session, ctx, email=body.email, role_id=body.role_id, origin=origin, settings=settings
    )
    role = await repository.get_role(session, ctx.organization.id, invitation.role_id)
    assert role is not None
    return InvitationRead(
        id=invitation.id,
        email=invitation.email,
        role=role.key,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
    )


@router.get(
    "/organizations/{organization_id}/invitations",
    response_model=list[InvitationRead],
    summary="Pending invitations",
)
async def list_invitations(
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))], session: DbSession
) -> list[InvitationRead]:
    rows = await invitations.list_pending(session, ctx)
    return [
        InvitationRead(
            id=i.id, email=i.email, role=r.key, created_at=i.created_at, expires_at=i.expires_at
        )
        for i, r in rows
    ]


@router.delete(
    "/organizations/{organization_id}/invitations/{invitation_id}",
    status_code=204,
    summary="Withdraw an invitation",
)
async def revoke_invitation(
    invitation_id: uuid.UUID,
    ctx: Annotated[Ctx, Depends(requires(Permission.MEMBERS_WRITE))],
    session: DbSession,
    origin: RequestOrigin,
) -> None:
    await invitations.revoke(session, ctx, invitation_id, origin)


@router.post(
    "/invitations/preview",
    response_model=InvitationPreview,
    summary="What an invitation link is for (the token stays out of URLs and logs)",
)
async def preview_invitation(body: InvitationToken, session: DbSession) -> InvitationPreview:
    invitation, organization, role, has_account = await invitations.preview(session, body.token)
    return InvitationPreview(
        organization_name=organization.name,
        email=invitation.email,
        role=role.name,
        has_account=has_account,
    )


@router.post(
    "/invitations/accept",
    response_model=OrganizationPublic,
    summary="Accept an invitation (signed in, or creating the account)",
)
async def accept_invitation(
    body: InvitationAccept, principal: OptionalUser, session: DbSession, origin: RequestOrigin
) -> OrganizationPublic:
    if principal is not None and principal.second_factor_pending:
        raise MfaRequired("Finish signing in with your second factor first.")
    organization = await invitations.accept(
        session,
        body.token,
        signed_in=principal.user if principal else None,
        name=body.name,
        password=body.password,
        origin=origin,
    )
    return OrganizationPublic.model_validate(organization)


@router.get(
    "/organizations/{organization_id}/settings",
    response_model=OrganizationSettings,
    summary="The organization's settings (defaults filled in)",
)
async def read_settings(ctx: OrgCtx, session: DbSession) -> OrganizationSettings:
    return await org_settings.read_settings(session, ctx)


@router.patch(
    "/organizations/{organization_id}/settings",
    response_model=OrganizationSettings,
    summary="Change some settings",
)
async def update_settings(
    body: SettingsUpdate,
    ctx: Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))],
    session: DbSession,
    origin: RequestOrigin,
) -> OrganizationSettings:
    return await org_settings.update_settings(session, ctx, body, origin)
