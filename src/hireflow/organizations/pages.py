"""HTML pages for an organization's people and access: the team (members, their roles,
invitations), the role editor and the audit log; and accepting an emailed invitation.

Thin routes over the services the JSON API calls (`organizations.members`,
`organizations.invitations`, `audit.service`). The organization comes from the path through
`requires(...)`, so not being a member is the 404 page and a missing permission the 403 page;
the services check permissions again on every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit import service as audit
from hireflow.auth import api_tokens, sso
from hireflow.auth.api_tokens_api import ApiKeyCreate
from hireflow.auth.pages import (
    FormCsrfField,
    OptionalSession,
    SignedIn,
    check_form_csrf,
    form_csrf_token,
    member_page,
    remember_viewer,
    set_form_csrf_cookie,
)
from hireflow.auth.sso_api import SsoDomainCreate
from hireflow.authz.context import Ctx, OrgCtx, permissions_of, requires
from hireflow.authz.permissions import Permission
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, NotFound
from hireflow.models import Membership, Role
from hireflow.organizations import invitations, members, repository
from hireflow.organizations import settings as org_settings
from hireflow.organizations.schemas import InvitationCreate, MemberUpdate, RoleCreate, RoleUpdate
from hireflow.web.permissions import (
    PERMISSION_LABELS_BY_VALUE,
    PermissionGroup,
    grouped_permissions,
)
from hireflow.web.templating import (
    Notice,
    PageResponse,
    navigate,
    refuse,
    register_notices,
    see_other,
    templates,
    validated,
    with_query,
)

router = APIRouter(
    prefix="/organizations/{organization_id}",
    include_in_schema=False,
    # First, so that someone signed out is sent to the sign-in page rather than shown an error.
    dependencies=[Depends(member_page)],
)
public = APIRouter(include_in_schema=False)

MembersReader = Annotated[Ctx, Depends(requires(Permission.MEMBERS_READ))]
MembersWriter = Annotated[Ctx, Depends(requires(Permission.MEMBERS_WRITE))]
RolesWriter = Annotated[Ctx, Depends(requires(Permission.ROLES_WRITE))]
AuditReader = Annotated[Ctx, Depends(requires(Permission.AUDIT_READ))]
SettingsReader = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_READ))]
SettingsWriter = Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))]
KeysWriter = Annotated[Ctx, Depends(requires(Permission.API_KEYS_WRITE))]

AUDIT_PAGE_SIZE = 50
OWNER = "owner"

register_notices(
    {
        "invitation-sent": Notice(
            "success", "Invitation sent", "The link in the email works once, for 7 days."
        ),
        "invitation-withdrawn": Notice("success", "Invitation withdrawn"),
        "role-changed": Notice("success", "Role changed"),
        "member-removed": Notice("success", "Member removed"),
        "left-organization": Notice("success", "You left the organization"),
        "role-created": Notice("success", "Role created"),
        "role-saved": Notice("success", "Role saved"),
        "role-deleted": Notice("success", "Role deleted"),
        "settings-saved": Notice("success", "Settings saved"),
        "api-key-revoked": Notice("success", "API key revoked", "It no longer works."),
        "sso-domain-added": Notice(
            "success", "Single sign-on required", "Addresses at this domain now sign in through it."
        ),
        "sso-domain-removed": Notice(
            "success", "Single sign-on no longer required", "Passwords work again for the domain."
        ),
        "invitation-accepted": Notice(
            "success", "Welcome to the team", "You are now a member of the organization."
        ),
    }
)


def _team_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/team"


def _roles_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/roles"


def _member(ctx: Ctx) -> tuple[Membership, Role]:
    """The membership and role of the one acting: pages are for members signed in to the
    browser (`member_page` sends everyone else to the sign-in page)."""
    if ctx.membership is None or ctx.role is None:
        raise NotFound("No organization has this id.")
    return ctx.membership, ctx.role


def _org_context(ctx: Ctx, tab: str) -> dict[str, Any]:
    return {
        "org": ctx.organization,
        "role_summaries": SYSTEM_ROLE_SUMMARIES,
        "tab": tab,
        "my_role": _member(ctx)[1],
        "permissions": frozenset(p.value for p in ctx.permissions),
    }


@router.get("", response_class=HTMLResponse)
async def organization_home(ctx: OrgCtx) -> Response:
    return RedirectResponse(_team_url(ctx), status_code=303)


# --- team: members and invitations -------------------------------------------------------------


def _grantable(ctx: Ctx, role: Role) -> bool:
    """Whether the member acting may give `role` (the services enforce the same rules)."""
    if role.is_system and role.key == OWNER and _member(ctx)[1].key != OWNER:
        return False
    return permissions_of(role) <= ctx.permissions


async def _team_context(session: AsyncSession, ctx: Ctx, form: dict[str, str]) -> dict[str, Any]:
    roles = await repository.roles_for(session, ctx.organization.id)
    grantable = [r for r in roles if _grantable(ctx, r)]
    team = await repository.members(session, ctx.organization.id)
    return {
        **_org_context(ctx, "team"),
        "members": team,
        # The last owner cannot leave (the service refuses), so they are not offered to.
        "owner_count": sum(1 for _, _, r in team if r.is_system and r.key == OWNER),
        "roles": roles,
        "grantable_ids": {r.id for r in grantable},
        "role_options": [(str(r.id), r.name) for r in grantable],
        "invitations": await invitations.list_pending(session, ctx),
        "my_membership_id": _member(ctx)[0].id,
        "form": form,
    }


@router.get("/team", response_class=HTMLResponse)
async def team_page(request: Request, ctx: MembersReader, session: DbSession) -> HTMLResponse:
    context = await _team_context(session, ctx, {})
    return templates.TemplateResponse(request, "organizations/team.html", context)


INVITE_MESSAGES = {
    "email": "Enter the email address of the person to invite.",
    "role_id": "Choose a role.",
}


@router.post("/invitations", response_class=HTMLResponse)
async def invite(
    request: Request,
    ctx: MembersWriter,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    email: Annotated[str, Form()] = "",
    role_id: Annotated[str, Form()] = "",
) -> Response:
    form = {"email": email, "role_id": role_id}
    try:
        data = validated(InvitationCreate, form, INVITE_MESSAGES)
        await invitations.invite(
            session, ctx, email=data.email, role_id=data.role_id, origin=origin, settings=settings
        )
    except AppError as exc:
        context = await _team_context(session, ctx, form)
        fields = {"email": "email", "role_id": "role_id"}
        refuse(request, exc, "organizations/team.html", context, fields=fields)
    return see_other(_team_url(ctx), notice="invitation-sent")


@router.post("/invitations/{invitation_id}/withdraw", response_class=HTMLResponse)
async def withdraw_invitation(
    request: Request,
    invitation_id: uuid.UUID,
    ctx: MembersWriter,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await invitations.revoke(session, ctx, invitation_id, origin)
    except AppError as exc:
        refuse(request, exc, "organizations/team.html", await _team_context(session, ctx, {}))
    return see_other(_team_url(ctx), notice="invitation-withdrawn")


@router.post("/members/{membership_id}/role", response_class=HTMLResponse)
async def change_member_role(
    request: Request,
    membership_id: uuid.UUID,
    ctx: MembersWriter,
    session: DbSession,
    origin: RequestOrigin,
    role_id: Annotated[str, Form()] = "",
) -> Response:
    try:
        data = validated(MemberUpdate, {"role_id": role_id}, INVITE_MESSAGES)
        await members.change_member_role(session, ctx, membership_id, data.role_id, origin)
    except AppError as exc:
        refuse(request, exc, "organizations/team.html", await _team_context(session, ctx, {}))
    return see_other(_team_url(ctx), notice="role-changed")


@router.post("/members/{membership_id}/remove", response_class=HTMLResponse)
async def remove_member(
    request: Request,
    membership_id: uuid.UUID,
    ctx: OrgCtx,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await members.remove_member(session, ctx, membership_id, origin)
    except AppError as exc:
        refuse(request, exc, "organizations/team.html", await _team_context(session, ctx, {}))
    if membership_id == _member(ctx)[0].id:
        return navigate(request, "/account?notice=left-organization")
    return see_other(_team_url(ctx), notice="member-removed")


# --- roles ---------------------------------------------------------------------------------------

# What each built-in role is for, in a line (their rows carry no description).
SYSTEM_ROLE_SUMMARIES: dict[str, str] = {
    "owner": "Everything, including deleting the organization.",
    "admin": "Everything except deleting the organization.",
    "hiring_manager": "Jobs, every candidate and hiring decisions; sees the team.",
    "recruiter": "Runs the pipeline of the jobs assigned to them.",
    "interviewer": "Interviews the candidates of assigned jobs and gives feedback.",
    "viewer": "Reads jobs, candidates and analytics; changes nothing.",
    "scheduler": "Schedules interviews and books interviewers.",
    "billing_manager": "Payments, marketplace bookings and reports.",
    "dei_consultant": "Exchanges messages, nothing else.",
}


def permission_groups(ctx: Ctx, checked: Iterable[str]) -> list[PermissionGroup]:
    return grouped_permissions(checked, ctx.permissions)


ROLE_MESSAGES = {
    "name": "Give the role a name (100 characters at most).",
    "description": "Keep the description under 500 characters.",
    "permissions": "Choose permissions from the list.",
}
ROLE_FIELDS = {"name": "name", "permissions": "permissions"}


def _role_form_context(
    ctx: Ctx, role: Role | None, form: dict[str, str], checked: Iterable[str]
) -> dict[str, Any]:
    return {
        **_org_context(ctx, "roles"),
        "role": role,
        "form": form,
        "groups": permission_groups(ctx, checked),
        "editable": ctx.can(Permission.ROLES_WRITE) and (role is None or not role.is_system),
    }


@router.get("/roles", response_class=HTMLResponse)
async def roles_page(request: Request, ctx: MembersReader, session: DbSession) -> HTMLResponse:
    roles = await repository.roles_for(session, ctx.organization.id)
    context = {
        **_org_context(ctx, "roles"),
        "system_roles": [r for r in roles if r.is_system],
        "custom_roles": [r for r in roles if not r.is_system],
    }
    return templates.TemplateResponse(request, "organizations/roles.html", context)


@router.get("/roles/new", response_class=HTMLResponse)
async def new_role_page(request: Request, ctx: RolesWriter) -> HTMLResponse:
    context = _role_form_context(ctx, None, {}, [])
    return templates.TemplateResponse(request, "organizations/role_form.html", context)


@router.post("/roles", response_class=HTMLResponse)
async def create_role(
    request: Request,
    ctx: RolesWriter,
    session: DbSession,
    origin: RequestOrigin,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    permissions: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"name": name, "description": description}
    chosen = permissions or []
    try:
        data = validated(RoleCreate, {**form, "permissions": chosen}, ROLE_MESSAGES)
        await members.create_role(session, ctx, data, origin)
    except AppError as exc:
        context = _role_form_context(ctx, None, form, chosen)
        refuse(request, exc, "organizations/role_form.html", context, fields=ROLE_FIELDS)
    return see_other(_roles_url(ctx), notice="role-created")


async def _role(session: AsyncSession, ctx: Ctx, role_id: uuid.UUID) -> Role:
    role = await repository.get_role(session, ctx.organization.id, role_id)
    if role is None:
        raise NotFound("No role has this id.")
    return role


@router.get("/roles/{role_id}", response_class=HTMLResponse)
async def role_page(
    request: Request, role_id: uuid.UUID, ctx: MembersReader, session: DbSession
) -> HTMLResponse:
    role = await _role(session, ctx, role_id)
    form = {"name": role.name, "description": role.description}
    context = _role_form_context(ctx, role, form, role.permissions)
    return templates.TemplateResponse(request, "organizations/role_form.html", context)


@router.post("/roles/{role_id}", response_class=HTMLResponse)
async def update_role(
    request: Request,
    role_id: uuid.UUID,
    ctx: RolesWriter,
    session: DbSession,
    origin: RequestOrigin,
    name: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    permissions: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"name": name, "description": description}
    chosen = permissions or []
    try:
        data = validated(RoleUpdate, {**form, "permissions": chosen}, ROLE_MESSAGES)
        await members.update_role(session, ctx, role_id, data, origin)
    except AppError as exc:
        role = await _role(session, ctx, role_id)
        context = _role_form_context(ctx, role, form, chosen)
        refuse(request, exc, "organizations/role_form.html", context, fields=ROLE_FIELDS)
    return see_other(_roles_url(ctx), notice="role-saved")


@router.post("/roles/{role_id}/delete", response_class=HTMLResponse)
async def delete_role(
    request: Request,
    role_id: uuid.UUID,
    ctx: RolesWriter,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await members.delete_role(session, ctx, role_id, origin)
    except AppError as exc:
        roles = await repository.roles_for(session, ctx.organization.id)
        context = {
            **_org_context(ctx, "roles"),
            "system_roles": [r for r in roles if r.is_system],
            "custom_roles": [r for r in roles if not r.is_system],
        }
        refuse(request, exc, "organizations/roles.html", context)
    return see_other(_roles_url(ctx), notice="role-deleted")


# --- API keys ------------------------------------------------------------------------------------

KEY_MESSAGES = {
    "name": "Give the key a name (100 characters at most).",
    "expires_in_days": "Enter a number of days from 1 to 365, or leave it empty.",
    "scopes": "Choose at least one permission for the key.",
}
KEY_FIELDS = {"name": "name", "scopes": "scopes"}
# The page showing a new key is never stored by caches.
NO_STORE = {"Cache-Control": "no-store"}


def _api_keys_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/api-keys"


async def _api_keys_context(
    session: AsyncSession, ctx: Ctx, form: dict[str, str], checked: Iterable[str]
) -> dict[str, Any]:
    return {
        **_org_context(ctx, "api-keys"),
        "keys": await api_tokens.list_organization_keys(session, ctx),
        "form": form,
        "groups": permission_groups(ctx, checked),
        "labels": PERMISSION_LABELS_BY_VALUE,
    }


@router.get("/api-keys", response_class=HTMLResponse)
async def api_keys_page(request: Request, ctx: KeysWriter, session: DbSession) -> HTMLResponse:
    context = await _api_keys_context(session, ctx, {}, [])
    return templates.TemplateResponse(request, "organizations/api_keys.html", context)


@router.post("/api-keys", response_class=HTMLResponse)
async def create_api_key(
    request: Request,
    ctx: KeysWriter,
    session: DbSession,
    origin: RequestOrigin,
    name: Annotated[str, Form(max_length=1000)] = "",
    expires_in_days: Annotated[str, Form(max_length=20)] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"name": name, "expires_in_days": expires_in_days}
    chosen = scopes or []
    try:
        data = validated(
            ApiKeyCreate,
            {"name": name, "expires_in_days": expires_in_days.strip() or None, "scopes": chosen},
            KEY_MESSAGES,
        )
        issued = await api_tokens.create_organization_key(
            session,
            ctx,
            name=data.name,
            scopes=data.scopes,
            expires_in_days=data.expires_in_days,
            origin=origin,
        )
    except AppError as exc:
        context = await _api_keys_context(session, ctx, form, chosen)
        refuse(request, exc, "organizations/api_keys.html", context, fields=KEY_FIELDS)
    context = {
        **_org_context(ctx, "api-keys"),
        "issued": issued,
        "labels": PERMISSION_LABELS_BY_VALUE,
    }
    return templates.TemplateResponse(
        request, "organizations/api_key_created.html", context, headers=NO_STORE
    )


@router.post("/api-keys/{api_key_id}/revoke", response_class=HTMLResponse)
async def revoke_api_key(
    request: Request,
    api_key_id: uuid.UUID,
    ctx: KeysWriter,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await api_tokens.revoke_organization_key(session, ctx, api_key_id, origin)
    except AppError as exc:
        context = await _api_keys_context(session, ctx, {}, [])
        refuse(request, exc, "organizations/api_keys.html", context)
    return see_other(_api_keys_url(ctx), notice="api-key-revoked")


# --- audit log -----------------------------------------------------------------------------------


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request,
    ctx: AuditReader,
    session: DbSession,
    action: Annotated[str, Query(max_length=80)] = "",
    actor: Annotated[str, Query(max_length=36)] = "",
    before: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    action = action.strip()
    actor_id = _uuid_or_none(actor)
    page = await audit.list_events(
        session,
        organization_id=ctx.organization.id,
        action=action or None,
        actor_user_id=actor_id,
        before_id=before,
        limit=AUDIT_PAGE_SIZE,
    )
    base = with_query(
        f"/organizations/{ctx.organization.id}/audit",
        action=action or None,
        actor=str(actor_id) if actor_id else None,
    )
    team = (
        await repository.members(session, ctx.organization.id)
        if ctx.can(Permission.MEMBERS_READ)
        else []
    )
    context = {
        **_org_context(ctx, "audit"),
        "events": page.items,
        "filters": {"action": action, "actor": str(actor_id) if actor_id else ""},
        "actors": [(str(user.id), f"{user.name} ({user.email})") for _, user, _ in team],
        "newest_url": base if before else None,
        "older_url": (
            with_query(base, before=str(page.next_before_id)) if page.next_before_id else None
        ),
    }
    return templates.TemplateResponse(request, "organizations/audit.html", context)


# --- settings ------------------------------------------------------------------------------------

LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("nl", "Dutch"),
    ("pt", "Portuguese"),
    ("it", "Italian"),
]
SETTINGS_MESSAGES = {
    "brand_color": "Enter a colour as #RRGGBB, such as #3b4fd8.",
    "logo_url": "Enter the full address of an image (https://…), or leave it empty.",
    "candidate_retention_days": "Enter a number of days from 30 to 3650.",
    "interview_language": "Choose a language from the list.",
    "timezone": "Enter a time zone such as Europe/Berlin (60 characters at most).",
}


def _settings_context(ctx: Ctx, form: dict[str, Any]) -> dict[str, Any]:
    return {
        **_org_context(ctx, "settings"),
        "form": form,
        "languages": LANGUAGES,
        "editable": ctx.can(Permission.ORGANIZATION_SETTINGS_WRITE),
    }


@router.get("/settings", response_class=HTMLResponse)
async def settings_page(request: Request, ctx: SettingsReader, session: DbSession) -> HTMLResponse:
    current = await org_settings.read_settings(session, ctx)
    context = _settings_context(ctx, current.model_dump(mode="json"))
    return templates.TemplateResponse(request, "organizations/settings.html", context)


@router.post("/settings", response_class=HTMLResponse)
async def save_settings(
    request: Request,
    ctx: SettingsWriter,
    session: DbSession,
    origin: RequestOrigin,
    brand_color: Annotated[str, Form()] = "",
    logo_url: Annotated[str, Form()] = "",
    careers_page_enabled: Annotated[str, Form()] = "",
    candidate_retention_days: Annotated[str, Form()] = "",
    email_tracking_enabled: Annotated[str, Form()] = "",
    interview_language: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
) -> Response:
    # The form always sends every setting; an unticked checkbox is simply absent.
    form: dict[str, Any] = {
        "brand_color": brand_color.strip(),
        "logo_url": logo_url.strip() or None,
        "careers_page_enabled": bool(careers_page_enabled),
        "candidate_retention_days": candidate_retention_days.strip(),
        "email_tracking_enabled": bool(email_tracking_enabled),
        "interview_language": interview_language,
        "timezone": timezone.strip(),
    }
    try:
        changes = validated(org_settings.SettingsUpdate, form, SETTINGS_MESSAGES)
        await org_settings.update_settings(session, ctx, changes, origin)
    except AppError as exc:
        fields = {name: name for name in form}
        refuse(
            request, exc, "organizations/settings.html", _settings_context(ctx, form), fields=fields
        )
    return see_other(f"/organizations/{ctx.organization.id}/settings", notice="settings-saved")


# --- single sign-on rules -----------------------------------------------------------------------

SSO_MESSAGES = {
    "domain": "Enter an email domain such as example.com.",
    "provider_key": "Choose a sign-in provider from the list.",
}
SSO_FIELDS = {"domain": "domain", "provider_key": "provider_key"}


def _sso_url(ctx: Ctx) -> str:
    return f"/organizations/{ctx.organization.id}/sso"


async def _sso_context(
    session: AsyncSession, ctx: Ctx, settings: Settings, form: dict[str, str]
) -> dict[str, Any]:
    labels = {p.key: p.label for p in settings.oidc_providers}
    return {
        **_org_context(ctx, "sso"),
        "rules": await sso.list_domains(session, ctx),
        "provider_labels": labels,
        "provider_options": list(labels.items()),
        "form": form,
    }


@router.get("/sso", response_class=HTMLResponse)
async def sso_page(
    request: Request, ctx: SettingsWriter, session: DbSession, settings: AppSettings
) -> HTMLResponse:
    context = await _sso_context(session, ctx, settings, {})
    return templates.TemplateResponse(request, "organizations/sso.html", context)


@router.post("/sso", response_class=HTMLResponse)
async def add_sso_domain(
    request: Request,
    ctx: SettingsWriter,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    domain: Annotated[str, Form(max_length=1000)] = "",
    provider_key: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    form = {"domain": domain.strip(), "provider_key": provider_key}
    try:
        data = validated(SsoDomainCreate, form, SSO_MESSAGES)
        await sso.add_domain(
            session,
            ctx,
            domain=data.domain,
            provider_key=data.provider_key,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        context = await _sso_context(session, ctx, settings, form)
        refuse(request, exc, "organizations/sso.html", context, fields=SSO_FIELDS)
    return see_other(_sso_url(ctx), notice="sso-domain-added")


@router.post("/sso/{sso_domain_id}/remove", response_class=HTMLResponse)
async def remove_sso_domain(
    request: Request,
    sso_domain_id: uuid.UUID,
    ctx: SettingsWriter,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
) -> Response:
    try:
        await sso.remove_domain(session, ctx, sso_domain_id, origin)
    except AppError as exc:
        context = await _sso_context(session, ctx, settings, {})
        refuse(request, exc, "organizations/sso.html", context)
    return see_other(_sso_url(ctx), notice="sso-domain-removed")


# --- accepting an invitation ---------------------------------------------------------------------


def _pending_second_factor(request: Request, principal: SignedIn | None) -> PageResponse | None:
    if principal is None or principal.user_session.mfa_verified_at is not None:
        return None
    here = with_query("/invitations/accept", token=request.query_params.get("token"))
    return PageResponse(navigate(request, with_query("/mfa", next=here)))


async def _invitation_context(
    session: AsyncSession, token: str, principal: SignedIn | None
) -> dict[str, Any]:
    invitation, organization, role, has_account = await invitations.preview(session, token)
    signed_in = principal.user if principal else None
    return {
        "token": token,
        "invitation": invitation,
        "organization": organization,
        "role": role,
        "has_account": has_account,
        "signed_in": signed_in,
        "is_invitee": signed_in is not None and signed_in.email.lower() == invitation.email.lower(),
        "login_url": with_query("/login", next=with_query("/invitations/accept", token=token)),
        "form": {},
    }


@public.get("/invitations/accept", response_class=HTMLResponse)
async def invitation_page(
    request: Request,
    principal: OptionalSession,
    session: DbSession,
    settings: AppSettings,
    token: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """What the invitation is for (reading it uses nothing up; accepting is a POST)."""
    if (pending := _pending_second_factor(request, principal)) is not None:
        raise pending
    if principal is not None:
        await remember_viewer(request, session, principal)
    try:
        context = await _invitation_context(session, token, principal)
    except AppError as exc:
        refuse(request, exc, "organizations/invitation.html", {"failed": True})
    if principal is not None:
        return templates.TemplateResponse(request, "organizations/invitation.html", context)
    # Creating an account without a session: the pre-session form token (see auth.pages).
    form_token = form_csrf_token(request)
    context["csrf_token"] = form_token
    page = templates.TemplateResponse(request, "organizations/invitation.html", context)
    return set_form_csrf_cookie(page, settings, form_token)


@public.post("/invitations/accept", response_class=HTMLResponse)
async def accept_invitation(
    request: Request,
    principal: OptionalSession,
    session: DbSession,
    origin: RequestOrigin,
    token: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: FormCsrfField = "",
) -> Response:
    if (pending := _pending_second_factor(request, principal)) is not None:
        raise pending
    form_token = None if principal is not None else check_form_csrf(request, csrf_token)
    if principal is not None:
        await remember_viewer(request, session, principal)
    try:
        await invitations.accept(
            session,
            token,
            signed_in=principal.user if principal else None,
            name=name.strip() or None,
            password=password or None,
            origin=origin,
        )
    except AppError as exc:
        try:
            context = await _invitation_context(session, token, principal)
        except AppError:
            refuse(request, exc, "organizations/invitation.html", {"failed": True})
        context["form"] = {"name": name}
        if form_token is not None:
            context["csrf_token"] = form_token
        fields = {"name": "name", "password": "password"}
        refuse(request, exc, "organizations/invitation.html", context, fields=fields)
    if principal is None:
        return see_other("/login", notice="account-created")
    return see_other("/account", notice="invitation-accepted")
