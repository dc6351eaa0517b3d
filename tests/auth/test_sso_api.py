"""Signing in through an OpenID Connect provider (a real one, on loopback), and organizations
that require it for their email domain."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from hireflow.app import create_app
from hireflow.config import Settings
from hireflow.db import Database
from tests.factories.organizations import make_organization
from tests.factories.users import PASSWORD, make_member, make_user, sign_in
from tests.fakes.oidc_provider import OidcProvider


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as running:
        running.add_user("sub-ada", "ada@sso.test", name="Ada Lovelace")
        running.add_user("sub-unverified", "eve@sso.test", email_verified=False, name="Eve")
        yield running


@pytest.fixture(scope="module")
async def sso_app(
    database_url: str, test_settings: Settings, provider: OidcProvider
) -> AsyncIterator[FastAPI]:
    app = create_app(
        database_url, test_settings.model_copy(update={"oidc_providers": [provider.settings()]})
    )
    async with LifespanManager(app):
        yield app


@pytest.fixture
async def browser(sso_app: FastAPI, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    sso_app.state.database = db
    transport = httpx.ASGITransport(app=sso_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def _round_trip(browser: httpx.AsyncClient, login_hint: str) -> httpx.Response:
    """Start at hireflow, let the provider log `login_hint` in, come back to the callback."""
    start = await browser.get("/auth/oidc/fake/login")
    assert start.status_code == 303
    authorize_url = httpx.URL(start.headers["location"]).copy_add_param("login_hint", login_hint)
    async with httpx.AsyncClient() as network:
        at_provider = await network.get(authorize_url)
    assert at_provider.status_code in (302, 303), at_provider.text
    back = httpx.URL(at_provider.headers["location"])
    assert back.path == "/auth/oidc/fake/callback"
    return await browser.get(back.path, params=dict(back.params))


async def test_sso_sign_in_creates_then_reuses_the_account(browser: httpx.AsyncClient) -> None:
    providers = (await browser.get("/api/v1/auth/sso/providers")).json()
    assert providers == [
        {"key": "fake", "label": "Fake OIDC", "login_url": "/auth/oidc/fake/login"}
    ]
    done = await _round_trip(browser, "sub-ada")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/"
    me = (await browser.get("/api/v1/auth/me")).json()
    assert me["email"] == "ada@sso.test"
    assert me["name"] == "Ada Lovelace"
    first_id = me["id"]
    browser.cookies.clear()
    await _round_trip(browser, "sub-ada")
    assert (await browser.get("/api/v1/auth/me")).json()["id"] == first_id


async def test_an_unverified_provider_email_is_not_trusted(browser: httpx.AsyncClient) -> None:
    refused = await _round_trip(browser, "sub-unverified")
    assert refused.status_code == 403
    assert (await browser.get("/api/v1/auth/me")).status_code == 401


async def test_a_callback_without_this_browsers_login_is_refused(
    browser: httpx.AsyncClient,
) -> None:
    start = await browser.get("/auth/oidc/fake/login")
    authorize_url = httpx.URL(start.headers["location"]).copy_add_param("login_hint", "sub-ada")
    async with httpx.AsyncClient() as network:
        back = httpx.URL((await network.get(authorize_url)).headers["location"])
    browser.cookies.set("hf_oidc", "forged.value", path="/auth/oidc")
    response = await browser.get(back.path, params=dict(back.params))
    assert response.status_code == 401
    assert response.json()["code"] == "sso-token-invalid"


async def test_unknown_provider_is_404(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/auth/oidc/nope/login")).status_code == 404


async def test_an_organization_can_require_sso_for_its_domain(
    browser: httpx.AsyncClient, db: Database
) -> None:
    async with db.transaction() as session:
        organization = await make_organization(session)
        owner, _ = await make_member(session, organization, role="owner", email="boss@corp.test")
        await make_user(session, email="staff@corp.test")
    await sign_in(browser, owner.email)
    base = f"/api/v1/organizations/{organization.id}/sso-domains"
    assert (
        await browser.post(base, json={"domain": "elsewhere.test", "provider_key": "fake"})
    ).status_code == 422  # not the domain of the admin's own address
    assert (
        await browser.post(base, json={"domain": "corp.test", "provider_key": "nope"})
    ).status_code == 404
    created = await browser.post(base, json={"domain": "corp.test", "provider_key": "fake"})
    assert created.status_code == 201, created.text

    refused = await browser.post(
        "/api/v1/auth/login", json={"email": "staff@corp.test", "password": PASSWORD}
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "sso-required"
    assert refused.json()["login_url"] == "/auth/oidc/fake/login"

    assert (await browser.delete(f"{base}/{created.json()['id']}")).status_code == 204
    allowed = await browser.post(
        "/api/v1/auth/login", json={"email": "staff@corp.test", "password": PASSWORD}
    )
    assert allowed.status_code == 200


async def test_the_login_page_offers_each_provider(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert 'href="/auth/oidc/fake/login"' in page.text
    assert "Fake OIDC" in page.text


async def test_without_providers_the_login_page_offers_none(client: httpx.AsyncClient) -> None:
    page = await client.get("/login", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "/auth/oidc/" not in page.text
