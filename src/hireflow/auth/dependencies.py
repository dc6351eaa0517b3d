"""Who is calling: the signed-in user from the session cookie, with CSRF protection on every
unsafe request that relies on the cookie."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from hireflow.auth import mfa_service, sessions
from hireflow.db import DbSession
from hireflow.deps import AppSettings
from hireflow.errors import Forbidden, Unauthorized
from hireflow.kit.tokens import same
from hireflow.models import User, UserSession

SESSION_COOKIE = "hf_session"
CSRF_COOKIE = "hf_csrf"  # readable by the page's script, which echoes it in the header
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(Forbidden):
    code = "csrf-failed"
    title = "Missing or wrong CSRF token"


class MfaRequired(Unauthorized):
    code = "mfa-required"
    title = "Second factor required"


@dataclass(frozen=True)
class Principal:
    user: User
    user_session: UserSession


async def _csrf_token_sent(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else None
    return None


async def _session_principal(
    request: Request, session: DbSession, settings: AppSettings
) -> Principal | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    user_session = await sessions.find(session, raw, settings)
    if user_session is None:
        return None
    user = await session.get(User, user_session.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if request.method not in SAFE_METHODS:
        sent = await _csrf_token_sent(request)
        if not sent or not same(sent, user_session.csrf_token):
            raise CsrfFailed(
                "This request did not carry the session's CSRF token. "
                "Reload the page and try again."
            )
    return Principal(user, user_session)


OptionalPrincipal = Annotated[Principal | None, Depends(_session_principal)]


async def _pending_mfa_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise Unauthorized("Sign in first.")
    return principal


async def _principal(
    principal: Annotated[Principal, Depends(_pending_mfa_principal)], session: DbSession
) -> Principal:
    _require_second_factor(principal)
    if principal.user.mfa_enabled_at is None and await mfa_service.mfa_required(
        session, principal.user
    ):
        raise MfaEnrolmentRequired(
            "Your role requires two-factor authentication. Set up an authenticator app "
            "(POST /api/v1/auth/mfa/enrol, then /confirm) before doing anything else."
        )
    return principal


class MfaEnrolmentRequired(Forbidden):
    code = "mfa-enrolment-required"
    title = "Set up two-factor authentication first"


def _require_second_factor(principal: Principal) -> None:
    if principal.user_session.mfa_verified_at is None:
        raise MfaRequired("Enter the code from your authenticator app to finish signing in.")


async def _enrolling_principal(
    principal: Annotated[Principal, Depends(_pending_mfa_principal)],
) -> Principal:
    _require_second_factor(principal)
    return principal


# A signed-in user who has completed every factor (and set up MFA if their role requires it).
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
# Signed in with the password, the second factor possibly still to come (MFA endpoints only).
PasswordPrincipal = Annotated[Principal, Depends(_pending_mfa_principal)]
# Like CurrentPrincipal, but also for someone whose role requires MFA and who has not set it up
# yet: only for the routes they need to set it up (MFA enrolment, /auth/me, logout).
EnrollingPrincipal = Annotated[Principal, Depends(_enrolling_principal)]
