"""Two-factor authentication JSON routes: set up, sign-in step, recovery codes, status, turn off.

The request and response models are here rather than in `auth/schemas.py` because they are used
by these routes only.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from hireflow.api import API_PREFIX
from hireflow.auth import mfa_service
from hireflow.auth.dependencies import (
    CurrentPrincipal,
    EnrollingPrincipal,
    EnrollingUser,
    PasswordPrincipal,
)
from hireflow.db import DbSession
from hireflow.deps import RequestOrigin

router = APIRouter(prefix=API_PREFIX + "/auth/mfa", tags=["authentication"])

# Six ASCII digits, optionally split "123 456" the way authenticator apps display them.
TotpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{3} ?[0-9]{3}$")]
# Checked against the stored hashes (case, dashes, spaces and look-alikes are forgiven).
RecoveryCodeText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)
]
Password = Annotated[str, Field(min_length=1, max_length=1024)]


class EnrolIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: TotpCode


class VerifyIn(BaseModel):
    """Exactly one of a code from the authenticator app or an unused recovery code."""

    model_config = ConfigDict(extra="forbid")

    code: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("give either `code` or `recovery_code`")
        return self


class DisableIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password
    code: TotpCode


class EnrolmentOut(BaseModel):
    # The base32 secret, for typing into the app when the QR code cannot be scanned.
    secret: str
    otpauth_uri: str
    # An inline SVG QR code of `otpauth_uri` (no styles or scripts).
    qr_svg: str


class RecoveryCodesOut(BaseModel):
    # Shown this once: only their hashes are kept.
    recovery_codes: list[str]


class VerifiedOut(BaseModel):
    method: Literal["totp", "recovery_code"]
    recovery_codes_left: int


class MfaStatusOut(BaseModel):
    enabled: bool
    recovery_codes_left: int
    # The user's role (or platform admin) requires MFA: it cannot be turned off.
    required: bool


@router.get("/status", response_model=MfaStatusOut, summary="My two-factor authentication status")
async def read_status(principal: EnrollingUser, session: DbSession) -> MfaStatusOut:
    status = await mfa_service.mfa_status(session, principal.user)
    return MfaStatusOut(
        enabled=status.enabled,
        recovery_codes_left=status.recovery_codes_left,
        required=status.required,
    )


@router.post(
    "/enrol",
    response_model=EnrolmentOut,
    summary="Start setting up an authenticator app (needs the password)",
    responses={
        403: {"description": "Wrong password"},
        409: {"description": "Two-factor authentication is already on"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def enrol(
    body: EnrolIn, principal: EnrollingPrincipal, session: DbSession, origin: RequestOrigin
) -> EnrolmentOut:
    enrolment = await mfa_service.start_enrolment(
        session, user=principal.user, password=body.password, origin=origin
    )
    return EnrolmentOut(
        secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg
    )


@router.post(
    "/confirm",
    response_model=RecoveryCodesOut,
    summary="Turn two-factor authentication on with a code from the new app",
    responses={
        409: {"description": "Already on, or no set-up started"},
        422: {"description": "The code does not match the new secret"},
    },
)
async def confirm(
    body: CodeIn, principal: EnrollingPrincipal, session: DbSession, origin: RequestOrigin
) -> RecoveryCodesOut:
    codes = await mfa_service.confirm_enrolment(
        session,
        user=principal.user,
        user_session=principal.user_session,
        code=body.code,
        origin=origin,
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/verify",
    response_model=VerifiedOut,
    summary="Finish signing in with a code or a recovery code",
    responses={
        401: {"description": "Wrong or already used code"},
        409: {"description": "This session has already passed the second factor"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def verify(
    body: VerifyIn, principal: PasswordPrincipal, session: DbSession, origin: RequestOrigin
) -> VerifiedOut:
    verified = await mfa_service.verify(
        session,
        user=principal.user,
        user_session=principal.user_session,
        code=body.code,
        recovery_code=body.recovery_code,
        origin=origin,
    )
    return VerifiedOut(method=verified.method, recovery_codes_left=verified.recovery_codes_left)


@router.post(
    "/recovery-codes",
    response_model=RecoveryCodesOut,
    summary="Replace my recovery codes (needs a current code)",
    responses={
        403: {"description": "Wrong or already used code"},
        409: {"description": "Two-factor authentication is off"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def regenerate_recovery_codes(
    body: CodeIn, principal: CurrentPrincipal, session: DbSession, origin: RequestOrigin
) -> RecoveryCodesOut:
    codes = await mfa_service.regenerate_recovery_codes(
        session, user=principal.user, code=body.code, origin=origin
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/disable",
    status_code=204,
    summary="Turn two-factor authentication off (needs the password and a code)",
    responses={
        403: {"description": "Required for your role, or wrong password or code"},
        409: {"description": "Two-factor authentication is off"},
        429: {"description": "Too many attempts (see Retry-After)"},
    },
)
async def disable(
    body: DisableIn, principal: CurrentPrincipal, session: DbSession, origin: RequestOrigin
) -> None:
    await mfa_service.disable(
        session, user=principal.user, password=body.password, code=body.code, origin=origin
    )
