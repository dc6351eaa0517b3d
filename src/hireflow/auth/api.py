"""Sign-in, sign-out and session JSON routes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from hireflow.api import API_PREFIX
from hireflow.auth import service, sessions
from hireflow.auth.dependencies import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    EnrollingPrincipal,
    EnrollingUser,
)
from hireflow.auth.schemas import LoginIn, LoginOut, MembershipRead, MeRead, SessionRead
from hireflow.authz.context import permissions_for
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.organizations import repository as organizations

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["authentication"])


def set_session_cookies(response: Response, settings: Settings, token: str, csrf: str) -> None:
    max_age = settings.session_absolute_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        httponly=False,
        secure=settings.secure_cookies,
        samesite="strict",
        path="/",
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post(
    "/login",
    response_model=LoginOut,
    summary="Sign in with email and password",
    responses={
        401: {"description": "Wrong email or password"},
        403: {"description": "Email address not verified"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def login(
    body: LoginIn,
    response: Response,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
) -> LoginOut:
    signed_in = await service.sign_in(
        session, email=body.email, password=body.password, origin=origin, settings=settings
    )
    set_session_cookies(response, settings, signed_in.token, signed_in.user_session.csrf_token)
    return LoginOut(
        user_id=signed_in.user.id,
        mfa_required=signed_in.mfa_pending,
        csrf_token=signed_in.user_session.csrf_token,
    )


@router.post("/logout", status_code=204, summary="Sign out (ends this session)")
async def logout(
    principal: EnrollingPrincipal, response: Response, session: DbSession, origin: RequestOrigin
) -> None:
    await service.sign_out(
        session, user=principal.user, user_session=principal.user_session, origin=origin
    )
    clear_session_cookies(response)


@router.get("/me", response_model=MeRead, summary="The signed-in user and their organizations")
async def me(principal: EnrollingUser, session: DbSession) -> MeRead:
    user = principal.user
    memberships = await organizations.memberships_of_user(session, user.id)
    return MeRead(
        id=user.id,
        email=user.email,
        name=user.name,
        is_platform_admin=user.is_platform_admin,
        mfa_enabled=user.mfa_enabled_at is not None,
        memberships=[
            MembershipRead(
                organization_id=o.id,
                organization_name=o.name,
                organization_slug=o.slug,
                role=r.key,
                permissions=sorted(p.value for p in permissions_for(r, principal.api_token)),
            )
            for _, o, r in memberships
        ],
    )


@router.get("/sessions", response_model=list[SessionRead], summary="My active sessions")
async def list_sessions(principal: EnrollingPrincipal, session: DbSession) -> list[SessionRead]:
    rows = await sessions.list_for_user(session, principal.user.id)
    return [
        SessionRead.model_validate(row).model_copy(
            update={"current": row.id == principal.user_session.id}
        )
        for row in rows
    ]


@router.delete(
    "/sessions/{session_id}",
    status_code=204,
    summary="End one of my sessions",
    responses={404: {"description": "No active session of yours has this id"}},
)
async def revoke_session(
    session_id: uuid.UUID, principal: EnrollingPrincipal, session: DbSession, origin: RequestOrigin
) -> None:
    await service.revoke_session(session, user=principal.user, session_id=session_id, origin=origin)
