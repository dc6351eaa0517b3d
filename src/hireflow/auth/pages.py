"""HTML pages for accounts: registration and email confirmation, sign-in with the second factor,
forgotten passwords, and the account's own pages (profile, password, two-factor set-up,
sessions).

Thin routes over the services the JSON API calls (`auth.service`, `auth.accounts`,
`auth.mfa_service`). Forms work without JavaScript: a refused form comes back with the error
next to its field (an htmx request gets the shared error toast instead), and a form that
succeeds redirects (303) to a page that shows a notice.

The page guards here (`AccountSession`, `MemberSession`) send whoever may not see a page
where they can fix that: to the sign-in page, to the second factor, or to setting up MFA.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hireflow.auth import accounts, api_tokens, mfa_service, service, sessions
from hireflow.auth.accounts import InvalidLink
from hireflow.auth.api import clear_session_cookies, set_session_cookies
from hireflow.auth.api_tokens_api import PersonalTokenCreate
from hireflow.auth.dependencies import (
    CSRF_FORM_FIELD,
    CsrfFailed,
    OptionalPrincipal,
    UserCaller,
)
from hireflow.auth.mfa import provisioning_uri, qr_svg
from hireflow.auth.schemas import ChangePasswordIn, EmailIn, LoginIn, RegisterIn
from hireflow.auth.service import EmailNotVerified, SsoRequired
from hireflow.authz.context import permissions_of
from hireflow.authz.permissions import Permission
from hireflow.config import Settings
from hireflow.db import DbSession
from hireflow.deps import AppSettings, RequestOrigin
from hireflow.errors import AppError, Unauthorized
from hireflow.inapp import service as inapp
from hireflow.kit.tokens import new_token, same
from hireflow.models import User, UserSession
from hireflow.organizations import repository as organizations
from hireflow.web.permissions import (
    PERMISSION_LABELS_BY_VALUE,
    PermissionGroup,
    grouped_permissions,
)
from hireflow.web.templating import (
    FormInvalid,
    Notice,
    PageResponse,
    Viewer,
    ViewerOrganization,
    navigate,
    refuse,
    register_notices,
    safe_next,
    see_other,
    templates,
    validated,
    with_query,
)

router = APIRouter(include_in_schema=False)

MFA_SETUP = "/account/security/mfa"
SECURITY = "/account/security"
# Pages showing secrets (a new TOTP secret, recovery codes) are never stored by caches.
NO_STORE = {"Cache-Control": "no-store"}

register_notices(
    {
        "signed-out": Notice("info", "Signed out", "You have been signed out of this browser."),
        "password-reset": Notice(
            "success",
            "Password changed",
            "Sign in with your new password. Every session of the account was signed out.",
        ),
        "password-changed": Notice(
            "success", "Password changed", "Your other sessions were signed out."
        ),
        "session-ended": Notice(
            "success", "Session signed out", "That browser has to sign in again."
        ),
        "mfa-off": Notice("success", "Two-factor authentication is off"),
        "token-revoked": Notice("success", "API token revoked", "It no longer works."),
        "account-created": Notice(
            "success", "Account created", "Sign in with your email address and new password."
        ),
        "recovery-code-used": Notice(
            "warning",
            "Recovery code used",
            "Each recovery code works once. Make new ones on the security page if few are left.",
        ),
    }
)

Next = Annotated[str | None, Query(alias="next", max_length=2000)]
NextField = Annotated[str, Form(alias="next", max_length=2000)]


# --- guards ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignedIn:
    """Someone signed in to this browser with the session cookie."""

    user: User
    user_session: UserSession


async def _browser_session(principal: OptionalPrincipal) -> SignedIn | None:
    """The session cookie's user, CSRF token checked on forms. Pages are for browsers: API
    tokens count as signed out here."""
    if principal is None or principal.user_session is None:
        return None
    return SignedIn(principal.user, principal.user_session)


OptionalSession = Annotated[SignedIn | None, Depends(_browser_session)]


def _here(request: Request) -> str | None:
    """This page's address, to come back to after signing in (GET only: a form's target
    cannot be opened again)."""
    if request.method not in ("GET", "HEAD"):
        return None
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _next_param(target: str | None) -> str | None:
    return target if target and target != "/" else None


def _send_to(request: Request, path: str) -> PageResponse:
    return PageResponse(navigate(request, with_query(path, next=_next_param(_here(request)))))


async def remember_viewer(request: Request, session: DbSession, principal: SignedIn) -> Viewer:
    """Tell base.html who is signed in (navigation, the CSRF token of forms and htmx)."""
    rows = await organizations.memberships_of_user(session, principal.user.id)
    viewer = Viewer(
        name=principal.user.name,
        email=principal.user.email,
        csrf_token=principal.user_session.csrf_token,
        is_platform_admin=principal.user.is_platform_admin,
        unread_notifications=await inapp.nav_unread_count(session, principal.user.id),
        organizations=tuple(
            ViewerOrganization(
                id=organization.id,
                name=organization.name,
                role=role.name,
                permissions=frozenset(p.value for p in permissions_of(role)),
            )
            for _, organization, role in rows
        ),
    )
    request.state.viewer = viewer
    return viewer


async def _account_page(
    request: Request, principal: OptionalSession, session: DbSession
) -> SignedIn:
    if principal is None:
        raise _send_to(request, "/login")
    if principal.user_session.mfa_verified_at is None:
        raise _send_to(request, "/mfa")
    await remember_viewer(request, session, principal)
    return principal


async def member_page(
    request: Request,
    principal: Annotated[SignedIn, Depends(_account_page)],
    session: DbSession,
) -> SignedIn:
    """The guard of pages that need a complete sign-in, MFA set up where the role requires it
    (what `CurrentPrincipal` demands of the API)."""
    if principal.user.mfa_enabled_at is None and await mfa_service.mfa_required(
        session, principal.user
    ):
        raise _send_to(request, MFA_SETUP)
    return principal


# Signed in with every factor; MFA possibly still to set up (the account's own pages).
AccountSession = Annotated[SignedIn, Depends(_account_page)]
# Signed in with every factor and MFA set up where required (everything else).
MemberSession = Annotated[SignedIn, Depends(member_page)]


def _page(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, headers=headers)


# --- forms that start a session or an account without one (login CSRF) -----------------------

# Before a session exists there is no session CSRF token: the sign-in, registration and
# invitation forms use a double-submit token instead. Their page sets this cookie and renders
# the same value in the form; the POST must send both, equal. A third-party site can neither
# read nor set the cookie (HttpOnly, SameSite=Strict), so it cannot sign a visitor in as itself.
FORM_CSRF_COOKIE = "hf_form_csrf"
FORM_CSRF_MAX_AGE = 2 * 3600
FormCsrfField = Annotated[str, Form(alias=CSRF_FORM_FIELD, max_length=200)]


def form_csrf_token(request: Request) -> str:
    """The browser's pre-session form token: the cookie it already has, or a new one."""
    existing = request.cookies.get(FORM_CSRF_COOKIE, "")
    return existing if 20 <= len(existing) <= 200 else new_token()


def set_form_csrf_cookie(response: Response, settings: Settings, token: str) -> Response:
    response.set_cookie(
        FORM_CSRF_COOKIE,
        token,
        max_age=FORM_CSRF_MAX_AGE,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="strict",
        path="/",
    )
    return response


def check_form_csrf(request: Request, sent: str) -> str:
    """Refuse (403 `csrf-failed`) a pre-session form whose token is missing or is not the
    cookie's; returns the token, to render again in a refused form."""
    cookie = request.cookies.get(FORM_CSRF_COOKIE, "")
    if not cookie or not sent or not same(cookie, sent):
        raise CsrfFailed(
            "This form did not carry its security token (or cookies are off). "
            "Reload the page and try again."
        )
    return sent


# --- sign-in, second factor, sign-out ------------------------------------------------------

LOGIN_MESSAGES = {
    "email": "Enter your email address.",
    "password": "Enter your password.",
}


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request, principal: OptionalSession, settings: AppSettings, next_: Next = None
) -> Response:
    target = safe_next(next_)
    if principal is not None:
        if principal.user_session.mfa_verified_at is None:
            return RedirectResponse(with_query("/mfa", next=_next_param(target)), 303)
        return RedirectResponse(target, 303)
    token = form_csrf_token(request)
    page = _page(request, "auth/login.html", {"form": {}, "next": target, "csrf_token": token})
    return set_form_csrf_cookie(page, settings, token)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next_: NextField = "",
    csrf_token: FormCsrfField = "",
) -> Response:
    token = check_form_csrf(request, csrf_token)
    target = safe_next(next_)
    context: dict[str, Any] = {"form": {"email": email}, "next": target, "csrf_token": token}
    try:
        credentials = validated(LoginIn, {"email": email, "password": password}, LOGIN_MESSAGES)
        signed_in = await service.sign_in(
            session,
            email=credentials.email,
            password=credentials.password,
            origin=origin,
            settings=settings,
        )
    except EmailNotVerified as exc:
        refuse(request, exc, "auth/login.html", {**context, "unverified": True})
    except SsoRequired as exc:
        refuse(request, exc, "auth/login.html", {**context, "sso_url": exc.extra.get("login_url")})
    except AppError as exc:
        refuse(request, exc, "auth/login.html", context)
    user = signed_in.user
    if signed_in.mfa_pending:
        destination = with_query("/mfa", next=_next_param(target))
    elif user.mfa_enabled_at is None and await mfa_service.mfa_required(session, user):
        destination = with_query(MFA_SETUP, next=_next_param(target))
    else:
        destination = target
    response = RedirectResponse(destination, status_code=303)
    set_session_cookies(response, settings, signed_in.token, signed_in.user_session.csrf_token)
    return response


@router.get("/mfa", response_class=HTMLResponse)
async def mfa_page(request: Request, principal: OptionalSession, next_: Next = None) -> Response:
    target = safe_next(next_)
    if principal is None:
        return RedirectResponse(with_query("/login", next=_next_param(target)), 303)
    if principal.user_session.mfa_verified_at is not None:
        return RedirectResponse(target, 303)
    return _page(
        request,
        "auth/mfa.html",
        {"next": target, "csrf_token": principal.user_session.csrf_token},
    )


@router.post("/mfa", response_class=HTMLResponse)
async def mfa_verify(
    request: Request,
    principal: OptionalSession,
    session: DbSession,
    origin: RequestOrigin,
    code: Annotated[str, Form(max_length=64)] = "",
    recovery_code: Annotated[str, Form(max_length=64)] = "",
    method: Annotated[str, Form(max_length=20)] = "totp",
    next_: NextField = "",
) -> Response:
    target = safe_next(next_)
    if principal is None:
        return navigate(request, with_query("/login", next=_next_param(target)))
    if principal.user_session.mfa_verified_at is not None:
        return see_other(target)
    use_recovery = method == "recovery_code"
    context = {
        "next": target,
        "csrf_token": principal.user_session.csrf_token,
        "use_recovery": use_recovery,
    }
    field = "recovery_code" if use_recovery else "code"
    try:
        if not (code.strip() or recovery_code.strip()):
            raise FormInvalid(
                {
                    field: "Enter an unused recovery code."
                    if use_recovery
                    else "Enter the 6-digit code from your authenticator app."
                }
            )
        verified = await mfa_service.verify(
            session,
            user=principal.user,
            user_session=principal.user_session,
            code=None if use_recovery else code.strip(),
            recovery_code=recovery_code.strip() if use_recovery else None,
            origin=origin,
        )
    except mfa_service.MfaAlreadyVerified:
        return see_other(target)
    except AppError as exc:
        refuse(request, exc, "auth/mfa.html", context, default_field=field)
    notice = "recovery-code-used" if verified.method == "recovery_code" else None
    return see_other(target, notice=notice)


@router.post("/logout")
async def logout(principal: OptionalSession, session: DbSession, origin: RequestOrigin) -> Response:
    """Sign out (also from a sign-in still waiting for its second factor)."""
    if principal is not None:
        await service.sign_out(
            session, user=principal.user, user_session=principal.user_session, origin=origin
        )
    response = see_other("/login", notice="signed-out")
    clear_session_cookies(response)
    return response


# --- registration and email confirmation ---------------------------------------------------

REGISTER_MESSAGES = {
    "company": "Enter your company's name (200 characters at most).",
    "name": "Enter your name (200 characters at most).",
    "email": "Enter your email address.",
    "password": "Choose a password.",
    "phone": "Enter a phone number such as +44 20 7946 0000, or leave it empty.",
}
REGISTER_FIELDS = {"email": "email", "password": "password", "name": "name", "company": "company"}
InboxReason = Literal["register", "verify", "reset"]


@router.get("/register", response_class=HTMLResponse)
async def register_page(request: Request, settings: AppSettings) -> Response:
    token = form_csrf_token(request)
    page = _page(request, "auth/register.html", {"form": {}, "csrf_token": token})
    return set_form_csrf_cookie(page, settings, token)


@router.post("/register", response_class=HTMLResponse)
async def register(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    company: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    csrf_token: FormCsrfField = "",
) -> Response:
    token = check_form_csrf(request, csrf_token)
    form = {"company": company, "name": name, "email": email, "phone": phone}
    try:
        data = validated(
            RegisterIn,
            {**form, "password": password, "phone": phone.strip() or None},
            REGISTER_MESSAGES,
        )
        await accounts.register_employer(
            session,
            company=data.company,
            name=data.name,
            email=data.email,
            password=data.password,
            phone=data.phone,
            origin=origin,
            settings=settings,
        )
    except AppError as exc:
        context = {"form": form, "csrf_token": token}
        refuse(request, exc, "auth/register.html", context, fields=REGISTER_FIELDS)
    return see_other("/check-inbox?reason=register")


@router.get("/check-inbox", response_class=HTMLResponse)
async def check_inbox(request: Request, reason: InboxReason = "register") -> HTMLResponse:
    return _page(request, "auth/check_inbox.html", {"reason": reason})


def _token_of_link(token: str, what: str) -> str:
    if not 10 <= len(token) <= 200:
        raise InvalidLink(f"This {what} link is incomplete. Copy the whole link from the email.")
    return token


@router.get("/verify-email", response_class=HTMLResponse)
async def verify_email_page(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    # Following the link only shows a button: a mail scanner opening it confirms nothing.
    return _page(request, "auth/verify_email.html", {"token": token, "state": "confirm"})


@router.post("/verify-email", response_class=HTMLResponse)
async def verify_email(
    request: Request,
    session: DbSession,
    origin: RequestOrigin,
    token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        await accounts.verify_email(session, _token_of_link(token, "confirmation"), origin)
    except AppError as exc:
        refuse(request, exc, "auth/verify_email.html", {"token": "", "state": "failed"})
    return _page(request, "auth/verify_email.html", {"state": "done"})


@router.get("/verify-email/resend", response_class=HTMLResponse)
async def resend_verification_page(request: Request) -> HTMLResponse:
    return _page(request, "auth/email_form.html", {"purpose": "verify", "form": {}})


@router.post("/verify-email/resend", response_class=HTMLResponse)
async def resend_verification(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    email: Annotated[str, Form()] = "",
) -> Response:
    context = {"purpose": "verify", "form": {"email": email}}
    try:
        data = validated(EmailIn, {"email": email}, LOGIN_MESSAGES)
        await accounts.resend_verification(session, data.email, origin, settings)
    except AppError as exc:
        refuse(request, exc, "auth/email_form.html", context, fields={"email": "email"})
    return see_other("/check-inbox?reason=verify")


# --- forgotten password ----------------------------------------------------------------------


@router.get("/forgot-password", response_class=HTMLResponse)
async def forgot_password_page(request: Request) -> HTMLResponse:
    return _page(request, "auth/email_form.html", {"purpose": "reset", "form": {}})


@router.post("/forgot-password", response_class=HTMLResponse)
async def forgot_password(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    origin: RequestOrigin,
    email: Annotated[str, Form()] = "",
) -> Response:
    context = {"purpose": "reset", "form": {"email": email}}
    try:
        data = validated(EmailIn, {"email": email}, LOGIN_MESSAGES)
        await accounts.request_password_reset(session, data.email, origin, settings)
    except AppError as exc:
        refuse(request, exc, "auth/email_form.html", context, fields={"email": "email"})
    return see_other("/check-inbox?reason=reset")


@router.get("/reset-password", response_class=HTMLResponse)
async def reset_password_page(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> HTMLResponse:
    return _page(request, "auth/reset_password.html", {"token": token})


@router.post("/reset-password", response_class=HTMLResponse)
async def reset_password(
    request: Request,
    session: DbSession,
    origin: RequestOrigin,
    token: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    try:
        if not password:
            raise FormInvalid({"password": "Choose a new password."})
        await accounts.reset_password(session, _token_of_link(token, "reset"), password, origin)
    except InvalidLink as exc:
        refuse(request, exc, "auth/reset_password.html", {"token": "", "link_failed": True})
    except AppError as exc:
        refuse(
            request,
            exc,
            "auth/reset_password.html",
            {"token": token},
            fields={"password": "password"},
        )
    return see_other("/login", notice="password-reset")


# --- the account's own pages -----------------------------------------------------------------

CHANGE_PASSWORD_MESSAGES = {
    "current_password": "Enter your current password.",
    "new_password": "Choose a new password.",
}


@router.get("/account", response_class=HTMLResponse)
async def account_page(request: Request, principal: AccountSession) -> HTMLResponse:
    return _page(request, "auth/account.html", {"user": principal.user})


@router.post("/account/password", response_class=HTMLResponse)
async def change_password(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
) -> Response:
    context = {"user": principal.user}
    try:
        data = validated(
            ChangePasswordIn,
            {"current_password": current_password, "new_password": new_password},
            CHANGE_PASSWORD_MESSAGES,
        )
        await accounts.change_password(
            session,
            user=principal.user,
            current=principal.user_session,
            current_password=data.current_password,
            new_password=data.new_password,
            origin=origin,
        )
    except Unauthorized as exc:
        refuse(request, exc, "auth/account.html", context, default_field="current_password")
    except AppError as exc:
        refuse(request, exc, "auth/account.html", context, fields={"password": "new_password"})
    return see_other("/account", notice="password-changed")


async def _security_context(
    request: Request,
    session: DbSession,
    principal: SignedIn,
    form: dict[str, str] | None = None,
    checked: Iterable[str] = (),
) -> dict[str, Any]:
    return {
        "mfa": await mfa_service.mfa_status(session, principal.user),
        "sessions": await sessions.list_for_user(session, principal.user.id),
        "current_session_id": principal.user_session.id,
        "tokens": await api_tokens.list_personal_tokens(session, principal.user),
        "form": form or {},
        "scope_groups": _scope_groups(request, checked),
        "labels": PERMISSION_LABELS_BY_VALUE,
    }


@router.get("/account/security", response_class=HTMLResponse)
async def security_page(
    request: Request, principal: AccountSession, session: DbSession
) -> HTMLResponse:
    return _page(
        request, "auth/security.html", await _security_context(request, session, principal)
    )


@router.post("/account/security/sessions/{session_id}/revoke", response_class=HTMLResponse)
async def revoke_session(
    request: Request,
    session_id: uuid.UUID,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await service.revoke_session(
            session, user=principal.user, session_id=session_id, origin=origin
        )
    except AppError as exc:
        context = await _security_context(request, session, principal)
        refuse(request, exc, "auth/security.html", context)
    if session_id == principal.user_session.id:
        return navigate(request, "/login?notice=signed-out")
    return see_other(SECURITY, notice="session-ended")


@router.post("/account/security/recovery-codes", response_class=HTMLResponse)
async def regenerate_recovery_codes(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    regenerate_code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        if not regenerate_code.strip():
            raise FormInvalid({"regenerate_code": "Enter the current code from your app."})
        codes = await mfa_service.regenerate_recovery_codes(
            session, user=principal.user, code=regenerate_code, origin=origin
        )
    except AppError as exc:
        context = await _security_context(request, session, principal)
        refuse(request, exc, "auth/security.html", context, default_field="regenerate_code")
    return _page(
        request,
        "auth/recovery_codes.html",
        {"codes": codes, "continue_to": SECURITY, "first_time": False},
        headers=NO_STORE,
    )


@router.post("/account/security/mfa/disable", response_class=HTMLResponse)
async def disable_mfa(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    disable_password: Annotated[str, Form(max_length=1024)] = "",
    disable_code: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    try:
        missing = {
            name: message
            for name, value, message in (
                ("disable_password", disable_password, "Enter your password."),
                ("disable_code", disable_code.strip(), "Enter the current code from your app."),
            )
            if not value
        }
        if missing:
            raise FormInvalid(missing)
        await mfa_service.disable(
            session,
            user=principal.user,
            password=disable_password,
            code=disable_code,
            origin=origin,
        )
    except mfa_service.ReauthenticationFailed as exc:
        context = await _security_context(request, session, principal)
        refuse(request, exc, "auth/security.html", context, default_field="disable_code")
    except AppError as exc:
        context = await _security_context(request, session, principal)
        refuse(request, exc, "auth/security.html", context)
    return see_other(SECURITY, notice="mfa-off")


def _pending_enrolment(user: User) -> mfa_service.Enrolment | None:
    """The authenticator set-up in progress, shown again when its confirmation code is wrong."""
    secret = user.mfa_pending_secret
    if secret is None:
        return None
    uri = provisioning_uri(secret, account=user.email, issuer=mfa_service.ISSUER)
    return mfa_service.Enrolment(secret=secret, otpauth_uri=uri, qr_svg=qr_svg(uri))


async def _setup_context(
    session: DbSession, principal: SignedIn, target: str, step: str
) -> dict[str, Any]:
    return {
        "step": step,
        "next": target,
        "required": await mfa_service.mfa_required(session, principal.user),
    }


@router.get(MFA_SETUP, response_class=HTMLResponse)
async def mfa_setup_page(
    request: Request, principal: AccountSession, session: DbSession, next_: Next = None
) -> Response:
    context = await _setup_context(session, principal, safe_next(next_, SECURITY), "password")
    return _page(request, "auth/mfa_setup.html", context)


@router.post(MFA_SETUP, response_class=HTMLResponse)
async def mfa_setup_start(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    password: Annotated[str, Form(max_length=1024)] = "",
    next_: NextField = "",
) -> Response:
    context = await _setup_context(session, principal, safe_next(next_, SECURITY), "password")
    try:
        if not password:
            raise FormInvalid({"password": "Enter your password."})
        enrolment = await mfa_service.start_enrolment(
            session, user=principal.user, password=password, origin=origin
        )
    except mfa_service.ReauthenticationFailed as exc:
        refuse(request, exc, "auth/mfa_setup.html", context, default_field="password")
    except AppError as exc:
        refuse(request, exc, "auth/mfa_setup.html", context, fields={"password": "password"})
    return _page(
        request,
        "auth/mfa_setup.html",
        {**context, "step": "scan", "enrolment": enrolment},
        headers=NO_STORE,
    )


@router.post(MFA_SETUP + "/confirm", response_class=HTMLResponse)
async def mfa_setup_confirm(
    request: Request,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
    code: Annotated[str, Form(max_length=64)] = "",
    next_: NextField = "",
) -> Response:
    target = safe_next(next_, SECURITY)
    context = await _setup_context(session, principal, target, "scan")
    try:
        if not code.strip():
            raise FormInvalid({"code": "Enter the 6-digit code your app shows now."})
        codes = await mfa_service.confirm_enrolment(
            session,
            user=principal.user,
            user_session=principal.user_session,
            code=code,
            origin=origin,
        )
    except AppError as exc:
        enrolment = _pending_enrolment(principal.user)
        if enrolment is None:
            refuse(request, exc, "auth/mfa_setup.html", {**context, "step": "password"})
        refuse(
            request,
            exc,
            "auth/mfa_setup.html",
            {**context, "enrolment": enrolment},
            default_field="code",
            headers=NO_STORE,
        )
    return _page(
        request,
        "auth/recovery_codes.html",
        {"codes": codes, "continue_to": target, "first_time": True},
        headers=NO_STORE,
    )


# --- personal API tokens -----------------------------------------------------------------------

TOKEN_MESSAGES = {
    "name": "Give the token a name (100 characters at most).",
    "expires_in_days": "Enter a number of days from 1 to 365, or leave it empty.",
    "scopes": "Choose permissions from the list.",
}
TOKEN_FIELDS = {"name": "name", "scopes": "scopes"}


def _scope_groups(request: Request, checked: Iterable[str]) -> list[PermissionGroup]:
    """The scopes a token may be limited to, grouped as in the role editor: those the user has
    in any of their organizations can be chosen."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    held = {p for o in viewer.organizations for p in o.permissions} if viewer else set()
    return grouped_permissions(checked, [p for p in Permission if p.value in held])


@router.post(SECURITY + "/tokens", response_class=HTMLResponse)
async def create_personal_token(
    request: Request,
    principal: MemberSession,
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
            PersonalTokenCreate,
            {"name": name, "expires_in_days": expires_in_days.strip() or None, "scopes": chosen},
            TOKEN_MESSAGES,
        )
        issued = await api_tokens.create_personal_token(
            session,
            UserCaller(principal.user, principal.user_session),
            name=data.name,
            scopes=data.scopes,
            expires_in_days=data.expires_in_days,
            origin=origin,
        )
    except AppError as exc:
        context = await _security_context(request, session, principal, form, chosen)
        refuse(request, exc, "auth/security.html", context, fields=TOKEN_FIELDS)
    # The token is in this answer only: never in a URL, a redirect or a cache.
    return _page(
        request,
        "auth/token_created.html",
        {"issued": issued, "labels": PERMISSION_LABELS_BY_VALUE},
        headers=NO_STORE,
    )


@router.post(SECURITY + "/tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_personal_token(
    request: Request,
    token_id: uuid.UUID,
    principal: AccountSession,
    session: DbSession,
    origin: RequestOrigin,
) -> Response:
    try:
        await api_tokens.revoke_personal_token(session, principal.user, token_id, origin)
    except AppError as exc:
        context = await _security_context(request, session, principal)
        refuse(request, exc, "auth/security.html", context)
    return see_other(SECURITY, notice="token-revoked")
