"""Personal API tokens and organization API keys: shown once and stored hashed, used as
`Authorization: Bearer`, limited by scopes, revocable, audited; bad input changes nothing."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.kit.clock import now
from hireflow.models import ApiToken, AuditEvent, Role
from hireflow.organizations import repository
from tests.factories.api_tokens import make_organization_key, make_personal_token
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user, sign_in

TOKENS = "/api/v1/auth/tokens"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A client without cookies: a script calling the API with a token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _events(db: Database, action: str) -> list[AuditEvent]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


async def _count(db: Database, model: type[ApiToken] | type[AuditEvent] | type[Role]) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _age(moment: str) -> timedelta:
    return datetime.fromisoformat(moment) - now()


# --- personal tokens ---------------------------------------------------------------------------


async def test_a_personal_token_is_shown_once_and_only_its_hash_is_kept(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)
    created = await client.post(TOKENS, json={"name": " deploy script ", "expires_in_days": 30})
    assert created.status_code == 201, created.text
    body = created.json()
    token = body["token"]
    assert token.startswith("hfp_")
    assert len(token) >= 4 + 43  # 256 random bits after the prefix
    assert body["name"] == "deploy script"
    assert body["prefix"] == token[:12]
    assert body["scopes"] == []
    assert body["last_used_at"] is None
    assert timedelta(days=29) < _age(body["expires_at"]) <= timedelta(days=30)

    listed = await client.get(TOKENS)
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [body["id"]]
    assert "token" not in listed.json()[0]
    assert token not in listed.text
    async with db.transaction() as session:
        row = await session.get(ApiToken, uuid.UUID(body["id"]))
        assert row is not None
        assert row.kind == "personal"
        assert row.user_id == user.id
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.prefix, row.name, row.token_hash)
    [event] = await _events(db, "api_token.created")
    assert event.actor_user_id == user.id
    assert (event.target_type, event.target_id) == ("api_token", body["id"])
    assert token not in str(event.data)


async def test_a_personal_token_acts_as_its_user(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        user, _ = await make_member(session, organization, role="viewer")
    await sign_in(client, user.email)
    token = (await client.post(TOKENS, json={"name": "cli"})).json()["token"]

    me = await api.get("/api/v1/auth/me", headers=_bearer(token))
    assert me.status_code == 200, me.text
    assert me.json()["email"] == user.email
    members = await api.get(
        f"/api/v1/organizations/{organization.id}/members", headers=_bearer(token)
    )
    assert members.status_code == 200
    assert [m["email"] for m in members.json()] == [user.email]
    # Within its user's rights only: a viewer cannot create roles.
    refused = await api.post(
        f"/api/v1/organizations/{organization.id}/roles",
        json={"name": "X", "permissions": ["jobs:read"]},
        headers=_bearer(token),
    )
    assert refused.status_code == 403
    async with db.transaction() as session:
        used = await session.scalar(select(ApiToken.last_used_at))
    assert used is not None
    # Written at most once a minute, not at every call.
    await api.get("/api/v1/auth/me", headers=_bearer(token))
    async with db.transaction() as session:
        assert await session.scalar(select(ApiToken.last_used_at)) == used


async def test_a_scoped_token_is_refused_beyond_its_scopes(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await sign_in(client, owner.email)
    created = await client.post(TOKENS, json={"name": "read only", "scopes": ["organization:read"]})
    assert created.json()["scopes"] == ["organization:read"]
    token = created.json()["token"]
    base = f"/api/v1/organizations/{organization.id}"

    read = await api.get(base, headers=_bearer(token))
    assert read.status_code == 200
    assert read.json()["role"] == "owner"
    assert read.json()["permissions"] == ["organization:read"]
    members = await api.get(f"{base}/members", headers=_bearer(token))
    assert members.status_code == 403
    assert members.json()["missing_permissions"] == ["members:read"]
    roles_before = await _count(db, Role)
    refused = await api.post(
        f"{base}/roles", json={"name": "X", "permissions": ["jobs:read"]}, headers=_bearer(token)
    )
    assert refused.status_code == 403
    assert await _count(db, Role) == roles_before
    me = (await api.get("/api/v1/auth/me", headers=_bearer(token))).json()
    assert me["memberships"][0]["permissions"] == ["organization:read"]


async def test_revoked_and_expired_tokens_are_refused(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        _, expired = await make_personal_token(
            session, user.id, expires_at=now() - timedelta(minutes=1)
        )
    await sign_in(client, user.email)
    created = (await client.post(TOKENS, json={"name": "short-lived"})).json()
    assert (await api.get("/api/v1/auth/me", headers=_bearer(created["token"]))).is_success

    assert (await client.delete(f"{TOKENS}/{created['id']}")).status_code == 204
    [event] = await _events(db, "api_token.revoked")
    assert (event.actor_user_id, event.target_id) == (user.id, created["id"])
    for token in (created["token"], expired):
        refused = await api.get("/api/v1/auth/me", headers=_bearer(token))
        assert refused.status_code == 401
        assert refused.json()["code"] == "invalid-token"
        assert refused.headers["www-authenticate"].startswith("Bearer")
    # A revoked token is gone from the list and cannot be revoked twice.
    assert [t["name"] for t in (await client.get(TOKENS)).json()] == ["script"]
    assert (await client.delete(f"{TOKENS}/{created['id']}")).status_code == 404


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Token hfp_abc",
        "Bearer hfp_not-a-real-token",
        "Bearer hfo_not-a-real-key",
        "Bearer two words",
        "Bearer not-a-jwt",
        "Bearer " + "hfp_" + "x" * 500,
    ],
)
async def test_a_malformed_or_unknown_authorization_header_is_401(
    api: httpx.AsyncClient, header: str
) -> None:
    response = await api.get("/api/v1/auth/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid-token"


async def test_the_bearer_token_wins_over_the_cookie_and_needs_no_csrf_token(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        someone = await make_user(session)
        _, token = await make_personal_token(session, owner.id)
    await sign_in(client, someone.email)
    del client.headers["X-CSRF-Token"]
    # The cookie alone: CSRF protection applies.
    assert (await client.post(TOKENS, json={"name": "x"})).json()["code"] == "csrf-failed"

    me = await client.get("/api/v1/auth/me", headers=_bearer(token))
    assert me.json()["email"] == owner.email  # the token's user, not the cookie's
    created = await client.post(
        f"/api/v1/organizations/{organization.id}/roles",
        json={"name": "Sourcer", "permissions": ["candidates:read"]},
        headers=_bearer(token),
    )
    assert created.status_code == 201, created.text


async def test_tokens_cannot_use_the_routes_of_browser_sessions(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        _, token = await make_personal_token(session, user.id)
    calls = [
        ("POST", "/api/v1/auth/logout", None),
        ("GET", "/api/v1/auth/sessions", None),
        ("DELETE", f"/api/v1/auth/sessions/{uuid.uuid4()}", None),
        ("POST", "/api/v1/auth/mfa/enrol", {"password": "x"}),
        ("POST", "/api/v1/auth/mfa/confirm", {"code": "123456"}),
        ("POST", "/api/v1/auth/mfa/verify", {"code": "123456"}),
        ("POST", "/api/v1/auth/mfa/recovery-codes", {"code": "123456"}),
        ("POST", "/api/v1/auth/mfa/disable", {"password": "x", "code": "123456"}),
        (
            "POST",
            "/api/v1/auth/password/change",
            {"current_password": "x", "new_password": "y"},
        ),
    ]
    for method, path, body in calls:
        response = await api.request(method, path, json=body, headers=_bearer(token))
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == "session-required"
    assert (await api.get("/api/v1/auth/mfa/status", headers=_bearer(token))).status_code == 200


async def test_tokens_cannot_create_tokens_or_keys(api: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        _, token = await make_personal_token(session, owner.id)
    before = await _count(db, ApiToken)
    for path, body in [
        (TOKENS, {"name": "more"}),
        (
            f"/api/v1/organizations/{organization.id}/api-keys",
            {"name": "more", "scopes": ["organization:read"]},
        ),
    ]:
        refused = await api.post(path, json=body, headers=_bearer(token))
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "api-token-not-allowed"
    assert await _count(db, ApiToken) == before


async def test_bad_token_input_gets_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await sign_in(client, user.email)
    before = (await _count(db, ApiToken), await _count(db, AuditEvent))
    for body in [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 101},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "expires_in_days": 366},
        {"name": "x", "scopes": ["jobs:fly"]},
        {"name": "x", "scopes": "jobs:read"},
        {"name": "x", "user_id": str(uuid.uuid4())},
    ]:
        response = await client.post(TOKENS, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await _count(db, ApiToken), await _count(db, AuditEvent)) == before


async def test_someone_elses_token_id_is_404(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        me = await make_user(session)
        stranger = await make_user(session)
        theirs, raw = await make_personal_token(session, stranger.id)
    await sign_in(client, me.email)
    assert (await client.delete(f"{TOKENS}/{theirs.id}")).status_code == 404
    assert (await client.get(TOKENS)).json() == []
    assert (await api.get("/api/v1/auth/me", headers=_bearer(raw))).status_code == 200


async def test_a_token_still_needs_mfa_enrolment_when_the_role_requires_it(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner = await make_user(session)  # no MFA
        role = await repository.system_role(session, "owner")
        await repository.add_member(
            session, organization_id=organization.id, user_id=owner.id, role_id=role.id
        )
        _, token = await make_personal_token(session, owner.id)
    refused = await api.get(f"/api/v1/organizations/{organization.id}", headers=_bearer(token))
    assert refused.status_code == 403
    assert refused.json()["code"] == "mfa-enrolment-required"
    assert (await api.get("/api/v1/auth/me", headers=_bearer(token))).status_code == 200


async def test_a_disabled_users_token_is_refused(api: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
        _, token = await make_personal_token(session, user.id)
        user.disabled_at = now()
    assert (await api.get("/api/v1/auth/me", headers=_bearer(token))).status_code == 401


# --- organization API keys ---------------------------------------------------------------------


async def test_an_admin_creates_an_organization_key_shown_once(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await sign_in(client, admin.email)
    base = f"/api/v1/organizations/{organization.id}/api-keys"
    created = await client.post(
        base, json={"name": "ATS sync", "scopes": ["members:read", "organization:read"]}
    )
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["token"].startswith("hfo_")
    assert key["prefix"] == key["token"][:12]
    assert key["scopes"] == ["members:read", "organization:read"]
    assert key["expires_at"] is None
    listed = await client.get(base)
    assert [k["id"] for k in listed.json()] == [key["id"]]
    assert key["token"] not in listed.text
    async with db.transaction() as session:
        row = await session.get(ApiToken, uuid.UUID(key["id"]))
        assert row is not None
        assert (row.kind, row.organization_id, row.user_id) == (
            "organization",
            organization.id,
            None,
        )
        assert row.created_by_user_id == admin.id
        assert row.token_hash == hashlib.sha256(key["token"].encode()).hexdigest()
    [event] = await _events(db, "api_key.created")
    assert (event.organization_id, event.actor_user_id) == (organization.id, admin.id)
    assert (event.target_type, event.target_id) == ("api_key", key["id"])


async def test_an_organization_key_acts_within_its_scopes_in_its_organization_only(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        other = await make_organization(session, name="Other")
        await make_member(session, other, role="owner")
        _, key = await make_organization_key(
            session, organization.id, owner.id, scopes=["organization:read", "members:read"]
        )
    base = f"/api/v1/organizations/{organization.id}"
    read = await api.get(base, headers=_bearer(key))
    assert read.status_code == 200, read.text
    assert read.json()["role"] is None
    assert read.json()["permissions"] == ["members:read", "organization:read"]
    assert (await api.get(f"{base}/members", headers=_bearer(key))).status_code == 200
    assert (await api.get(f"{base}/roles", headers=_bearer(key))).status_code == 200

    roles_before = await _count(db, Role)
    beyond = await api.post(
        f"{base}/roles", json={"name": "X", "permissions": ["jobs:read"]}, headers=_bearer(key)
    )
    assert beyond.status_code == 403
    assert beyond.json()["missing_permissions"] == ["roles:write"]
    assert await _count(db, Role) == roles_before
    assert (await api.get(f"{base}/audit-events", headers=_bearer(key))).status_code == 403

    elsewhere = await api.get(f"/api/v1/organizations/{other.id}", headers=_bearer(key))
    assert elsewhere.status_code == 404
    assert "Other" not in elsewhere.text
    assert (
        await api.get(f"/api/v1/organizations/{uuid.uuid4()}/members", headers=_bearer(key))
    ).status_code == 404


async def test_an_organization_key_cannot_use_personal_routes(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        _, key = await make_organization_key(
            session, organization.id, owner.id, scopes=["organization:read"]
        )
    for method, path, code in [
        ("GET", "/api/v1/auth/me", "user-required"),
        ("GET", "/api/v1/organizations", "user-required"),
        ("GET", TOKENS, "user-required"),
        ("GET", "/api/v1/auth/mfa/status", "user-required"),
        ("POST", "/api/v1/auth/logout", "session-required"),
        ("GET", "/api/v1/auth/sessions", "session-required"),
        ("GET", "/api/v1/platform/outbox", "session-required"),
    ]:
        response = await api.request(method, path, headers=_bearer(key))
        assert response.status_code == 403, (path, response.text)
        assert response.json()["code"] == code


async def test_an_organization_keys_changes_are_audited_under_its_name(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        _, key = await make_organization_key(
            session, organization.id, owner.id, name="provisioning", scopes=["roles:write"]
        )
    created = await api.post(
        f"/api/v1/organizations/{organization.id}/roles",
        json={"name": "Sourcer", "permissions": ["roles:write"]},
        headers=_bearer(key),
    )
    assert created.status_code == 201, created.text
    # Not beyond its own scopes.
    beyond = await api.post(
        f"/api/v1/organizations/{organization.id}/roles",
        json={"name": "Boss", "permissions": ["jobs:read"]},
        headers=_bearer(key),
    )
    assert beyond.status_code == 403
    [event] = await _events(db, "role.created")
    assert event.actor_user_id is None
    assert event.actor_email == "api-key:provisioning"
    assert (event.target_type, event.target_id) == ("role", created.json()["id"])


async def test_a_key_cannot_be_given_more_than_its_maker_has(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
        recruiter, _ = await make_member(session, organization, role="recruiter")
    base = f"/api/v1/organizations/{organization.id}/api-keys"
    await sign_in(client, admin.email)
    escalation = await client.post(
        base, json={"name": "x", "scopes": ["organization:read", "organization:delete"]}
    )
    assert escalation.status_code == 403
    assert escalation.json()["permissions"] == ["organization:delete"]
    client.cookies.clear()
    await sign_in(client, recruiter.email)
    not_allowed = await client.post(base, json={"name": "x", "scopes": ["jobs:write"]})
    assert not_allowed.status_code == 403
    assert not_allowed.json()["missing_permissions"] == ["api_keys:write"]
    assert (await client.get(base)).status_code == 403
    assert await _count(db, ApiToken) == 0
    assert await _events(db, "api_key.created") == []


async def test_bad_key_input_gets_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await sign_in(client, owner.email)
    base = f"/api/v1/organizations/{organization.id}/api-keys"
    before = (await _count(db, ApiToken), await _count(db, AuditEvent))
    for body in [
        {"name": "x"},
        {"name": "x", "scopes": []},
        {"name": "", "scopes": ["jobs:read"]},
        {"name": "x", "scopes": ["jobs:fly"]},
        {"name": "x", "scopes": ["jobs:read"], "expires_in_days": 0},
        {"name": "x", "scopes": ["jobs:read"], "expires_in_days": 1000},
        {"name": "x", "scopes": ["jobs:read"], "organization_id": str(uuid.uuid4())},
    ]:
        response = await client.post(base, json=body)
        assert response.status_code == 422, (body, response.text)
    assert (await _count(db, ApiToken), await _count(db, AuditEvent)) == before


async def test_a_revoked_key_is_refused_and_another_organizations_key_id_is_404(
    client: httpx.AsyncClient, api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        other = await make_organization(session, name="Other")
        other_owner, _ = await make_member(session, other, role="owner")
        theirs, their_raw = await make_organization_key(
            session, other.id, other_owner.id, scopes=["organization:read"]
        )
        _, expired = await make_organization_key(
            session,
            organization.id,
            owner.id,
            scopes=["organization:read"],
            expires_at=now() - timedelta(seconds=1),
        )
    await sign_in(client, owner.email)
    base = f"/api/v1/organizations/{organization.id}/api-keys"
    key = (await client.post(base, json={"name": "ci", "scopes": ["organization:read"]})).json()
    org_url = f"/api/v1/organizations/{organization.id}"
    assert (await api.get(org_url, headers=_bearer(key["token"]))).status_code == 200

    assert (await client.delete(f"{base}/{theirs.id}")).status_code == 404
    assert (
        await api.get(f"/api/v1/organizations/{other.id}", headers=_bearer(their_raw))
    ).is_success

    assert (await client.delete(f"{base}/{key['id']}")).status_code == 204
    [event] = await _events(db, "api_key.revoked")
    assert (event.organization_id, event.actor_user_id, event.target_id) == (
        organization.id,
        owner.id,
        key["id"],
    )
    for raw in (key["token"], expired):
        refused = await api.get(org_url, headers=_bearer(raw))
        assert refused.status_code == 401
        assert refused.json()["code"] == "invalid-token"
    assert [k["name"] for k in (await client.get(base)).json()] == ["integration"]


async def test_a_key_with_the_right_may_revoke_keys_and_is_recorded_as_the_actor(
    api: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
        _, manager = await make_organization_key(
            session, organization.id, owner.id, name="rotator", scopes=["api_keys:write"]
        )
        old, _ = await make_organization_key(
            session, organization.id, owner.id, scopes=["organization:read"]
        )
    revoked = await api.delete(
        f"/api/v1/organizations/{organization.id}/api-keys/{old.id}", headers=_bearer(manager)
    )
    assert revoked.status_code == 204
    [event] = await _events(db, "api_key.revoked")
    assert (event.actor_user_id, event.actor_email) == (None, "api-key:rotator")
