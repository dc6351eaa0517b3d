"""Who is calling: `Authorization: Bearer <token>`, or else the session cookie (with CSRF
protection on every unsafe request that relies on the cookie).

A bearer token is a personal API token (`hfp_…`, acts as its user), an organization API key
(`hfo_…`, acts for its organization only) or, when a provider accepts them, a provider's JWT
(acts as the linked user). A request carrying both a bearer token and a session cookie is
authenticated by the token alone: the cookie is ignored, so it needs no CSRF token.

Two families of dependencies:
- `…Principal` (`Principal`): the browser session only. Pages, and the routes about the session
  itself or how one signs in (sign-out, sessions, MFA, password), use these; a bearer token gets
  403 `session-required`. This is also the default for a new route.
- `…User` (`UserCaller`): a person with any credential (session, personal token, provider JWT);
  for API routes that tokens may call. Organization API keys get 403 `user-required`.
  `CurrentCaller` adds organization API keys; `hireflow.authz.context` builds `Ctx` from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.audit.service import Origin
from hireflow.auth import api_tokens, mfa_service, sessions
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings
from hireflow.errors import Forbidden, Unauthorized
from hireflow.kit.tokens import same
from hireflow.models import ApiToken, Organization, User, UserSession

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


class MfaEnrolmentRequired(Forbidden):
    code = "mfa-enrolment-required"
    title = "Set up two-factor authentication first"


class UserRequired(Forbidden):
    code = "user-required"
    title = "Not for organization API keys"


class SessionRequired(Forbidden):
    code = "session-required"
    title = "Only for a signed-in browser session"


@dataclass(frozen=True)
class Principal:
    """A person signed in with the session cookie."""

    user: User
    user_session: UserSession


@dataclass(frozen=True)
class UserCaller:
    """A person calling with the session cookie (`user_session`), a personal API token
    (`api_token`), or a provider's JWT (neither)."""

    user: User
    user_session: UserSession | None = None
    api_token: ApiToken | None = None

    @property
    def second_factor_pending(self) -> bool:
        # API tokens were made by a fully signed-in user, and JWTs are the provider's proof.
        return self.user_session is not None and self.user_session.mfa_verified_at is None


@dataclass(frozen=True)
class ApiKeyCaller:
    """An organization API key: acts for `organization` only, with exactly its scopes."""

    api_key: ApiToken
    organization: Organization


Caller = UserCaller | ApiKeyCaller


async def _csrf_token_sent(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else None
    return None


async def cookie_principal(
    session: AsyncSession, raw: str | None, settings: Settings
) -> Principal | None:
    """The live session a session cookie's value names, with its (enabled) user; None
    otherwise. Requests reach it through the dependencies below; the live WebSocket directly."""
    if not raw:
        return None
    user_session = await sessions.find(session, raw, settings)
    if user_session is None:
        return None
    user = await session.get(User, user_session.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return Principal(user, user_session)


async def enrolment_missing(session: AsyncSession, user: User) -> bool:
    """Whether the user's role requires MFA and they have not set it up yet."""
    return user.mfa_enabled_at is None and await mfa_service.mfa_required(session, user)


async def _session_principal(
    request: Request, session: DbSession, settings: AppSettings
) -> Principal | None:
    principal = await cookie_principal(session, request.cookies.get(SESSION_COOKIE), settings)
    if principal is None:
        return None
    user_session = principal.user_session
    if request.method not in SAFE_METHODS:
        sent = await _csrf_token_sent(request)
        if not sent or not same(sent, user_session.csrf_token):
            raise CsrfFailed(
                "This request did not carry the session's CSRF token. "
                "Reload the page and try again."
            )
    return principal


async def _caller(request: Request, session: DbSession, settings: AppSettings) -> Caller | None:
    """Whoever the bearer token, or else the session cookie, stands for; None: anonymous.
    A bearer token that does not hold is a 401, never an anonymous request."""
    header = request.headers.get("authorization")
    if header is None:
        signed_in = await _session_principal(request, session, settings)
        return None if signed_in is None else UserCaller(signed_in.user, signed_in.user_session)
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise api_tokens.InvalidToken("Send `Authorization: Bearer <token>`.")
    if api_tokens.is_api_token(token):
        credential = await api_tokens.authenticate(session, token)
        if isinstance(credential, api_tokens.PersonalCredential):
            return UserCaller(credential.user, api_token=credential.api_token)
        return ApiKeyCaller(credential.api_token, credential.organization)
    user = await api_tokens.user_for_provider_token(session, settings, token, Origin.of(request))
    return UserCaller(user)


OptionalCaller = Annotated[Caller | None, Depends(_caller)]


async def _require_enrolment(user: User, session: DbSession) -> None:
    if await enrolment_missing(session, user):
        raise MfaEnrolmentRequired(
            "Your role requires two-factor authentication. Set up an authenticator app "
            "(POST /api/v1/auth/mfa/enrol, then /confirm) before doing anything else."
        )


def _second_factor_missing() -> MfaRequired:
    return MfaRequired("Enter the code from your authenticator app to finish signing in.")


# --- the browser session ------------------------------------------------------------------


async def _optional_principal(caller: OptionalCaller) -> Principal | None:
    if caller is None:
        return None
    if isinstance(caller, UserCaller) and caller.user_session is not None:
        return Principal(caller.user, caller.user_session)
    raise SessionRequired(
        "This is only for a browser session: sign in with your password "
        "(POST /api/v1/auth/login) rather than with a token."
    )


OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]


async def _pending_mfa_principal(principal: OptionalPrincipal) -> Principal:
    if principal is None:
        raise Unauthorized("Sign in first.")
    return principal


async def _enrolling_principal(
    principal: Annotated[Principal, Depends(_pending_mfa_principal)],
) -> Principal:
    if principal.user_session.mfa_verified_at is None:
        raise _second_factor_missing()
    return principal


async def _principal(
    principal: Annotated[Principal, Depends(_enrolling_principal)], session: DbSession
) -> Principal:
    await _require_enrolment(principal.user, session)
    return principal


# Signed in with every factor (and MFA set up if their role requires it).
CurrentPrincipal = Annotated[Principal, Depends(_principal)]
# Signed in with the password, the second factor possibly still to come (MFA endpoints only).
PasswordPrincipal = Annotated[Principal, Depends(_pending_mfa_principal)]
# Like CurrentPrincipal, but also for someone whose role requires MFA and who has not set it up
# yet: only for the routes they need to set it up (MFA enrolment, logout).
EnrollingPrincipal = Annotated[Principal, Depends(_enrolling_principal)]


# --- a person with any credential -----------------------------------------------------------


def _person(caller: Caller) -> UserCaller:
    if isinstance(caller, ApiKeyCaller):
        raise UserRequired(
            "Organization API keys can only call the organization's routes "
            "(/api/v1/organizations/{organization_id}/…); this one needs a user."
        )
    return caller


async def _optional_user(caller: OptionalCaller) -> UserCaller | None:
    return None if caller is None else _person(caller)


OptionalUser = Annotated[UserCaller | None, Depends(_optional_user)]


async def _enrolling_user(user: OptionalUser) -> UserCaller:
    if user is None:
        raise Unauthorized("Sign in first.")
    if user.second_factor_pending:
        raise _second_factor_missing()
    return user


async def _current_user(
    user: Annotated[UserCaller, Depends(_enrolling_user)], session: DbSession
) -> UserCaller:
    await _require_enrolment(user.user, session)
    return user


async def _current_caller(caller: OptionalCaller, session: DbSession) -> Caller:
    if isinstance(caller, ApiKeyCaller):
        return caller
    return await _current_user(await _enrolling_user(caller), session)


# As CurrentPrincipal and EnrollingPrincipal, with any credential of a person.
CurrentUser = Annotated[UserCaller, Depends(_current_user)]
EnrollingUser = Annotated[UserCaller, Depends(_enrolling_user)]
# CurrentUser, or an organization API key (`hireflow.authz.context` builds `Ctx` from it).
CurrentCaller = Annotated[Caller, Depends(_current_caller)]
