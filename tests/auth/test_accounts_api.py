"""Employer registration → verification → sign-in; password reset and change."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import AuditEvent, Membership, Organization, User
from tests.factories.mail import emails_to, link_token
from tests.factories.users import PASSWORD, make_user, sign_in

STRONG = "tulip-quasar-7-harbour-frost"
REGISTRATION = {
    "company": "Initrode Ltd",
    "name": "Rae Boss",
    "email": "rae@initrode.test",
    "password": STRONG,
    "phone": "+44 20 7946 0000",
}


async def _count(db: Database, model: type[User] | type[Organization] | type[Membership]) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_register_verify_then_sign_in(client: httpx.AsyncClient, db: Database) -> None:
    response = await client.post("/api/v1/auth/register", json=REGISTRATION)
    assert response.status_code == 202, response.text
    # Not verified yet: signing in is refused.
    early = await client.post(
        "/api/v1/auth/login", json={"email": "rae@initrode.test", "password": STRONG}
    )
    assert early.status_code == 403
    token = await link_token(db, "rae@initrode.test", "/verify-email")
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": token})
    ).status_code == 204
    # Single use.
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": token})
    ).status_code == 422
    await sign_in(client, "rae@initrode.test", STRONG)
    [membership] = (await client.get("/api/v1/auth/me")).json()["memberships"]
    assert membership["organization_name"] == "Initrode Ltd"
    assert membership["organization_slug"] == "initrode-ltd"
    assert membership["role"] == "owner"


async def test_registering_a_taken_address_reveals_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="taken@example.test")
    before = await _count(db, Organization)
    response = await client.post(
        "/api/v1/auth/register", json={**REGISTRATION, "email": "taken@example.test"}
    )
    assert response.status_code == 202
    assert response.json()["detail"] == "Check your inbox to confirm your email address."
    assert await _count(db, Organization) == before
    [email] = await emails_to(db, "taken@example.test")
    assert email.kind == "account_exists"


async def test_bad_registrations_get_422_and_change_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    before = (await _count(db, User), await _count(db, Organization))
    cases = [
        {**REGISTRATION, "password": "password1"},  # common
        {**REGISTRATION, "password": "initrode-ltd-2026"},  # made of the company's name
        {**REGISTRATION, "password": "short"},
        {**REGISTRATION, "email": "not-an-email"},
        {**REGISTRATION, "phone": "call me"},
        {**REGISTRATION, "company": ""},
        {**REGISTRATION, "role": "owner"},
    ]
    for body in cases:
        response = await client.post("/api/v1/auth/register", json=body)
        assert response.status_code == 422, (body, response.text)
    weak = await client.post("/api/v1/auth/register", json=cases[0])
    assert weak.json()["problems"]
    assert (await _count(db, User), await _count(db, Organization)) == before


async def test_resend_verification_invalidates_the_old_link(
    client: httpx.AsyncClient, db: Database
) -> None:
    await client.post("/api/v1/auth/register", json=REGISTRATION)
    first = await link_token(db, "rae@initrode.test", "/verify-email")
    resent = await client.post(
        "/api/v1/auth/verify-email/resend", json={"email": "rae@initrode.test"}
    )
    assert resent.status_code == 202
    second = await link_token(db, "rae@initrode.test", "/verify-email")
    assert second != first
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": first})
    ).status_code == 422
    assert (
        await client.post("/api/v1/auth/verify-email", json={"token": second})
    ).status_code == 204


async def test_reset_password_signs_out_every_session(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="forgetful@example.test", name="Fay")
    await sign_in(client, "forgetful@example.test")
    assert (await client.get("/api/v1/auth/me")).status_code == 200

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as anon:
        asked = await anon.post(
            "/api/v1/auth/password/forgot", json={"email": "forgetful@example.test"}
        )
        unknown = await anon.post(
            "/api/v1/auth/password/forgot", json={"email": "nobody@example.test"}
        )
        assert asked.status_code == unknown.status_code == 202
        assert asked.json() == unknown.json()
        token = await link_token(db, "forgetful@example.test", "/reset-password")
        weak = await anon.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": "qwerty123"}
        )
        assert weak.status_code == 422
        done = await anon.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": STRONG}
        )
        assert done.status_code == 204
        again = await anon.post(
            "/api/v1/auth/password/reset", json={"token": token, "password": STRONG}
        )
        assert again.status_code == 422

    assert (await client.get("/api/v1/auth/me")).status_code == 401  # signed out everywhere
    old = await client.post(
        "/api/v1/auth/login", json={"email": "forgetful@example.test", "password": PASSWORD}
    )
    assert old.status_code == 401
    await sign_in(client, "forgetful@example.test", STRONG)
    async with db.transaction() as session:
        actions = set(await session.scalars(select(AuditEvent.action)))
    assert {"auth.password_reset_requested", "auth.password_reset"} <= actions


async def test_change_password_keeps_this_session_only(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="changer@example.test")
    await sign_in(client, "changer@example.test")
    wrong = await client.post(
        "/api/v1/auth/password/change", json={"current_password": "nope", "new_password": STRONG}
    )
    assert wrong.status_code == 401
    done = await client.post(
        "/api/v1/auth/password/change", json={"current_password": PASSWORD, "new_password": STRONG}
    )
    assert done.status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 200


async def test_guessing_the_current_password_is_throttled(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="guessed@example.test")
    await sign_in(client, "guessed@example.test")
    for _ in range(10):
        wrong = await client.post(
            "/api/v1/auth/password/change",
            json={"current_password": "guess", "new_password": STRONG},
        )
        assert wrong.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/password/change", json={"current_password": PASSWORD, "new_password": STRONG}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    async with db.transaction() as session:
        failures = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "auth.password_change_failed")
        )
    assert failures == 10
