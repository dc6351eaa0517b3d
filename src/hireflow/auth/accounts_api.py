"""Registration, email verification and password JSON routes."""

from __future__ import annotations

from fastapi import APIRouter

from hireflow.api import API_PREFIX
from hireflow.auth import accounts
from hireflow.auth.dependencies import EnrollingPrincipal
from hireflow.auth.schemas import (
    Accepted,
    ChangePasswordIn,
    EmailIn,
    RegisterIn,
    ResetPasswordIn,
    TokenIn,
)
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["accounts"])

CHECK_INBOX = "If the address can receive it, an email with a link is on its way."


@router.post(
    "/register",
    status_code=202,
    response_model=Accepted,
    summary="Register an employer: the organization and its owner",
    responses={
        422: {"description": "Invalid input or a weak password"},
        429: {"description": "Too many registrations from this address"},
    },
)
async def register(
    body: RegisterIn, session: DbSession, settings: AppSettings, origin: RequestOrigin
) -> Accepted:
    await accounts.register_employer(
        session,
        company=body.company,
        name=body.name,
        email=body.email,
        password=body.password,
        phone=body.phone,
        origin=origin,
        settings=settings,
    )
    return Accepted(detail="Check your inbox to confirm your email address.")


@router.post("/verify-email", status_code=204, summary="Confirm an email address")
async def verify_email(body: TokenIn, session: DbSession, origin: RequestOrigin) -> None:
    await accounts.verify_email(session, body.token, origin)


@router.post(
    "/verify-email/resend",
    status_code=202,
    response_model=Accepted,
    summary="Send the confirmation link again",
)
async def resend_verification(
    body: EmailIn, session: DbSession, settings: AppSettings, origin: RequestOrigin
) -> Accepted:
    await accounts.resend_verification(session, body.email, origin, settings)
    return Accepted(detail=CHECK_INBOX)


@router.post(
    "/password/forgot",
    status_code=202,
    response_model=Accepted,
    summary="Email a password-reset link",
)
async def forgot_password(
    body: EmailIn, session: DbSession, settings: AppSettings, origin: RequestOrigin
) -> Accepted:
    await accounts.request_password_reset(session, body.email, origin, settings)
    return Accepted(detail=CHECK_INBOX)


@router.post(
    "/password/reset",
    status_code=204,
    summary="Set a new password with a reset link (signs out every session)",
)
async def reset_password(body: ResetPasswordIn, session: DbSession, origin: RequestOrigin) -> None:
    await accounts.reset_password(session, body.token, body.password, origin)


@router.post(
    "/password/change", status_code=204, summary="Change my password (signs out my other sessions)"
)
async def change_password(
    body: ChangePasswordIn, principal: EnrollingPrincipal, session: DbSession, origin: RequestOrigin
) -> None:
    await accounts.change_password(
        session,
        user=principal.user,
        current=principal.user_session,
        current_password=body.current_password,
        new_password=body.new_password,
        origin=origin,
    )
