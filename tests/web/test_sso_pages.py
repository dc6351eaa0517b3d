"""The organization's single sign-on page: listing, adding and removing the email domains whose
people must sign in through a provider."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import select

from hireflow.app import create_app
from hireflow.config import OidcProviderSettings, Settings
from hireflow.db import Database
from hireflow.models import SsoDomain
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_member, make_user, sign_in
from tests.web.test_identity_pages import csrf_of
from tests.web.test_pages import HTML, HTMX, assert_html

# Only its settings: the page never talks to the provider.
CORP = OidcProviderSettings(
    key="corp", label="Corp Identity", issuer="https://id.corp.test", client_id="hireflow"
)


@pytest.fixture(scope="module")
async def sso_app(database_url: str, test_settings: Settings) -> AsyncIterator[FastAPI]:
    app = create_app(database_url, test_settings.model_copy(update={"oidc_providers": [CORP]}))
    async with LifespanManager(app):
        yield app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


@pytest.fixture
async def browser(sso_app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    sso_app.state.database = db
    async with _client(sso_app) as client:
        yield client


async def _rules(db: Database) -> list[tuple[str, str]]:
    async with db.transaction() as session:
        rows = await session.scalars(select(SsoDomain).order_by(SsoDomain.domain))
        return [(r.domain, r.provider_key) for r in rows]


async def _password_login(app: FastAPI, email: str) -> httpx.Response:
    async with _client(app) as other:
        return await other.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})


async def test_require_sso_for_the_admins_domain_then_release_it(
    sso_app: FastAPI, browser: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session, name="Corp")
        admin, _ = await make_member(session, organization, role="admin", email="ada@corp.test")
        await make_user(session, email="staff@corp.test")
    await sign_in(browser, admin.email)
    base = f"/organizations/{organization.id}/sso"

    settings_page = assert_html(
        await browser.get(f"/organizations/{organization.id}/settings", headers=HTML)
    )
    assert base in settings_page.links
    empty = await browser.get(base, headers=HTML)
    page = assert_html(empty)
    assert page.h1 == ["Single sign-on"]
    assert page.csp_offences == []
    assert len(page.ids) == len(set(page.ids))
    assert "No domain requires single sign-on" in empty.text
    assert '<option value="corp">Corp Identity</option>' in empty.text

    added = await browser.post(
        base,
        data={"domain": " Corp.test ", "provider_key": "corp", "csrf_token": csrf_of(browser)},
        headers=HTML,
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"].startswith(base)
    assert await _rules(db) == [("corp.test", "corp")]
    listed = await browser.get(added.headers["location"], headers=HTML)
    assert_html(listed)
    assert "Single sign-on required" in listed.text
    assert "<td>corp.test</td>" in listed.text
    assert "Corp Identity" in listed.text

    refused = await _password_login(sso_app, "staff@corp.test")
    assert refused.status_code == 403
    assert refused.json()["code"] == "sso-required"

    async with db.transaction() as session:
        rule = await session.scalar(select(SsoDomain))
        assert rule is not None
    removed = await browser.post(
        f"{base}/{rule.id}/remove", data={"csrf_token": csrf_of(browser)}, headers=HTMX
    )
    assert removed.status_code == 303
    assert await _rules(db) == []
    assert (await _password_login(sso_app, "staff@corp.test")).status_code == 200


async def test_another_domain_is_refused_next_to_the_field(
    browser: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner", email="bo@corp.test")
    await sign_in(browser, owner.email)
    base = f"/organizations/{organization.id}/sso"
    cases = (
        ("elsewhere.test", "the domain of your own email address"),
        ("not a domain", "Enter an email domain such as example.com."),
    )
    for domain, message in cases:
        response = await browser.post(
            base,
            data={"domain": domain, "provider_key": "corp", "csrf_token": csrf_of(browser)},
            headers=HTML,
        )
        assert_html(response, 422)
        field = response.text.split('id="field-domain"')[0].rsplit('<div class="field', 1)[1]
        assert field.startswith(" field-invalid"), domain
        assert message in response.text
        assert f'value="{domain}"' in response.text
    unknown_provider = await browser.post(
        base,
        data={"domain": "corp.test", "provider_key": "nope", "csrf_token": csrf_of(browser)},
        headers=HTML,
    )
    assert_html(unknown_provider, 404)
    assert await _rules(db) == []


async def test_a_viewer_is_refused(browser: httpx.AsyncClient, db: Database) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        viewer, _ = await make_member(session, organization, role="viewer", email="vi@corp.test")
    await sign_in(browser, viewer.email)
    base = f"/organizations/{organization.id}/sso"
    assert_html(await browser.get(base, headers=HTML), 403)
    posted = await browser.post(
        base,
        data={"domain": "corp.test", "provider_key": "corp", "csrf_token": csrf_of(browser)},
        headers=HTML,
    )
    assert_html(posted, 403)
    settings_page = await browser.get(f"/organizations/{organization.id}/settings", headers=HTML)
    assert base not in assert_html(settings_page).links
    assert await _rules(db) == []


async def test_another_organizations_page_is_not_found(
    browser: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        mine = await make_organization(session, name="Mine")
        me, _ = await make_member(session, mine, role="owner", email="me@corp.test")
        theirs = await make_organization(session, name="Theirs")
    await sign_in(browser, me.email)
    response = await browser.get(f"/organizations/{theirs.id}/sso", headers=HTML)
    assert_html(response, 404)
    assert "Theirs" not in response.text


async def test_without_providers_the_page_explains_how_to_add_one(
    client: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner")
    await sign_in(client, owner.email)
    response = await client.get(f"/organizations/{organization.id}/sso", headers=HTML)
    assert_html(response)
    assert "HIREFLOW_OIDC_PROVIDERS" in response.text
    assert "docs/identity.md" in response.text
    assert 'name="provider_key"' not in response.text
