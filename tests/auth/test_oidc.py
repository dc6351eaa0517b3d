"""The OpenID Connect client against a real provider on loopback (tests/fakes/oidc_provider.py)."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from hireflow.auth import oidc
from hireflow.auth.oidc import LoginState, OidcClient, OidcError, OidcIdentity, OidcTokenInvalid
from hireflow.config import OidcProviderSettings
from tests.fakes.oidc_provider import DEFAULT_REDIRECT_URIS, OidcProvider, s256

REDIRECT_URI = DEFAULT_REDIRECT_URIS[0]
AUDIENCE = "hireflow-api"


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    with OidcProvider() as running:
        running.add_user("user-ada", "ada@example.com", name="Ada Lovelace")
        running.add_user("user-grace", "grace@example.org", email_verified=False, name="Grace")
        yield running


@pytest.fixture(autouse=True)
def _correct_behaviour(provider: OidcProvider) -> Iterator[None]:
    yield
    provider.reset()


@pytest.fixture
def settings(provider: OidcProvider) -> OidcProviderSettings:
    return provider.settings(accept_bearer_tokens=True, audience=AUDIENCE)


@pytest.fixture
def client() -> OidcClient:
    """A client with empty caches, so each test sees the provider as it is now."""
    return OidcClient()


async def authorize(authorization_url: str) -> httpx.URL:
    """What a browser does at the provider: follow the URL, return where it is sent back."""
    async with httpx.AsyncClient() as browser:
        response = await browser.get(authorization_url, follow_redirects=False)
    assert response.status_code == 302, response.text
    return httpx.URL(response.headers["location"])


async def sign_in(
    client: OidcClient, settings: OidcProviderSettings, login_hint: str = "ada@example.com"
) -> tuple[LoginState, str, str]:
    """Run the flow up to the callback: (login state, state and code from the callback)."""
    url, login_state = await client.begin_login(settings, REDIRECT_URI, login_hint=login_hint)
    callback = await authorize(url)
    assert str(callback.copy_with(query=None)) == REDIRECT_URI
    return login_state, callback.params["state"], callback.params["code"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}."


def hs256_token(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """HS256 with the provider's *public* key as the secret: the algorithm-confusion forgery."""
    header = {"alg": "HS256", "typ": "JWT", "kid": kid}
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def tamper_signature(token: str) -> str:
    head, payload, signature = token.split(".")
    raw = bytearray(unb64url(signature))
    raw[len(raw) // 2] ^= 0x01
    return f"{head}.{payload}.{b64url(bytes(raw))}"


def tamper_payload(token: str) -> str:
    """Same signature, different claims (another subject)."""
    head, payload, signature = token.split(".")
    claims = json.loads(unb64url(payload))
    claims["sub"] = "user-mallory"
    return f"{head}.{b64url(json.dumps(claims).encode())}.{signature}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- login -------------------------------------------------------------------------------------


async def test_login_flow_returns_the_identity(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    login_state, state, code = await sign_in(client, settings)

    identity = await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

    assert identity == OidcIdentity(
        issuer=provider.issuer,
        subject="user-ada",
        email="ada@example.com",
        email_verified=True,
        name="Ada Lovelace",
    )
    # Both methods are offered; the client picks client_secret_basic.
    assert provider.last_client_auth == "client_secret_basic"


async def test_login_url_carries_state_nonce_and_pkce(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    url, login_state = await client.begin_login(settings, REDIRECT_URI)

    params = httpx.URL(url).params
    assert str(httpx.URL(url).copy_with(query=None)) == f"{provider.issuer}/authorize"
    assert params["response_type"] == "code"
    assert params["client_id"] == provider.client_id
    assert params["redirect_uri"] == REDIRECT_URI
    assert params["scope"].split() == ["openid", "email", "profile"]
    assert params["state"] == login_state.state
    assert params["nonce"] == login_state.nonce
    assert params["code_challenge"] == s256(login_state.code_verifier)
    assert params["code_challenge_method"] == "S256"
    # At least 128 bits of randomness each, and never reused.
    for value in (login_state.state, login_state.nonce, login_state.code_verifier):
        assert len(value) >= 43
    _, again = await client.begin_login(settings, REDIRECT_URI)
    assert {again.state, again.nonce, again.code_verifier}.isdisjoint(
        {login_state.state, login_state.nonce, login_state.code_verifier}
    )


async def test_module_functions_use_the_shared_client(
    settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    url, login_state = await oidc.begin_login(settings, REDIRECT_URI, login_hint="user-grace")
    callback = await authorize(url)

    identity = await oidc.complete_login(
        settings, callback.params["state"], callback.params["code"], login_state, REDIRECT_URI
    )

    assert (identity.subject, identity.email) == ("user-grace", "grace@example.org")
    assert identity.email_verified is False  # the provider said so; callers must not trust it
    bearer = provider.issue_jwt({"sub": "user-ada", "aud": AUDIENCE})
    assert (await oidc.verify_bearer_token(settings, bearer)).subject == "user-ada"


async def test_client_secret_post_when_that_is_all_the_provider_allows(
    client: OidcClient,
) -> None:
    with OidcProvider(token_endpoint_auth_methods=["client_secret_post"]) as strict:
        strict.add_user("user-1", "one@example.com")
        settings = strict.settings()
        login_state, state, code = await sign_in(client, settings, login_hint="user-1")

        identity = await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

        assert identity.subject == "user-1"
        assert strict.last_client_auth == "client_secret_post"


async def test_wrong_client_secret_is_a_provider_error(
    client: OidcClient, provider: OidcProvider
) -> None:
    settings = provider.settings(client_secret="not-the-secret")
    login_state, state, code = await sign_in(client, settings)

    with pytest.raises(OidcError) as caught:
        await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

    assert not isinstance(caught.value, OidcTokenInvalid)  # misconfiguration, not a bad login


async def test_wrong_state_is_refused(client: OidcClient, settings: OidcProviderSettings) -> None:
    login_state, _, code = await sign_in(client, settings)

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(settings, "forged-state", code, login_state, REDIRECT_URI)


async def test_login_state_of_another_provider_is_refused(
    client: OidcClient, settings: OidcProviderSettings
) -> None:
    login_state, state, code = await sign_in(client, settings)
    other = settings.model_copy(update={"key": "other"})

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(other, state, code, login_state, REDIRECT_URI)


async def test_stale_login_state_is_refused(
    client: OidcClient, settings: OidcProviderSettings
) -> None:
    login_state, state, code = await sign_in(client, settings)
    stale = dataclasses.replace(login_state, created_at=int(time.time()) - 3600)

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(settings, state, code, stale, REDIRECT_URI)


async def test_replayed_code_is_refused(client: OidcClient, settings: OidcProviderSettings) -> None:
    login_state, state, code = await sign_in(client, settings)
    await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(settings, state, code, login_state, REDIRECT_URI)


async def test_expired_code_is_refused(client: OidcClient, provider: OidcProvider) -> None:
    provider.code_lifetime_seconds = 0
    try:
        settings = provider.settings()
        login_state, state, code = await sign_in(client, settings)
        with pytest.raises(OidcTokenInvalid):
            await client.complete_login(settings, state, code, login_state, REDIRECT_URI)
    finally:
        provider.code_lifetime_seconds = 60


async def test_wrong_code_verifier_is_refused(
    client: OidcClient, settings: OidcProviderSettings
) -> None:
    login_state, state, code = await sign_in(client, settings)
    stolen = dataclasses.replace(login_state, code_verifier="x" * 64)

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(settings, state, code, stolen, REDIRECT_URI)


async def test_wrong_nonce_is_refused(client: OidcClient, settings: OidcProviderSettings) -> None:
    login_state, state, code = await sign_in(client, settings)
    # The ID token carries the nonce sent with the authorization request, not this one.
    replayed = dataclasses.replace(login_state, nonce="n" * 43)

    with pytest.raises(OidcTokenInvalid):
        await client.complete_login(settings, state, code, replayed, REDIRECT_URI)


def _expired() -> dict[str, Any]:
    now = int(time.time())
    return {"iat": now - 7200, "exp": now - 3600}


ID_TOKEN_FAULTS: dict[str, tuple[dict[str, Any], Callable[[str], str] | None]] = {
    "tampered signature": ({}, tamper_signature),
    "tampered claims": ({}, tamper_payload),
    "expired": (_expired(), None),
    "another audience": ({"aud": "someone-else"}, None),
    "another issuer": ({"iss": "https://evil.example"}, None),
    "no nonce": ({"nonce": None}, None),
    "issued in the future": ({"iat": int(time.time()) + 3600}, None),
    "another authorized party": ({"aud": ["hireflow-test", "x"], "azp": "x"}, None),
    "wrong at_hash": ({"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}, None),
    "alg none": ({}, lambda token: unsigned_token(_claims_of(token), _kid_of(token))),
}


def _claims_of(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(unb64url(token.split(".")[1]))
    return claims


def _kid_of(token: str) -> str:
    kid: str = json.loads(unb64url(token.split(".")[0]))["kid"]
    return kid


@pytest.mark.parametrize("fault", ID_TOKEN_FAULTS, ids=list(ID_TOKEN_FAULTS))
async def test_bad_id_token_is_refused(
    fault: str, client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    provider.id_token_overrides, provider.id_token_transform = ID_TOKEN_FAULTS[fault]
    login_state, state, code = await sign_in(client, settings)

    with pytest.raises(OidcTokenInvalid) as caught:
        await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

    assert code not in str(caught.value)


async def test_email_comes_from_userinfo_when_the_id_token_lacks_it(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    provider.include_email_in_id_token = False
    userinfo_before = provider.requests["/userinfo"]
    login_state, state, code = await sign_in(client, settings)

    identity = await client.complete_login(settings, state, code, login_state, REDIRECT_URI)

    assert (identity.email, identity.email_verified) == ("ada@example.com", True)
    assert provider.requests["/userinfo"] == userinfo_before + 1


async def test_discovery_is_cached(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    before = provider.requests["/.well-known/openid-configuration"]

    for _ in range(3):
        await client.begin_login(settings, REDIRECT_URI)

    assert provider.requests["/.well-known/openid-configuration"] == before + 1


async def test_authorization_endpoint_rejects_bad_requests(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    """The fake must be as strict as a real provider, or the tests above prove little."""
    url, _ = await client.begin_login(settings, REDIRECT_URI)
    good = httpx.URL(url)
    async with httpx.AsyncClient() as browser:
        unregistered = good.copy_set_param("redirect_uri", "https://evil.example/cb")
        assert (await browser.get(unregistered)).status_code == 400
        for name in ("code_challenge", "nonce", "state"):
            params = {key: value for key, value in good.params.items() if key != name}
            response = await browser.get(good.copy_with(params=params))
            assert response.status_code == 302
            assert httpx.URL(response.headers["location"]).params["error"] == "invalid_request"
        no_openid = good.copy_set_param("scope", "email")
        response = await browser.get(no_openid)
        assert httpx.URL(response.headers["location"]).params["error"] == "invalid_scope"


# --- bearer tokens -----------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
async def test_bearer_token_is_accepted_when_enabled(
    algorithm: Any, client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    token = provider.issue_jwt(
        {"sub": "user_2abc", "aud": AUDIENCE, "email": "ada@example.com", "email_verified": True},
        algorithm=algorithm,
    )

    identity = await client.verify_bearer_token(settings, token)

    assert identity == OidcIdentity(provider.issuer, "user_2abc", "ada@example.com", True, None)


async def test_bearer_audience_defaults_to_the_client_id(
    client: OidcClient, provider: OidcProvider
) -> None:
    settings = provider.settings(accept_bearer_tokens=True)

    ours = provider.issue_jwt({"sub": "user-1", "aud": provider.client_id})
    assert (await client.verify_bearer_token(settings, ours)).subject == "user-1"
    with pytest.raises(OidcTokenInvalid):
        await client.verify_bearer_token(
            settings, provider.issue_jwt({"sub": "u", "aud": AUDIENCE})
        )


async def test_bearer_token_is_refused_when_disabled(
    client: OidcClient, provider: OidcProvider
) -> None:
    settings = provider.settings(accept_bearer_tokens=False, audience=AUDIENCE)
    token = provider.issue_jwt({"sub": "user_2abc", "aud": AUDIENCE})

    with pytest.raises(OidcTokenInvalid):
        await client.verify_bearer_token(settings, token)


def _bearer_faults(provider: OidcProvider) -> dict[str, str]:
    now = int(time.time())
    good = {"sub": "user_2abc", "aud": AUDIENCE}
    return {
        "expired": provider.issue_jwt(good | {"iat": now - 7200, "exp": now - 3600}),
        "not yet valid": provider.issue_jwt(good | {"nbf": now + 3600}),
        "another audience": provider.issue_jwt(good | {"aud": "another-app"}),
        "no audience": provider.issue_jwt(good | {"aud": None}),
        "no expiry": provider.issue_jwt(good | {"exp": None}),
        "no subject": provider.issue_jwt(good | {"sub": None}),
        "another issuer": provider.issue_jwt(good | {"iss": "https://evil.example"}),
        "tampered signature": tamper_signature(provider.issue_jwt(good)),
        "tampered claims": tamper_payload(provider.issue_jwt(good)),
        "alg none": unsigned_token(good | {"iss": provider.issuer, "exp": now + 60}, "k"),
        "hs256 with the public key": hs256_token(
            good | {"iss": provider.issuer, "exp": now + 60},
            provider.public_key_pem(),
            provider.current_kid,
        ),
        "unknown key": provider.issue_jwt(good, headers={"kid": "not-a-published-kid"}),
        "garbage": "not.a.jwt",
        "empty": "",
    }


async def test_bad_bearer_tokens_are_refused(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    for name, token in _bearer_faults(provider).items():
        with pytest.raises(OidcTokenInvalid) as caught:
            await client.verify_bearer_token(settings, token)
        assert not token or token not in str(caught.value), name


async def test_key_rotation_is_picked_up_after_one_jwks_refetch(
    settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    client = OidcClient(jwks_refetch_interval_seconds=0)
    before = provider.issue_jwt({"sub": "user-1", "aud": AUDIENCE})
    assert (await client.verify_bearer_token(settings, before)).subject == "user-1"
    jwks_fetches = provider.requests["/jwks"]

    provider.rotate_keys(retire_old=True)
    after = provider.issue_jwt({"sub": "user-2", "aud": AUDIENCE})

    assert (await client.verify_bearer_token(settings, after)).subject == "user-2"
    assert provider.requests["/jwks"] == jwks_fetches + 1
    # The retired key is gone from the refetched set.
    with pytest.raises(OidcTokenInvalid):
        await client.verify_bearer_token(settings, before)
    # Logins use the new key too.
    login_state, state, code = await sign_in(client, settings)
    identity = await client.complete_login(settings, state, code, login_state, REDIRECT_URI)
    assert identity.subject == "user-ada"


async def test_unknown_key_ids_do_not_refetch_the_jwks_each_time(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    good = provider.issue_jwt({"sub": "user-1", "aud": AUDIENCE})
    await client.verify_bearer_token(settings, good)
    jwks_fetches = provider.requests["/jwks"]

    for attempt in range(5):
        forged = provider.issue_jwt(
            {"sub": "user-1", "aud": AUDIENCE}, headers={"kid": f"forged-{attempt}"}
        )
        with pytest.raises(OidcTokenInvalid):
            await client.verify_bearer_token(settings, forged)

    assert provider.requests["/jwks"] == jwks_fetches


# --- the provider itself -----------------------------------------------------------------------


async def test_unreachable_provider_is_an_oidc_error(client: OidcClient) -> None:
    settings = OidcProviderSettings.model_validate(
        {
            "key": "gone",
            "label": "Gone",
            "issuer": f"http://127.0.0.1:{free_port()}",
            "client_id": "hireflow",
        }
    )

    with pytest.raises(OidcError) as caught:
        await client.begin_login(settings, REDIRECT_URI)

    assert not isinstance(caught.value, OidcTokenInvalid)
    assert "Gone" in caught.value.detail


async def test_discovery_for_another_issuer_is_refused(
    client: OidcClient, settings: OidcProviderSettings, provider: OidcProvider
) -> None:
    provider.advertised_issuer = "https://evil.example"

    with pytest.raises(OidcError):
        await client.begin_login(settings, REDIRECT_URI)


async def test_cached_metadata_and_keys_outlive_a_provider_outage(provider: OidcProvider) -> None:
    client = OidcClient(discovery_ttl_seconds=0, jwks_ttl_seconds=0)
    with OidcProvider() as short_lived:
        settings = short_lived.settings(accept_bearer_tokens=True, audience=AUDIENCE)
        token = short_lived.issue_jwt({"sub": "user-1", "aud": AUDIENCE})
        await client.verify_bearer_token(settings, token)

    # Both caches are stale and the provider is gone: what was fetched still verifies.
    identity = await client.verify_bearer_token(settings, token)

    assert identity.subject == "user-1"
