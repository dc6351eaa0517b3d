"""A provider's JWTs as bearer tokens (Clerk-style), verified against its JWKS by a real
provider on loopback: the identity is mapped to a linked user, or linked by verified email."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select

from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import AuditEvent, User, UserIdentity
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user
from tests.fakes.oidc_provider import OidcProvider

AUDIENCE = "hireflow-api"
ME = "/api/v1/auth/me"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as running:
        yield running


async def _app(database_url: str, settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(database_url, settings)
    async with LifespanManager(app):
        yield app


@pytest.fixture(scope="module")
async def jwt_app(
    database_url: str, test_settings: Settings, provider: OidcProvider
) -> AsyncIterator[FastAPI]:
    accepting = provider.settings(accept_bearer_tokens=True, audience=AUDIENCE)
    async for app in _app(
        database_url, test_settings.model_copy(update={"oidc_providers": [accepting]})
    ):
        yield app


@pytest.fixture(scope="module")
async def closed_app(
    database_url: str, test_settings: Settings, provider: OidcProvider
) -> AsyncIterator[FastAPI]:
    sign_in_only = provider.settings(accept_bearer_tokens=False, audience=AUDIENCE)
    async for app in _app(
        database_url, test_settings.model_copy(update={"oidc_providers": [sign_in_only]})
    ):
        yield app


async def _client(app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    app.state.database = db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def api(jwt_app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(jwt_app, db):
        yield client


@pytest.fixture
async def closed_api(closed_app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(closed_app, db):
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _link(db: Database, provider: OidcProvider, user: User, subject: str) -> None:
    async with db.transaction() as session:
        session.add(
            UserIdentity(
                user_id=user.id,
                provider_key="fake",
                issuer=provider.issuer,
                subject=subject,
                email=user.email,
            )
        )


async def test_a_linked_identitys_jwt_acts_as_its_user(
    api: httpx.AsyncClient, db: Database, provider: OidcProvider
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await _link(db, provider, owner, "user_2abc")
    token = provider.issue_jwt({"sub": "user_2abc", "aud": AUDIENCE})  # no email claim

    me = await api.get(ME, headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == owner.email
    # Counts as signed in with every factor, and needs no CSRF token.
    created = await api.post(
        f"/api/v1/organizations/{organization.id}/roles",
        json={"name": "Sourcer", "permissions": ["candidates:read"]},
        headers=_bearer(token),
    )
    assert created.status_code == 201, created.text
    # A person, so they may make a personal token with it; but no browser-session routes.
    assert (
        await api.post("/api/v1/auth/tokens", json={"name": "x"}, headers=_bearer(token))
    ).status_code == 201
    sessions = await api.get("/api/v1/auth/sessions", headers=_bearer(token))
    assert sessions.status_code == 403
    assert sessions.json()["code"] == "session-required"


async def test_a_verified_email_links_the_identity_to_the_account(
    api: httpx.AsyncClient, db: Database, provider: OidcProvider
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, email="ada@jwt.test")
    token = provider.issue_jwt(
        {"sub": "user_ada", "email": "ada@jwt.test", "email_verified": True, "aud": AUDIENCE}
    )
    me = await api.get(ME, headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == str(user.id)
    async with db.transaction() as session:
        link = await session.scalar(select(UserIdentity).where(UserIdentity.subject == "user_ada"))
        assert link is not None
        assert (link.user_id, link.issuer, link.provider_key) == (user.id, provider.issuer, "fake")
        [event] = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "auth.identity_linked")
            )
        )
    assert event.actor_user_id == user.id
    # From now on the subject alone is enough, even without the email claim.
    again = provider.issue_jwt({"sub": "user_ada", "aud": AUDIENCE})
    assert (await api.get(ME, headers=_bearer(again))).json()["id"] == str(user.id)


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": "someone-else"}, id="wrong audience"),
        pytest.param({"aud": None}, id="no audience"),
        pytest.param({"exp": int(now().timestamp()) - 600}, id="expired"),
        pytest.param({"sub": "user_unknown", "email": None}, id="unknown subject, no email"),
        pytest.param(
            {"sub": "user_unknown", "email_verified": False}, id="unknown subject, unverified"
        ),
        pytest.param({"sub": "user_unknown", "email": "nobody@jwt.test"}, id="no such account"),
    ],
)
async def test_refused_jwts_are_401(
    api: httpx.AsyncClient, db: Database, provider: OidcProvider, claims: dict[str, object]
) -> None:
    async with db.transaction() as session:
        user = await make_user(session, email="grace@jwt.test")
    await _link(db, provider, user, "user_grace")
    base = {
        "sub": "user_grace",
        "email": "grace@jwt.test",
        "email_verified": True,
        "aud": AUDIENCE,
    }
    users_before = await _users(db)
    response = await api.get(ME, headers=_bearer(provider.issue_jwt(base | claims)))
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "invalid-token"
    assert await _users(db) == users_before  # API calls never create accounts


async def test_forged_jwts_are_401(
    api: httpx.AsyncClient, db: Database, provider: OidcProvider
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await _link(db, provider, user, "user_forged")
    genuine = provider.issue_jwt({"sub": "user_forged", "aud": AUDIENCE})
    assert (await api.get(ME, headers=_bearer(genuine))).status_code == 200

    header, payload, signature = genuine.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "user_someone_else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    unsigned_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    other_issuer = provider.issue_jwt(
        {"sub": "user_forged", "aud": AUDIENCE, "iss": "https://elsewhere.example"}
    )
    for token in [
        f"{header}.{forged_payload}.{signature}",
        f"{unsigned_header.decode()}.{payload}.",
        other_issuer,
    ]:
        response = await api.get(ME, headers=_bearer(token))
        assert response.status_code == 401, response.text


async def test_a_disabled_users_jwt_is_refused(
    api: httpx.AsyncClient, db: Database, provider: OidcProvider
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        user.disabled_at = now()
    await _link(db, provider, user, "user_disabled")
    token = provider.issue_jwt({"sub": "user_disabled", "aud": AUDIENCE})
    assert (await api.get(ME, headers=_bearer(token))).status_code == 401


async def test_a_provider_not_accepting_bearer_tokens_is_refused(
    closed_api: httpx.AsyncClient, db: Database, provider: OidcProvider
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await _link(db, provider, user, "user_closed")
    token = provider.issue_jwt({"sub": "user_closed", "aud": AUDIENCE})
    response = await closed_api.get(ME, headers=_bearer(token))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid-token"


async def _users(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)
