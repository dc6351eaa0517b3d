"""The identity pages over HTTP: sign-in with the second factor, registration and email
confirmation, password reset, the account pages, team, roles, audit log and invitations."""

from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import httpx
import pyotp
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, select

from hireflow.auth import pages as auth_pages
from hireflow.auth.dependencies import SESSION_COOKIE
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.kit.passwords import verify_password
from hireflow.kit.tokens import hash_token, new_token
from hireflow.models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Organization,
    Role,
    SsoDomain,
    User,
    UserSession,
)
from hireflow.organizations import pages as organization_pages
from hireflow.organizations import repository
from hireflow.web.templating import SESSION_COOKIE_NAME
from tests.factories.api_tokens import make_organization_key, make_personal_token
from tests.factories.mail import emails_to, link_token
from tests.factories.organizations import make_organization
from tests.factories.users import MFA_SECRET, PASSWORD, make_member, make_user
from tests.web.test_pages import HTML, HTMX, Markup, assert_html

STRONG = "quartz-lagoon-7-ember-thistle"
SOME_ID = "7d6f8a5e-2b1c-4c3d-9e8f-0a1b2c3d4e5f"  # fixed: xdist workers must collect alike


def csrf_of(client: httpx.AsyncClient) -> str:
    return str(client.cookies["hf_csrf"])


FORM_CSRF = "hf_form_csrf"


async def form_token(client: httpx.AsyncClient, path: str = "/login") -> str:
    """Open a form that works without a session, as a browser would before posting it: the
    page sets the pre-session CSRF cookie and renders the same value in the form."""
    page = await client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    token = str(client.cookies[FORM_CSRF])
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in page.text
    return token


async def post_login(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    """POST /login from the sign-in page (with its pre-session CSRF token)."""
    token = await form_token(client)
    return await client.post("/login", data={**data, "csrf_token": token}, headers=HTML)


async def post_register(client: httpx.AsyncClient, data: dict[str, str]) -> httpx.Response:
    token = await form_token(client, "/register")
    return await client.post("/register", data={**data, "csrf_token": token}, headers=HTML)


async def page_sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, next: str = ""
) -> str:
    """Sign in through the pages (with the second factor when the account has one); returns
    where the browser lands."""
    response = await post_login(client, {"email": email, "password": password, "next": next})
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    if location.startswith("/mfa"):
        totp = pyotp.TOTP(MFA_SECRET)
        for at in (time.time(), time.time() + totp.interval):
            verified = await client.post(
                "/mfa",
                data={"code": totp.at(at), "csrf_token": csrf_of(client)},
                headers=HTML,
            )
            if verified.status_code == 303:
                return verified.headers["location"]
        raise AssertionError(f"second factor refused: {verified.text}")
    return location


async def count(db: Database, model: type[object]) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


# --- pages anyone can open ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/login", "Sign in"),
        ("/register", "Create your company's account"),
        ("/forgot-password", "Reset your password"),
        ("/verify-email/resend", "Send the confirmation link again"),
        ("/check-inbox?reason=register", "Check your inbox"),
        ("/check-inbox?reason=reset", "Check your inbox"),
        ("/verify-email?token=some-token-from-an-email", "Confirm your email address"),
        ("/verify-email", "This link is incomplete"),
        ("/reset-password?token=some-token-from-an-email", "Choose a new password"),
        ("/invitations/accept?token=not-an-invitation-token", "This invitation does not work"),
    ],
)
async def test_signed_out_pages_render(client: httpx.AsyncClient, path: str, heading: str) -> None:
    response = await client.get(path, headers=HTML)
    page = assert_html(response, 422 if path.startswith("/invitations") else 200)
    assert page.h1 == [heading]
    assert page.csp_offences == []
    assert len(page.ids) == len(set(page.ids))
    # The navigation offers signing in to someone signed out.
    assert "/login" in page.links


async def test_link_tokens_appear_only_in_a_hidden_field(client: httpx.AsyncClient) -> None:
    token = "secret-token-" + uuid.uuid4().hex
    for path in ("/verify-email", "/reset-password"):
        response = await client.get(f"{path}?token={token}", headers=HTML)
        assert response.text.count(token) == 1
        assert f'<input type="hidden" name="token" value="{token}">' in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/account",
        "/account/security",
        "/account/security/mfa",
        f"/organizations/{SOME_ID}/team",
        f"/organizations/{SOME_ID}/audit?action=member.invited",
    ],
)
async def test_signed_out_visitors_are_sent_to_sign_in_and_back(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == str(httpx.URL("/login", params={"next": path}))


async def test_htmx_requests_are_sent_to_sign_in_with_hx_redirect(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/account/security", headers=HTMX)
    assert response.status_code == 204
    assert response.headers["hx-redirect"] == "/login?next=%2Faccount%2Fsecurity"


# --- sign-in -------------------------------------------------------------------------------------


async def test_sign_in_with_the_second_factor_reaches_next(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    team = f"/organizations/{organization.id}/team"
    login = await post_login(client, {"email": owner.email, "password": PASSWORD, "next": team})
    assert login.status_code == 303
    assert login.headers["location"] == str(httpx.URL("/mfa", params={"next": team}))
    assert "hf_session" in client.cookies
    # Until the second factor, pages send the user back to it.
    blocked = await client.get(team, headers=HTML)
    assert blocked.headers["location"].startswith("/mfa?next=")

    mfa = assert_html(await client.get(f"/mfa?next={team}", headers=HTML))
    assert mfa.h1 == ["Enter your code"]
    wrong = await client.post(
        "/mfa", data={"code": "000000", "csrf_token": csrf_of(client), "next": team}, headers=HTML
    )
    page = assert_html(wrong, 401)
    assert 'id="field-code-error"' in wrong.text
    assert "That code is not correct" in wrong.text
    assert page.h1 == ["Enter your code"]

    verified = await client.post(
        "/mfa",
        data={"code": pyotp.TOTP(MFA_SECRET).now(), "csrf_token": csrf_of(client), "next": team},
        headers=HTML,
    )
    assert verified.status_code == 303
    assert verified.headers["location"] == team
    response = await client.get(team, headers=HTML)
    assert_html(response)
    assert owner.email in response.text


async def test_wrong_password_shows_the_form_again_with_the_message(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    response = await post_login(client, {"email": user.email, "password": "not it"})
    page = assert_html(response, 401)
    assert page.h1 == ["Sign in"]
    assert "The email address or the password is not correct." in response.text
    assert f'value="{user.email}"' in response.text  # the address is kept, the password is not
    assert "hf_session" not in client.cookies
    # The refusal kept its audit event (and throttle counter): the page did not roll them back.
    async with db.transaction() as session:
        failed = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "auth.login_failed", AuditEvent.actor_user_id == user.id)
        )
    assert failed == 1


async def failed_logins(db: Database, user_id: object) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.action.in_(("auth.login_failed", "auth.login")),
                    AuditEvent.actor_user_id == user_id,
                )
            )
            or 0
        )


async def test_sign_in_page_sets_a_pre_session_csrf_cookie(client: httpx.AsyncClient) -> None:
    response = await client.get("/login", headers=HTML)
    assert_html(response)
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith(f"{FORM_CSRF}=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    assert "Path=/" in cookie
    token = str(client.cookies[FORM_CSRF])
    assert f'name="csrf_token" value="{token}"' in response.text
    # Another form opened in the same browser reuses the token (tabs open side by side).
    await client.get("/register", headers=HTML)
    assert str(client.cookies[FORM_CSRF]) == token


@pytest.mark.parametrize("forged", ["missing", "no-cookie", "mismatch"])
async def test_sign_in_without_the_form_token_is_403_and_signs_no_one_in(
    client: httpx.AsyncClient, db: Database, forged: str
) -> None:
    """Login CSRF: a third-party site posting its own credentials to /login must not sign the
    visitor in to the attacker's account."""
    async with db.transaction() as session:
        user = await make_user(session)
    credentials = {"email": user.email, "password": PASSWORD}
    token = await form_token(client)
    if forged == "missing":
        data = credentials
    elif forged == "no-cookie":
        client.cookies.delete(FORM_CSRF)
        data = {**credentials, "csrf_token": token}
    else:
        data = {**credentials, "csrf_token": token[::-1]}
    refused = await client.post("/login", data=data, headers=HTML)
    assert_html(refused, 403)
    assert "CSRF" in refused.text
    assert "hf_session" not in client.cookies
    assert await failed_logins(db, user.id) == 0  # nothing happened: no audit, no throttle
    htmx = await client.post("/login", data=data, headers=HTMX)
    assert htmx.status_code == 403
    assert "hf_session" not in client.cookies


async def test_sign_in_with_the_form_token_works_and_a_refusal_keeps_it(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    token = await form_token(client)
    wrong = await client.post(
        "/login",
        data={"email": user.email, "password": "not it", "csrf_token": token},
        headers=HTML,
    )
    assert_html(wrong, 401)
    assert f'<input type="hidden" name="csrf_token" value="{token}">' in wrong.text
    signed_in = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
        headers=HTML,
    )
    assert signed_in.status_code == 303
    assert "hf_session" in client.cookies


@pytest.mark.parametrize("forged", ["missing", "mismatch"])
async def test_register_without_the_form_token_is_403_and_creates_nothing(
    client: httpx.AsyncClient, db: Database, forged: str
) -> None:
    token = await form_token(client, "/register")
    data = REGISTRATION if forged == "missing" else {**REGISTRATION, "csrf_token": token + "x"}
    before = await count(db, User)
    refused = await client.post("/register", data=data, headers=HTML)
    assert_html(refused, 403)
    assert await count(db, User) == before
    assert await emails_to(db, REGISTRATION["email"]) == []
    accepted = await client.post(
        "/register", data={**REGISTRATION, "csrf_token": token}, headers=HTML
    )
    assert accepted.status_code == 303
    assert await count(db, User) == before + 1


async def test_empty_sign_in_form_marks_the_fields(client: httpx.AsyncClient) -> None:
    response = await post_login(client, {})
    assert_html(response, 422)
    assert 'id="field-email-error">Enter your email address.' in response.text
    assert 'id="field-password-error">Enter your password.' in response.text
    assert response.text.count('aria-invalid="true"') == 2


async def test_unverified_address_is_told_how_to_confirm(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, verified=False)
    response = await post_login(client, {"email": user.email, "password": PASSWORD})
    page = assert_html(response, 403)
    assert "/verify-email/resend" in page.links


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " /account",
    ],
)
async def test_next_never_leaves_the_site(
    client: httpx.AsyncClient, db: Database, evil: str
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    response = await post_login(client, {"email": user.email, "password": PASSWORD, "next": evil})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    # Signed in already, the sign-in page forwards to `next`: the same check applies.
    again = await client.get("/login", params={"next": evil}, headers=HTML)
    assert again.headers["location"] == "/"


async def test_sign_out_needs_the_csrf_token(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    refused = await client.post("/logout", headers=HTML)
    assert_html(refused, 403)
    assert "CSRF" in refused.text
    signed_out = await client.post("/logout", data={"csrf_token": csrf_of(client)}, headers=HTML)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?notice=signed-out"
    async with db.transaction() as session:
        live = await session.scalar(
            select(func.count())
            .select_from(UserSession)
            .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        )
    assert live == 0
    notice = await client.get("/login?notice=signed-out", headers=HTML)
    assert "toast toast-info" in notice.text


def test_templating_knows_the_session_cookie_by_its_name() -> None:
    assert SESSION_COOKIE_NAME == SESSION_COOKIE


async def test_unknown_notices_show_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/login?notice=<script>alert(1)</script>", headers=HTML)
    assert 'class="toast ' not in response.text
    assert "<script>alert" not in response.text


# --- registration, confirmation, reset -----------------------------------------------------------

REGISTRATION = {
    "company": "Globex Pages",
    "name": "Hank Scorpio",
    "email": "hank@globex.test",
    "password": STRONG,
    "phone": "",
}


async def test_register_confirm_then_sign_in(client: httpx.AsyncClient, db: Database) -> None:
    registered = await post_register(client, REGISTRATION)
    assert registered.status_code == 303
    assert registered.headers["location"] == "/check-inbox?reason=register"
    token = await link_token(db, "hank@globex.test", "/verify-email")

    # Opening the link confirms nothing yet: it shows a button.
    assert_html(await client.get(f"/verify-email?token={token}", headers=HTML))
    early = await post_login(client, {"email": "hank@globex.test", "password": STRONG})
    assert early.status_code == 403

    confirmed = await client.post("/verify-email", data={"token": token}, headers=HTML)
    page = assert_html(confirmed)
    assert page.h1 == ["Email address confirmed"]
    used = await client.post("/verify-email", data={"token": token}, headers=HTML)
    assert assert_html(used, 422).h1 == ["This link does not work"]

    # The new owner must set up MFA before anything else.
    landed = await page_sign_in(client, "hank@globex.test", STRONG)
    assert landed == "/account/security/mfa"
    async with db.transaction() as session:
        organization = await session.scalar(
            select(Organization).where(Organization.name == "Globex Pages")
        )
    assert organization is not None
    team = await client.get(f"/organizations/{organization.id}/team", headers=HTML)
    assert team.headers["location"] == str(
        httpx.URL(
            "/account/security/mfa", params={"next": f"/organizations/{organization.id}/team"}
        )
    )


async def test_weak_password_shows_the_form_again_and_creates_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    before = await count(db, User)
    response = await post_register(client, {**REGISTRATION, "password": "password1"})
    page = assert_html(response, 422)
    assert page.h1 == ["Create your company's account"]
    assert 'id="field-password-error"' in response.text
    assert 'aria-describedby="field-password-error field-password-help"' in response.text
    assert 'value="Globex Pages"' in response.text
    assert STRONG not in response.text
    assert "password1" not in response.text
    assert await count(db, User) == before
    assert await emails_to(db, "hank@globex.test") == []


async def test_bad_phone_number_is_marked(client: httpx.AsyncClient) -> None:
    response = await post_register(client, {**REGISTRATION, "phone": "call me maybe"})
    assert_html(response, 422)
    assert 'id="field-phone-error"' in response.text


async def test_reset_password_through_the_pages(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    asked = await client.post("/forgot-password", data={"email": user.email}, headers=HTML)
    assert asked.headers["location"] == "/check-inbox?reason=reset"
    token = await link_token(db, user.email, "/reset-password")

    weak = await client.post(
        "/reset-password", data={"token": token, "password": "password"}, headers=HTML
    )
    assert_html(weak, 422)
    assert 'id="field-password-error"' in weak.text
    # The refused attempt did not use the link up.
    done = await client.post(
        "/reset-password", data={"token": token, "password": STRONG}, headers=HTML
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/login?notice=password-reset"
    again = await client.post(
        "/reset-password", data={"token": token, "password": STRONG}, headers=HTML
    )
    assert assert_html(again, 422).h1 == ["This link does not work"]
    assert await page_sign_in(client, user.email, STRONG) == "/"


# --- account pages -------------------------------------------------------------------------------


async def test_account_pages_render_for_a_signed_in_user(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Vandelay")
        user, _ = await make_member(session, organization, role="recruiter")
    await page_sign_in(client, user.email)
    account = await client.get("/account", headers=HTML)
    page = assert_html(account)
    assert page.h1 == ["Profile"]
    assert "Vandelay" in account.text
    assert page.csp_offences == []
    # The page carries the session's CSRF token for htmx and the sign-out form.
    assert f'"X-CSRF-Token": "{csrf_of(client)}"' in account.text
    security = await client.get("/account/security", headers=HTML)
    page = assert_html(security)
    assert page.h1 == ["Security"]
    assert "Two-factor authentication is off" in security.text
    assert "This browser" in security.text


async def test_change_password_without_csrf_is_403_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    response = await client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": STRONG},
        headers=HTML,
    )
    assert_html(response, 403)
    async with db.transaction() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        assert stored.password_hash is not None
        assert verify_password(stored.password_hash, PASSWORD)


async def test_change_password_errors_sit_next_to_their_fields(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    wrong = await client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": STRONG, "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(wrong, 401)
    assert 'id="field-current_password-error">The current password is not correct.' in wrong.text
    weak = await client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "1234", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(weak, 422)
    assert 'id="field-new_password-error"' in weak.text
    changed = await client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": STRONG,
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert changed.headers["location"] == "/account?notice=password-changed"


async def test_enrol_mfa_through_the_pages(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    start = await client.post(
        "/account/security/mfa",
        data={"password": "wrong", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(start, 403)
    assert 'id="field-password-error"' in start.text

    scan = await client.post(
        "/account/security/mfa",
        data={"password": PASSWORD, "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(scan)
    assert scan.headers["cache-control"] == "no-store"
    assert 'class="qr-code"><title>QR code' in scan.text
    async with db.transaction() as session:
        stored = await session.get(User, user.id)
        assert stored is not None
        assert stored.mfa_pending_secret is not None
        secret = stored.mfa_pending_secret
    wrong = await client.post(
        "/account/security/mfa/confirm",
        data={"code": "123456", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(wrong, 422)
    assert 'id="field-code-error"' in wrong.text
    assert 'class="qr-code"><title>QR code' in wrong.text  # the QR code is shown again

    confirmed = await client.post(
        "/account/security/mfa/confirm",
        data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    page = assert_html(confirmed)
    assert page.h1 == ["Two-factor authentication is on"]
    assert confirmed.text.count("<li><code>") == 10
    security = await client.get("/account/security", headers=HTML)
    assert "10 unused recovery codes left" in security.text


async def test_signing_out_another_session_from_the_security_page(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as laptop:
        await page_sign_in(laptop, user.email)
        await page_sign_in(client, user.email)
        async with db.transaction() as session:
            other = await session.scalar(
                select(UserSession.id)
                .where(UserSession.user_id == user.id)
                .order_by(UserSession.created_at)
                .limit(1)
            )
        response = await client.post(
            f"/account/security/sessions/{other}/revoke",
            data={"csrf_token": csrf_of(client)},
            headers=HTMX,
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/account/security?notice=session-ended"
        assert (await laptop.get("/account", headers=HTML)).status_code == 303
        # Another user's session id is not found, and nothing happens.
        unknown = await client.post(
            f"/account/security/sessions/{uuid.uuid4()}/revoke",
            data={"csrf_token": csrf_of(client)},
            headers=HTMX,
        )
        assert unknown.status_code == 404
        assert unknown.headers["hx-retarget"] == "#toasts"


# --- organization pages --------------------------------------------------------------------------


async def test_team_page_lists_members_and_invites(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        owner, _ = await make_member(session, organization, role="owner")
        await make_member(session, organization, role="viewer", email="milton@initech.test")
        recruiter = await repository.system_role(session, "recruiter")
    await page_sign_in(client, owner.email)
    team = f"/organizations/{organization.id}/team"
    response = await client.get(team, headers=HTML)
    page = assert_html(response)
    assert page.h1 == ["Team"]
    assert page.csp_offences == []
    assert "milton@initech.test" in response.text
    assert "No pending invitations" in response.text
    assert f"/organizations/{organization.id}/roles" in page.links
    assert f"/organizations/{organization.id}/audit" in page.links

    invited = await client.post(
        f"/organizations/{organization.id}/invitations",
        data={
            "email": "peter@initech.test",
            "role_id": str(recruiter.id),
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert invited.status_code == 303
    assert invited.headers["location"] == f"{team}?notice=invitation-sent"
    listed = await client.get(invited.headers["location"], headers=HTML)
    assert "peter@initech.test" in listed.text
    assert "Invitation sent" in listed.text
    [email] = await emails_to(db, "peter@initech.test")
    assert "Initech" in email.subject


async def test_invite_form_errors_show_next_to_the_fields(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await page_sign_in(client, owner.email)
    response = await client.post(
        f"/organizations/{organization.id}/invitations",
        data={"email": "not an address", "role_id": "", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(response, 422)
    assert 'id="field-role_id-error">Choose a role.' in response.text
    assert 'value="not an address"' in response.text
    bad_email = await client.post(
        f"/organizations/{organization.id}/invitations",
        data={
            "email": "not an address",
            "role_id": str(uuid.uuid4()),
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert_html(bad_email, 422)
    assert 'id="field-email-error">Enter a valid email address.' in bad_email.text
    async with db.transaction() as session:
        sent = await session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.organization_id == organization.id)
        )
    assert sent == 0


async def test_htmx_invite_error_is_a_toast(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await page_sign_in(client, owner.email)
    response = await client.post(
        f"/organizations/{organization.id}/invitations",
        data={"email": owner.email, "role_id": "", "csrf_token": csrf_of(client)},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#toasts"
    assert "Choose a role." in response.text


async def test_row_actions_redirect_back_with_a_notice(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        _, membership = await make_member(session, organization, role="viewer")
        recruiter = await repository.system_role(session, "recruiter")
    await page_sign_in(client, owner.email)
    base = f"/organizations/{organization.id}"
    changed = await client.post(
        f"{base}/members/{membership.id}/role",
        data={"role_id": str(recruiter.id), "csrf_token": csrf_of(client)},
        headers=HTMX,
    )
    assert changed.headers["location"] == f"{base}/team?notice=role-changed"
    # The page an htmx request lands on appends its notice to the toasts out of band.
    landed = await client.get(changed.headers["location"], headers=HTMX)
    assert 'id="toasts" class="toasts"' in landed.text
    assert 'hx-swap-oob="beforeend"' in landed.text
    assert "Role changed" in landed.text
    removed = await client.post(
        f"{base}/members/{membership.id}/remove",
        data={"csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert removed.headers["location"] == f"{base}/team?notice=member-removed"
    async with db.transaction() as session:
        assert await session.get(Membership, membership.id) is None


async def test_someone_elses_organization_is_404(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        mine = await make_organization(session)
        theirs = await make_organization(session, name="Hooli")
        user, _ = await make_member(session, mine, role="viewer")
        _, their_member = await make_member(session, theirs, role="viewer")
    await page_sign_in(client, user.email)
    for path in ("team", "roles", "audit"):
        response = await client.get(f"/organizations/{theirs.id}/{path}", headers=HTML)
        page = assert_html(response, 404)
        assert "Hooli" not in response.text
        assert page.h1 == ["Not found"]
    removal = await client.post(
        f"/organizations/{theirs.id}/members/{their_member.id}/remove",
        data={"csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert removal.status_code == 404
    async with db.transaction() as session:
        assert await session.get(Membership, their_member.id) is not None


async def test_missing_permission_is_403(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        user, _ = await make_member(session, organization, role="interviewer")
    await page_sign_in(client, user.email)
    response = await client.get(f"/organizations/{organization.id}/team", headers=HTML)
    assert_html(response, 403)
    assert "members:read" in response.text
    viewer_audit = await client.get(f"/organizations/{organization.id}/audit", headers=HTML)
    assert_html(viewer_audit, 403)


async def test_role_editor_creates_edits_and_deletes_a_custom_role(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await page_sign_in(client, admin.email)
    roles = f"/organizations/{organization.id}/roles"
    listing = await client.get(roles, headers=HTML)
    assert "No custom roles yet" in listing.text
    form = await client.get(f"{roles}/new", headers=HTML)
    page = assert_html(form)
    assert page.h1 == ["New role"]
    assert "<legend>Jobs and candidates</legend>" in form.text
    # An admin lacks organization:delete, so cannot grant it.
    assert 'value="organization:delete" disabled' in form.text

    escalating = await client.post(
        roles,
        data={
            "name": "Sourcer",
            "permissions": ["jobs:read", "organization:delete"],
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert_html(escalating, 403)
    assert "cannot grant permissions you do not have" in escalating.text
    assert 'value="jobs:read" checked' in escalating.text

    created = await client.post(
        roles,
        data={
            "name": "Sourcer",
            "description": "Finds candidates",
            "permissions": ["jobs:read", "candidates:read"],
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert created.headers["location"] == f"{roles}?notice=role-created"
    async with db.transaction() as session:
        role = await session.scalar(
            select(Role).where(Role.organization_id == organization.id, Role.key == "sourcer")
        )
        assert role is not None
        assert role.permissions == ["candidates:read", "jobs:read"]
    edit = await client.get(f"{roles}/{role.id}", headers=HTML)
    assert assert_html(edit).h1 == ["Edit Sourcer"]
    saved = await client.post(
        f"{roles}/{role.id}",
        data={"name": "Sourcer", "permissions": ["jobs:read"], "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert saved.headers["location"] == f"{roles}?notice=role-saved"
    deleted = await client.post(
        f"{roles}/{role.id}/delete", data={"csrf_token": csrf_of(client)}, headers=HTML
    )
    assert deleted.headers["location"] == f"{roles}?notice=role-deleted"
    async with db.transaction() as session:
        assert await session.get(Role, role.id) is None


async def test_system_roles_are_read_only(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        viewer = await repository.system_role(session, "viewer")
    await page_sign_in(client, owner.email)
    response = await client.get(f"/organizations/{organization.id}/roles/{viewer.id}", headers=HTML)
    page = assert_html(response)
    assert page.h1 == ["Viewer"]
    assert 'type="checkbox"' not in response.text
    assert "Built-in role" in response.text


async def test_audit_log_filters_and_pages(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        recruiter = await repository.system_role(session, "recruiter")
    await page_sign_in(client, owner.email)
    audit = f"/organizations/{organization.id}/audit"
    empty = await client.get(audit, headers=HTML)
    assert "Nothing recorded yet" in empty.text
    for n in range(3):
        await client.post(
            f"/organizations/{organization.id}/invitations",
            data={
                "email": f"hire{n}@example.test",
                "role_id": str(recruiter.id),
                "csrf_token": csrf_of(client),
            },
            headers=HTML,
        )
    listed = await client.get(f"{audit}?action=member.invited&actor={owner.id}", headers=HTML)
    page = assert_html(listed)
    assert listed.text.count("<code>member.invited</code>") == 3
    assert page.csp_offences == []
    none = await client.get(f"{audit}?action=role.deleted&actor=", headers=HTML)
    assert "No events match" in none.text


async def test_audit_log_older_link_continues_the_list(
    client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hireflow.organizations import pages

    monkeypatch.setattr(pages, "AUDIT_PAGE_SIZE", 2)
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        recruiter = await repository.system_role(session, "recruiter")
    await page_sign_in(client, owner.email)
    for n in range(3):
        await client.post(
            f"/organizations/{organization.id}/invitations",
            data={
                "email": f"hire{n}@example.test",
                "role_id": str(recruiter.id),
                "csrf_token": csrf_of(client),
            },
            headers=HTML,
        )
    audit = f"/organizations/{organization.id}/audit?action=member.invited"
    first = Markup((await client.get(audit, headers=HTML)).text)
    older = [link for link in first.links if "before=" in link]
    assert len(older) == 1
    second = await client.get(older[0].replace("&amp;", "&"), headers=HTML)
    assert second.text.count("<code>member.invited</code>") == 1
    assert "hire0@example.test" in second.text
    assert "Newest" in second.text


SETTINGS_FORM = {
    "brand_color": "#112233",
    "logo_url": "",
    "careers_page_enabled": "on",
    "candidate_retention_days": "365",
    "interview_language": "de",
    "timezone": "Europe/Berlin",
}


async def test_settings_page_saves_every_setting(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await page_sign_in(client, admin.email)
    url = f"/organizations/{organization.id}/settings"
    page = assert_html(await client.get(url, headers=HTML))
    assert page.h1 == ["Settings"]
    assert page.csp_offences == []
    saved = await client.post(
        url, data={**SETTINGS_FORM, "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert saved.headers["location"] == f"{url}?notice=settings-saved"
    api = await client.get(f"/api/v1/organizations/{organization.id}/settings")
    assert api.json() == {
        "brand_color": "#112233",
        "logo_url": None,
        "careers_page_enabled": True,
        "candidate_retention_days": 365,
        # Unticked: absent from the form, so turned off.
        "email_tracking_enabled": False,
        "interview_language": "de",
        "timezone": "Europe/Berlin",
    }


async def test_settings_errors_show_next_to_their_fields_and_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await page_sign_in(client, owner.email)
    url = f"/organizations/{organization.id}/settings"
    response = await client.post(
        url,
        data={
            **SETTINGS_FORM,
            "brand_color": "blue",
            "candidate_retention_days": "5",
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert_html(response, 422)
    assert 'id="field-brand_color-error">Enter a colour as #RRGGBB' in response.text
    assert 'id="field-candidate_retention_days-error"' in response.text
    assert 'value="blue"' in response.text
    api = await client.get(f"/api/v1/organizations/{organization.id}/settings")
    assert api.json()["timezone"] == "UTC"


async def test_settings_are_read_only_without_the_permission(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        viewer, _ = await make_member(session, organization, role="viewer")
    await page_sign_in(client, viewer.email)
    url = f"/organizations/{organization.id}/settings"
    response = await client.get(url, headers=HTML)
    assert_html(response)
    assert "Save settings" not in response.text
    assert 'id="field-timezone" name="timezone" type="text" value="UTC" required disabled' in (
        response.text
    )
    refused = await client.post(
        url, data={**SETTINGS_FORM, "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert_html(refused, 403)


def _page_id_routes() -> list[tuple[str, str, list[str]]]:
    """Every (method, path, id parameters) of the identity pages, read from their routers, so a
    page added later is covered too."""
    routes: list[tuple[str, str, list[str]]] = []
    for router in (auth_pages.router, organization_pages.router, organization_pages.public):
        for route in router.routes:
            assert isinstance(route, APIRoute)
            params = re.findall(r"{(\w+)}", route.path)
            if params:
                routes.extend(
                    (m, route.path, params) for m in sorted(set(route.methods or ()) - {"HEAD"})
                )
    return routes


async def test_every_page_with_an_id_answers_404_for_another_organizations_ids(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        mine = await make_organization(session, name="Mine")
        me, _ = await make_member(session, mine, role="owner")
        theirs = await make_organization(session, name="Theirs")
        them, their_membership = await make_member(session, theirs, role="owner")
        their_role = Role(
            organization_id=theirs.id, key="theirs_only", name="Theirs only", permissions=[]
        )
        session.add(their_role)
        viewer = await repository.system_role(session, "viewer")
        invitation = Invitation(
            organization_id=theirs.id,
            email="someone@theirs.test",
            role_id=viewer.id,
            invited_by_user_id=them.id,
            token_hash=hash_token(new_token()),
            created_at=now(),
            expires_at=now() + timedelta(days=1),
        )
        their_session = UserSession(
            user_id=them.id,
            token_hash=hash_token(new_token()),
            csrf_token="x",
            created_at=now(),
            last_seen_at=now(),
            expires_at=now() + timedelta(days=1),
        )
        their_rule = SsoDomain(organization_id=theirs.id, domain="theirs.test", provider_key="x")
        session.add_all([invitation, their_session, their_rule])
        await session.flush()
        their_token, _ = await make_personal_token(session, them.id)
        their_key, _ = await make_organization_key(
            session, theirs.id, them.id, scopes=["jobs:read"]
        )
    their_ids = {
        "organization_id": theirs.id,
        "membership_id": their_membership.id,
        "role_id": their_role.id,
        "invitation_id": invitation.id,
        "session_id": their_session.id,
        "token_id": their_token.id,
        "api_key_id": their_key.id,
        "sso_domain_id": their_rule.id,
    }
    routes = _page_id_routes()
    unknown = {p for _, _, params in routes for p in params} - set(their_ids)
    assert not unknown, f"give these id parameters an example here: {sorted(unknown)}"
    assert len(routes) >= 10, "the walk found too few pages"
    await page_sign_in(client, me.email)
    # Valid form fields, so that only the ids can be what is refused.
    form = {"csrf_token": csrf_of(client), "role_id": str(viewer.id), "name": "Renamed"}
    for method, path, params in routes:
        variants = [their_ids]
        if set(params) - {"organization_id"}:  # my organization, their object
            variants.append({**their_ids, "organization_id": mine.id})
        for ids in variants:
            url = path
            for param in params:
                url = url.replace("{" + param + "}", str(ids[param]))
            data = form if method == "POST" else None
            response = await client.request(method, url, data=data, headers=HTML)
            assert response.status_code == 404, (method, url, response.status_code)
            assert "Theirs" not in response.text
    async with db.transaction() as session:
        assert await session.get(Membership, their_membership.id) is not None
        stored_role = await session.get(Role, their_role.id)
        assert stored_role is not None
        assert stored_role.name == "Theirs only"
        stored_invitation = await session.get(Invitation, invitation.id)
        assert stored_invitation is not None
        assert stored_invitation.revoked_at is None
        stored_session = await session.get(UserSession, their_session.id)
        assert stored_session is not None
        assert stored_session.revoked_at is None
        assert await session.get(SsoDomain, their_rule.id) is not None
        for token_row in (their_token, their_key):
            stored_token = await session.get(ApiToken, token_row.id)
            assert stored_token is not None
            assert stored_token.revoked_at is None


# --- invitations ---------------------------------------------------------------------------------


async def test_accept_an_invitation_with_a_new_account(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Umbrella Pages")
        owner, _ = await make_member(session, organization, role="owner")
        recruiter = await repository.system_role(session, "recruiter")
    await page_sign_in(client, owner.email)
    await client.post(
        f"/organizations/{organization.id}/invitations",
        data={
            "email": "nina@umbrella.test",
            "role_id": str(recruiter.id),
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    token = await link_token(db, "nina@umbrella.test", "/invitations/accept")
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as newcomer:
        preview = await newcomer.get(f"/invitations/accept?token={token}", headers=HTML)
        page = assert_html(preview)
        assert page.h1 == ["Join Umbrella Pages"]
        assert "Recruiter" in preview.text
        # Without a session, the form carries the pre-session CSRF token of its cookie.
        form_csrf = str(newcomer.cookies[FORM_CSRF])
        hidden = f'<input type="hidden" name="csrf_token" value="{form_csrf}">'
        assert hidden in preview.text
        members_before = await count(db, Membership)
        forged = await newcomer.post(
            "/invitations/accept",
            data={"token": token, "name": "Nina", "password": STRONG},
            headers=HTML,
        )
        assert_html(forged, 403)
        assert await count(db, Membership) == members_before  # nothing was accepted
        weak = await newcomer.post(
            "/invitations/accept",
            data={"token": token, "name": "Nina", "password": "nina", "csrf_token": form_csrf},
            headers=HTML,
        )
        assert_html(weak, 422)
        assert 'id="field-password-error"' in weak.text
        assert 'value="Nina"' in weak.text
        assert hidden in weak.text  # the refused form keeps its token
        joined = await newcomer.post(
            "/invitations/accept",
            data={"token": token, "name": "Nina", "password": STRONG, "csrf_token": form_csrf},
            headers=HTML,
        )
        assert joined.headers["location"] == "/login?notice=account-created"
        assert await page_sign_in(newcomer, "nina@umbrella.test", STRONG) == "/"
        account = await newcomer.get("/account", headers=HTML)
        assert "Umbrella Pages" in account.text


async def test_accept_an_invitation_as_the_signed_in_invitee(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Soylent")
        owner, _ = await make_member(session, organization, role="owner")
        invitee = await make_user(session, email="sol@example.test")
        viewer = await repository.system_role(session, "viewer")
    await page_sign_in(client, owner.email)
    await client.post(
        f"/organizations/{organization.id}/invitations",
        data={"email": invitee.email, "role_id": str(viewer.id), "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    await client.post("/logout", data={"csrf_token": csrf_of(client)}, headers=HTML)
    token = await link_token(db, invitee.email, "/invitations/accept")
    signed_out = await client.get(f"/invitations/accept?token={token}", headers=HTML)
    page = assert_html(signed_out)
    sign_in_link = next(link for link in page.links if link.startswith("/login?next="))
    assert httpx.URL(sign_in_link.replace("&amp;", "&")).params["next"] == (
        f"/invitations/accept?token={token}"
    )
    back = httpx.URL(sign_in_link.replace("&amp;", "&")).params["next"]
    assert await page_sign_in(client, invitee.email, next=back) == back
    preview = await client.get(f"/invitations/accept?token={token}", headers=HTML)
    assert "Accept and join Soylent" in preview.text
    accepted = await client.post(
        "/invitations/accept", data={"token": token, "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert accepted.headers["location"] == "/account?notice=invitation-accepted"
    async with db.transaction() as session:
        assert await repository.membership_of(session, invitee.id, organization.id) is not None
