"""Personal API tokens on the security page and organization API keys on their page: made
through forms, shown once, listed by prefix, revoked."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select

from hireflow.db import Database
from hireflow.models import ApiToken
from tests.factories.organizations import make_organization
from tests.factories.users import make_member, make_user
from tests.web.test_identity_pages import csrf_of, page_sign_in
from tests.web.test_pages import HTML, HTMX, assert_html

TOKEN = re.compile(r"\b(hf[po]_[A-Za-z0-9_-]{20,})")


async def live_tokens(db: Database) -> int:
    async with db.transaction() as session:
        found = await session.scalar(
            select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))
        )
        return int(found or 0)


def shown_token(response: httpx.Response) -> str:
    [token] = set(TOKEN.findall(response.text))
    return str(token)


async def test_personal_token_is_shown_once_works_and_can_be_revoked(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    security = await client.get("/account/security", headers=HTML)
    assert assert_html(security).csp_offences == []
    assert "Personal API tokens" in security.text
    assert "No API tokens" in security.text

    created = await client.post(
        "/account/security/tokens",
        data={"name": "CI script", "expires_in_days": "30", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    page = assert_html(created)
    assert page.csp_offences == []
    assert created.headers["cache-control"] == "no-store"
    assert "will not be shown again" in created.text
    token = shown_token(created)
    assert token.startswith("hfp_")
    assert "location" not in created.headers

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as program:
        bearer = {"Authorization": f"Bearer {token}"}
        me = await program.get("/api/v1/auth/me", headers=bearer)
        assert me.status_code == 200, me.text
        assert me.json()["email"] == user.email

        listing = await client.get("/account/security", headers=HTML)
        assert assert_html(listing).csp_offences == []
        assert "CI script" in listing.text
        assert token[:12] in listing.text
        assert token not in listing.text
        assert "All your permissions" in listing.text

        async with db.transaction() as session:
            row = await session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert row is not None
        assert row.expires_at is not None
        revoked = await client.post(
            f"/account/security/tokens/{row.id}/revoke",
            data={"csrf_token": csrf_of(client)},
            headers=HTMX,
        )
        assert revoked.status_code == 303
        assert revoked.headers["location"] == "/account/security?notice=token-revoked"
        assert (await program.get("/api/v1/auth/me", headers=bearer)).status_code == 401
    after = await client.get("/account/security", headers=HTML)
    assert "CI script" not in after.text
    # Revoking it again finds nothing.
    again = await client.post(
        f"/account/security/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(again, 404)


async def test_personal_token_scopes_are_kept(client: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        user, _ = await make_member(session, organization, role="viewer")
    await page_sign_in(client, user.email)
    form = assert_html(await client.get("/account/security", headers=HTML))
    assert form.csp_offences == []
    assert (
        'name="scopes" value="jobs:read"'
        in (await client.get("/account/security", headers=HTML)).text
    )
    created = await client.post(
        "/account/security/tokens",
        data={"name": "Reader", "scopes": ["jobs:read"], "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(created)
    async with db.transaction() as session:
        row = await session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row is not None
    assert row.scopes == ["jobs:read"]
    assert row.expires_at is None


async def test_bad_personal_token_input_shows_the_form_again_and_creates_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        user = await make_user(session)
    await page_sign_in(client, user.email)
    before = await live_tokens(db)
    no_name = await client.post(
        "/account/security/tokens",
        data={"name": "  ", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(no_name, 422)
    assert 'id="token-name-error">Give the token a name' in no_name.text
    zero_days = await client.post(
        "/account/security/tokens",
        data={"name": "Keep me", "expires_in_days": "0", "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(zero_days, 422)
    assert 'id="token-expires-error">Enter a number of days from 1 to 365' in zero_days.text
    assert 'value="Keep me"' in zero_days.text
    unknown_scope = await client.post(
        "/account/security/tokens",
        data={"name": "x", "scopes": ["not:a-permission"], "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(unknown_scope, 422)
    assert "Choose permissions from the list." in unknown_scope.text
    assert TOKEN.search(zero_days.text) is None
    assert await live_tokens(db) == before


async def test_admin_creates_lists_and_revokes_an_organization_key(
    app: object, client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Initech")
        admin, _ = await make_member(session, organization, role="admin")
    await page_sign_in(client, admin.email)
    base = f"/organizations/{organization.id}"
    team = assert_html(await client.get(f"{base}/team", headers=HTML))
    assert f"{base}/api-keys" in team.links
    empty = await client.get(f"{base}/api-keys", headers=HTML)
    page = assert_html(empty)
    assert page.h1 == ["API keys"]
    assert page.csp_offences == []
    assert len(page.ids) == len(set(page.ids))
    assert "No API keys yet" in empty.text

    created = await client.post(
        f"{base}/api-keys",
        data={"name": "Reporting", "scopes": ["jobs:read"], "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert assert_html(created).csp_offences == []
    assert created.headers["cache-control"] == "no-store"
    assert "will not be shown again" in created.text
    key = shown_token(created)
    assert key.startswith("hfo_")

    listing = await client.get(f"{base}/api-keys", headers=HTML)
    assert "Reporting" in listing.text
    assert key[:12] in listing.text
    assert key not in listing.text
    async with db.transaction() as session:
        row = await session.scalar(
            select(ApiToken).where(ApiToken.organization_id == organization.id)
        )
    assert row is not None
    assert row.scopes == ["jobs:read"]

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as program:
        bearer = {"Authorization": f"Bearer {key}"}
        keys_api = f"/api/v1/organizations/{organization.id}/api-keys"
        # The key works (and is refused what its scope does not allow, not as unknown).
        assert (await program.get(keys_api, headers=bearer)).status_code == 403
        revoked = await client.post(
            f"{base}/api-keys/{row.id}/revoke", data={"csrf_token": csrf_of(client)}, headers=HTML
        )
        assert revoked.status_code == 303
        assert revoked.headers["location"] == f"{base}/api-keys?notice=api-key-revoked"
        assert (await program.get(keys_api, headers=bearer)).status_code == 401
    after = await client.get(revoked.headers["location"], headers=HTML)
    assert "API key revoked" in after.text
    assert "Reporting" not in after.text


async def test_bad_organization_key_input_shows_the_form_again_and_creates_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        admin, _ = await make_member(session, organization, role="admin")
    await page_sign_in(client, admin.email)
    url = f"/organizations/{organization.id}/api-keys"
    before = await live_tokens(db)
    no_scope = await client.post(
        url, data={"name": "Nothing", "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert_html(no_scope, 422)
    assert "Choose at least one permission for the key." in no_scope.text
    assert 'value="Nothing"' in no_scope.text
    no_name = await client.post(
        url, data={"name": "", "scopes": ["jobs:read"], "csrf_token": csrf_of(client)}, headers=HTML
    )
    assert_html(no_name, 422)
    assert 'id="key-name-error">Give the key a name' in no_name.text
    # The ticked scope stays ticked.
    assert re.search(r'value="jobs:read"\s+checked', no_name.text)
    zero_days = await client.post(
        url,
        data={
            "name": "x",
            "scopes": ["jobs:read"],
            "expires_in_days": "0",
            "csrf_token": csrf_of(client),
        },
        headers=HTML,
    )
    assert_html(zero_days, 422)
    assert 'id="key-expires-error">' in zero_days.text
    assert await live_tokens(db) == before


async def test_organization_keys_need_the_permission_and_membership(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        viewer, _ = await make_member(session, organization, role="viewer")
        theirs = await make_organization(session, name="Hooli")
    await page_sign_in(client, viewer.email)
    base = f"/organizations/{organization.id}"
    refused = await client.get(f"{base}/api-keys", headers=HTML)
    assert_html(refused, 403)
    assert "api_keys:write" in refused.text
    team = assert_html(await client.get(f"{base}/team", headers=HTML))
    assert f"{base}/api-keys" not in team.links
    posted = await client.post(
        f"{base}/api-keys",
        data={"name": "Sneaky", "scopes": ["jobs:read"], "csrf_token": csrf_of(client)},
        headers=HTML,
    )
    assert_html(posted, 403)
    other = await client.get(f"/organizations/{theirs.id}/api-keys", headers=HTML)
    assert_html(other, 404)
    assert "Hooli" not in other.text
    async with db.transaction() as session:
        made = await session.scalar(
            select(func.count())
            .select_from(ApiToken)
            .where(ApiToken.organization_id.in_([organization.id, theirs.id]))
        )
    assert made == 0
