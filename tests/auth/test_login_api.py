"""Email + password sign-in: cookies, CSRF, sessions, throttling, audit."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, text

from hireflow.db import Database
from hireflow.models import AuditEvent, UserSession
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_member, make_user, sign_in


async def _events(db: Database, action: str) -> list[AuditEvent]:
    """This test's events: the audit log refuses deletes, so tests that really commit (browser,
    worker and concurrency tests) leave theirs behind in this worker's database; the test's own
    ones are those of its transaction, which began when the test did."""
    async with db.transaction() as session:
        query = select(AuditEvent).where(
            AuditEvent.action == action,
            AuditEvent.created_at >= func.transaction_timestamp(),
        )
        return list(await session.scalars(query))


async def test_sign_in_sets_a_private_session_cookie_and_a_csrf_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, email="ada@example.test")
    response = await client.post(
        "/api/v1/auth/login", json={"email": "ADA@example.test", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["user_id"] == str(user.id)
    assert body["mfa_required"] is False
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("hf_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("hf_csrf="))
    assert "HttpOnly" not in csrf_cookie
    assert body["csrf_token"] in csrf_cookie
    # Only the token's hash is stored.
    raw = session_cookie.split(";")[0].split("=", 1)[1]
    async with db.transaction() as session:
        stored = await session.scalar(select(UserSession.token_hash))
    assert stored is not None
    assert raw not in stored
    assert len(raw) >= 40

    me = await client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ada@example.test"
    assert [e.actor_user_id for e in await _events(db, "auth.login")] == [user.id]


async def test_wrong_password_is_401_and_leaves_an_audit_event(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="bob@example.test")
    response = await client.post(
        "/api/v1/auth/login", json={"email": "bob@example.test", "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "The email address or the password is not correct."
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.test", "password": "nope"}
    )
    assert unknown.json()["detail"] == response.json()["detail"]  # no account enumeration
    assert "hf_session" not in client.cookies
    failed = await _events(db, "auth.login_failed")
    assert sorted(e.actor_email or "" for e in failed) == [
        "bob@example.test",
        "nobody@example.test",
    ]


async def test_unverified_email_cannot_sign_in(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, email="new@example.test", verified=False)
    response = await client.post(
        "/api/v1/auth/login", json={"email": "new@example.test", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "email-not-verified"


async def test_brute_force_on_an_account_gets_429_even_with_the_right_password(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="target@example.test")
    for _ in range(10):
        wrong = await client.post(
            "/api/v1/auth/login", json={"email": "target@example.test", "password": "guess"}
        )
        assert wrong.status_code == 401
    blocked = await client.post(
        "/api/v1/auth/login", json={"email": "target@example.test", "password": PASSWORD}
    )
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 15 * 60
    assert len(await _events(db, "auth.login_throttled")) == 1


async def test_many_accounts_from_one_address_get_429(
    client: httpx.AsyncClient, db: Database
) -> None:
    for n in range(50):
        response = await client.post(
            "/api/v1/auth/login", json={"email": f"spray{n}@example.test", "password": "x"}
        )
        assert response.status_code == 401
    response = await client.post(
        "/api/v1/auth/login", json={"email": "spray-last@example.test", "password": "x"}
    )
    assert response.status_code == 429


async def test_unsafe_requests_need_the_csrf_token(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, email="csrf@example.test")
    csrf = await sign_in(client, "csrf@example.test")
    del client.headers["X-CSRF-Token"]
    refused = await client.post("/api/v1/auth/logout")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf-failed"
    wrong = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status_code == 403
    done = await client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})
    assert done.status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_sessions_are_listed_and_one_can_end_another(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        await make_user(session, email="two@example.test")
    await sign_in(client, "two@example.test")
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        await sign_in(other, "two@example.test")
        listed = (await client.get("/api/v1/auth/sessions")).json()
        assert len(listed) == 2
        assert sorted(s["current"] for s in listed) == [False, True]
        other_id = next(s["id"] for s in listed if not s["current"])
        assert (await client.delete(f"/api/v1/auth/sessions/{other_id}")).status_code == 204
        assert (await other.get("/api/v1/auth/me")).status_code == 401
        assert (await client.get("/api/v1/auth/me")).status_code == 200


async def test_someone_elses_session_id_is_404(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        await make_user(session, email="mine@example.test")
        stranger = await make_user(session, email="theirs@example.test")
        session.add(
            UserSession(
                user_id=stranger.id,
                token_hash="0" * 64,
                csrf_token="c",
                created_at=stranger.created_at,
                last_seen_at=stranger.created_at,
                expires_at=stranger.created_at + timedelta(days=1),
            )
        )
        await session.flush()
        stranger_session = await session.scalar(
            select(UserSession.id).where(UserSession.user_id == stranger.id)
        )
    await sign_in(client, "mine@example.test")
    response = await client.delete(f"/api/v1/auth/sessions/{stranger_session}")
    assert response.status_code == 404


@pytest.mark.parametrize("column", ["last_seen_at", "expires_at"])
async def test_idle_and_expired_sessions_are_refused(
    client: httpx.AsyncClient, db: Database, column: str
) -> None:
    async with db.transaction() as session:
        await make_user(session, email=f"old-{column}@example.test")
    await sign_in(client, f"old-{column}@example.test")
    async with db.transaction() as session:
        await session.execute(text(f"UPDATE user_session SET {column} = now() - interval '3 days'"))
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_me_lists_memberships_with_permissions(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        user, _ = await make_member(session, organization, role="recruiter")
    await sign_in(client, user.email)
    [membership] = (await client.get("/api/v1/auth/me")).json()["memberships"]
    assert membership["organization_name"] == "Initech"
    assert membership["role"] == "recruiter"
    assert "jobs:read:assigned" in membership["permissions"]
    assert "jobs:read" not in membership["permissions"]
