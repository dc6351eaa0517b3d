"""SSO routes: the browser's round trip through a provider, the providers list, and the
organization's SSO rules."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from hireflow.api import API_PREFIX
from hireflow.auth import oidc, sso
from hireflow.auth.api import set_session_cookies
from hireflow.authz.context import Ctx, requires
from hireflow.authz.permissions import Permission
from hireflow.config import signing_key
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.kit.signing import sign, unsign

LOGIN_COOKIE = "hf_oidc"
LOGIN_MAX_AGE = 900

browser = APIRouter(prefix="/auth/oidc", include_in_schema=False)
router = APIRouter(prefix=API_PREFIX, tags=["sso"])


def _callback_url(request: Request, provider_key: str) -> str:
    return str(request.url_for("oidc_callback", provider_key=provider_key))


@browser.get("/{provider_key}/login")
async def oidc_login(
    provider_key: str, request: Request, settings: AppSettings
) -> RedirectResponse:
    chosen = sso.provider(settings, provider_key)
    url, state = await oidc.begin_login(chosen, _callback_url(request, provider_key))
    response = RedirectResponse(url, status_code=303)
    # Signed and HttpOnly: only this browser can finish the login it started.
    response.set_cookie(
        LOGIN_COOKIE,
        sign(dataclasses.asdict(state), signing_key(settings)),
        max_age=LOGIN_MAX_AGE,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/auth/oidc",
    )
    return response


@browser.get("/{provider_key}/callback", name="oidc_callback")
async def oidc_callback(
    provider_key: str,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    code: Annotated[str, Query(min_length=1, max_length=2048)],
    state: Annotated[str, Query(min_length=1, max_length=512)],
) -> RedirectResponse:
    chosen = sso.provider(settings, provider_key)
    stored = unsign(
        request.cookies.get(LOGIN_COOKIE, ""), signing_key(settings), max_age_seconds=LOGIN_MAX_AGE
    )
    if stored is None:
        raise oidc.OidcTokenInvalid(
            "This sign-in took too long or was started elsewhere. Start again."
        )
    try:
        login_state = oidc.LoginState(**stored)
    except TypeError as exc:
        raise oidc.OidcTokenInvalid("This sign-in cannot be finished. Start again.") from exc
    identity = await oidc.complete_login(
        chosen, state, code, login_state, _callback_url(request, provider_key)
    )
    signed_in = await sso.sign_in_with_identity(session, chosen, identity, origin, settings)
    response = RedirectResponse("/mfa" if signed_in.mfa_pending else "/", status_code=303)
    set_session_cookies(response, settings, signed_in.token, signed_in.user_session.csrf_token)
    response.delete_cookie(LOGIN_COOKIE, path="/auth/oidc")
    return response


class ProviderRead(BaseModel):
    key: str
    label: str
    login_url: str


@router.get(
    "/auth/sso/providers",
    response_model=list[ProviderRead],
    summary="Identity providers one can sign in with",
)
async def list_providers(settings: AppSettings) -> list[ProviderRead]:
    return [
        ProviderRead(key=p.key, label=p.label, login_url=f"/auth/oidc/{p.key}/login")
        for p in settings.oidc_providers
    ]


class SsoDomainCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domain: str = Field(
        min_length=3,
        max_length=253,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9-]+)+$",
    )
    provider_key: str = Field(min_length=1, max_length=40)


class SsoDomainRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    domain: str
    provider_key: str


@router.post(
    "/organizations/{organization_id}/sso-domains",
    response_model=SsoDomainRead,
    status_code=201,
    summary="Require SSO for an email domain",
)
async def add_sso_domain(
    body: SsoDomainCreate,
    ctx: Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))],
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
) -> SsoDomainRead:
    rule = await sso.add_domain(
        session,
        ctx,
        domain=body.domain,
        provider_key=body.provider_key,
        origin=origin,
        settings=settings,
    )
    return SsoDomainRead.model_validate(rule)


@router.get(
    "/organizations/{organization_id}/sso-domains",
    response_model=list[SsoDomainRead],
    summary="The organization's SSO rules",
)
async def list_sso_domains(
    ctx: Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_READ))], session: DbSession
) -> list[SsoDomainRead]:
    return [SsoDomainRead.model_validate(r) for r in await sso.list_domains(session, ctx)]


@router.delete(
    "/organizations/{organization_id}/sso-domains/{sso_domain_id}",
    status_code=204,
    summary="Stop requiring SSO for a domain",
)
async def remove_sso_domain(
    sso_domain_id: uuid.UUID,
    ctx: Annotated[Ctx, Depends(requires(Permission.ORGANIZATION_SETTINGS_WRITE))],
    session: DbSession,
    origin: RequestOrigin,
) -> None:
    await sso.remove_domain(session, ctx, sso_domain_id, origin)
