"""OpenID Connect for any provider described by `OidcProviderSettings`.

Login is the authorization-code flow with PKCE, state and nonce: `begin_login` gives the URL to
send the browser to and a `LoginState` the caller keeps (server-side or in a signed cookie);
`complete_login` checks the callback, exchanges the code and validates the ID token. API calls
may carry a provider's JWT as a bearer token (Clerk-style), checked by `verify_bearer_token`.
Google, LinkedIn, Clerk, Keycloak … differ only in their settings, never in code paths here.

Provider metadata (discovery) and signing keys (JWKS) are cached per issuer; an unknown key id
triggers one JWKS refetch, rate-limited so forged tokens cannot make us hammer the provider.
Failures raise `OidcError` (the provider could not be used) or `OidcTokenInvalid` (a login or a
token was refused); their messages are safe to show and never contain tokens.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar
from urllib.parse import quote

import httpx
import jwt
import structlog

from hireflow.config import OidcProviderSettings
from hireflow.errors import AppError

log = structlog.get_logger(__name__)

# Asymmetric algorithms only: "none" and HMAC ("HS256" with a public key as the secret) are the
# classic JWT forgeries, so they are never accepted whatever a token's header says.
ALLOWED_ALGORITHMS: Final = ("RS256", "ES256")
_KEY_TYPES: Final = {"RS256": "RSA", "ES256": "EC"}

# Provider documents are small; a bigger answer is a misconfiguration or an attack.
MAX_RESPONSE_BYTES: Final = 512 * 1024
# Real JWTs are a few kilobytes; refuse huge ones before doing any work on them.
MAX_TOKEN_CHARS: Final = 16 * 1024

T = TypeVar("T")


class OidcError(AppError):
    """The provider could not be used: unreachable, misconfigured, or an unusable answer."""

    status = 502
    code = "sso-provider-error"
    title = "The sign-in provider could not be reached"


class OidcTokenInvalid(OidcError):
    """A login or a token was refused: wrong state or code, bad signature, claims that fail."""

    status = 401
    code = "sso-token-invalid"
    title = "The sign-in could not be verified"


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The parts of a provider's discovery document this module uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None
    end_session_endpoint: str | None
    token_endpoint_auth_methods: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LoginState:
    """What the caller keeps between `begin_login` and `complete_login`. Secret: store it
    server-side or in a signed, HttpOnly cookie — whoever holds it can finish the login."""

    provider_key: str
    state: str
    nonce: str
    code_verifier: str
    created_at: int  # unix seconds, so abandoned logins expire


@dataclass(frozen=True, slots=True)
class OidcIdentity:
    """A person as a provider vouches for them. (issuer, subject) is the stable identity;
    an email is only proof of ownership when `email_verified` is true."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None


@dataclass(slots=True)
class _Cached(Generic[T]):
    value: T
    fetched_at: float  # time.monotonic()


class OidcClient:
    """Talks to OpenID Connect providers and caches what they publish.

    One instance per process is enough (see `shared_client`); it is safe to share between
    concurrent requests on one event loop."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 5.0,
        discovery_ttl_seconds: float = 3600.0,
        jwks_ttl_seconds: float = 3600.0,
        jwks_refetch_interval_seconds: float = 30.0,
        leeway_seconds: int = 60,
        login_timeout_seconds: int = 900,
    ) -> None:
        self._timeout = httpx.Timeout(timeout_seconds)
        self._discovery_ttl = discovery_ttl_seconds
        self._jwks_ttl = jwks_ttl_seconds
        # An unknown kid refetches the JWKS at most this often: rotation needs one refetch,
        # while a stream of forged kids must not turn into a stream of requests.
        self._jwks_refetch_interval = jwks_refetch_interval_seconds
        self._leeway = leeway_seconds
        self._login_timeout = login_timeout_seconds
        self._metadata: dict[str, _Cached[ProviderMetadata]] = {}
        self._jwks: dict[str, _Cached[list[dict[str, Any]]]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def clear(self) -> None:
        """Forget every cached document (e.g. after changing provider settings)."""
        self._metadata.clear()
        self._jwks.clear()

    # --- discovery -----------------------------------------------------------------------

    async def discover(self, provider: OidcProviderSettings) -> ProviderMetadata:
        """The provider's metadata, from `{issuer}/.well-known/openid-configuration`."""
        configured = str(provider.issuer).rstrip("/")
        url = configured + "/.well-known/openid-configuration"
        async with self._lock("discovery " + url):
            cached = self._metadata.get(url)
            if cached and time.monotonic() - cached.fetched_at < self._discovery_ttl:
                return cached.value
            try:
                status, document = await self._request_json(provider, "GET", url)
                if status != 200:
                    raise _unusable(provider, "discovery", f"status {status}")
                metadata = _parse_metadata(provider, document, configured)
            except OidcError:
                if cached is None:
                    raise
                # Keep signing people in with what we knew while the provider is down, and
                # try again after a short pause rather than on every request.
                cached.fetched_at = self._retry_soon(self._discovery_ttl)
                return cached.value
            self._metadata[url] = _Cached(metadata, time.monotonic())
            log.info("oidc provider discovered", provider=provider.key, issuer=metadata.issuer)
            return metadata

    # --- login -----------------------------------------------------------------------------

    async def begin_login(
        self,
        provider: OidcProviderSettings,
        redirect_uri: str,
        *,
        login_hint: str | None = None,
    ) -> tuple[str, LoginState]:
        """The authorization URL to redirect the browser to, and the state to keep."""
        metadata = await self.discover(provider)
        login_state = LoginState(
            provider_key=provider.key,
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(48),  # 64 characters; RFC 7636 allows 43-128
            created_at=int(time.time()),
        )
        scopes = ["openid", *(scope for scope in provider.scopes if scope != "openid")]
        params = {
            "response_type": "code",
            "client_id": provider.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": login_state.state,
            "nonce": login_state.nonce,
            "code_challenge": _s256(login_state.code_verifier),
            "code_challenge_method": "S256",
        }
        if login_hint:
            params["login_hint"] = login_hint
        url = httpx.URL(metadata.authorization_endpoint).copy_merge_params(params)
        return str(url), login_state

    async def complete_login(
        self,
        provider: OidcProviderSettings,
        state_from_callback: str,
        code: str,
        login_state: LoginState,
        redirect_uri: str,
    ) -> OidcIdentity:
        """Check the callback against `login_state`, exchange the code, validate the ID token
        and return who signed in. Raises `OidcTokenInvalid` for anything that does not hold."""
        if login_state.provider_key != provider.key:
            # A login started with one provider must not be finished by another (mix-up).
            raise OidcTokenInvalid("This sign-in was started with another provider.")
        if not secrets.compare_digest(
            state_from_callback.encode("utf-8"), login_state.state.encode("utf-8")
        ):
            raise OidcTokenInvalid("The sign-in could not be matched to this browser.")
        if time.time() - login_state.created_at > self._login_timeout:
            raise OidcTokenInvalid("The sign-in took too long; please try again.")
        if not code or len(code) > MAX_TOKEN_CHARS:
            raise OidcTokenInvalid("The provider sent no usable sign-in code.")

        metadata = await self.discover(provider)
        tokens = await self._exchange_code(provider, metadata, code, login_state, redirect_uri)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise _unusable(provider, "token", "no id_token")
        access_token = tokens.get("access_token")
        access_token = access_token if isinstance(access_token, str) else None

        claims = await self._decode(
            provider,
            metadata,
            id_token,
            audience=provider.client_id,
            required=["iss", "sub", "aud", "exp", "iat"],
        )
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not secrets.compare_digest(
            nonce.encode("utf-8"), login_state.nonce.encode("utf-8")
        ):
            raise _refused(provider, "nonce mismatch")
        # With several audiences, `azp` says which client the token was issued to.
        azp = claims.get("azp")
        if (isinstance(claims["aud"], list) and len(claims["aud"]) > 1 and azp is None) or (
            azp is not None and azp != provider.client_id
        ):
            raise _refused(provider, "azp mismatch")
        # at_hash binds the access token (used for userinfo below) to this ID token.
        at_hash = claims.get("at_hash")
        if access_token is not None and at_hash is not None and at_hash != _half_hash(access_token):
            raise _refused(provider, "at_hash mismatch")

        identity = _identity(metadata.issuer, claims)
        if identity.email is None and metadata.userinfo_endpoint and access_token:
            identity = await self._with_userinfo(provider, metadata, identity, access_token)
        log.info(
            "oidc login verified",
            provider=provider.key,
            subject=identity.subject,
            email_verified=identity.email_verified,
        )
        return identity

    # --- bearer tokens ---------------------------------------------------------------------

    async def verify_bearer_token(self, provider: OidcProviderSettings, token: str) -> OidcIdentity:
        """Who a provider-issued JWT sent as `Authorization: Bearer` belongs to. Only for
        providers with `accept_bearer_tokens`; the token must name `audience` (or client_id)."""
        if not provider.accept_bearer_tokens:
            raise OidcTokenInvalid("This provider's tokens are not accepted for API calls.")
        metadata = await self.discover(provider)
        claims = await self._decode(
            provider,
            metadata,
            token,
            audience=provider.audience or provider.client_id,
            required=["iss", "sub", "aud", "exp"],
        )
        return _identity(metadata.issuer, claims)

    # --- internals -------------------------------------------------------------------------

    def _lock(self, name: str) -> asyncio.Lock:
        # One fetch per document at a time: concurrent cache misses wait for the first.
        return self._locks.setdefault(name, asyncio.Lock())

    def _retry_soon(self, ttl: float) -> float:
        """A fetched_at that makes a stale entry look fresh for one more refetch interval."""
        return time.monotonic() - ttl + max(self._jwks_refetch_interval, 1.0)

    async def _request_json(
        self,
        provider: OidcProviderSettings,
        method: str,
        url: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """(status, parsed JSON or None). Network failures and oversized answers → OidcError."""
        body = bytearray()
        try:
            async with (
                httpx.AsyncClient(timeout=self._timeout, follow_redirects=False) as http,
                http.stream(
                    method,
                    url,
                    data=data,
                    headers={"Accept": "application/json", **(headers or {})},
                ) as response,
            ):
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        raise _unusable(provider, _without_query(url), "response too large")
                status = response.status_code
        except httpx.HTTPError as exc:
            log.warning(
                "oidc provider unreachable",
                provider=provider.key,
                url=_without_query(url),
                error=type(exc).__name__,
            )
            raise OidcError(f"The sign-in provider {provider.label} could not be reached.") from exc
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None

    async def _exchange_code(
        self,
        provider: OidcProviderSettings,
        metadata: ProviderMetadata,
        code: str,
        login_state: LoginState,
        redirect_uri: str,
    ) -> dict[str, Any]:
        data = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": login_state.code_verifier,
        }
        headers: dict[str, str] = {}
        method = _client_auth_method(provider, metadata)
        if method == "client_secret_basic":
            # RFC 6749 §2.3.1: both parts are form-encoded before being joined and encoded.
            pair = f"{quote(provider.client_id, safe='')}:{quote(provider.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        elif method == "client_secret_post":
            data["client_id"] = provider.client_id
            data["client_secret"] = provider.client_secret
        else:  # a public client: PKCE is what protects the code
            data["client_id"] = provider.client_id

        status, answer = await self._request_json(
            provider, "POST", metadata.token_endpoint, data=data, headers=headers
        )
        if status == 200 and isinstance(answer, dict):
            return answer
        error = answer.get("error") if isinstance(answer, dict) else None
        if error == "invalid_grant":
            # Expired, already used, or not ours: the person has to start again.
            log.info("oidc code refused", provider=provider.key)
            raise OidcTokenInvalid("The sign-in code was refused; please sign in again.")
        raise _unusable(
            provider, "token", f"status {status}, error {error if isinstance(error, str) else '-'}"
        )

    async def _with_userinfo(
        self,
        provider: OidcProviderSettings,
        metadata: ProviderMetadata,
        identity: OidcIdentity,
        access_token: str,
    ) -> OidcIdentity:
        """Fill in the email (and name) from the userinfo endpoint."""
        assert metadata.userinfo_endpoint is not None
        status, info = await self._request_json(
            provider,
            "GET",
            metadata.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
        )
        if status != 200 or not isinstance(info, dict):
            raise _unusable(provider, "userinfo", f"status {status}")
        # The userinfo answer may only be used when it is about the same person (OIDC §5.3.2).
        if info.get("sub") != identity.subject:
            raise _refused(provider, "userinfo subject mismatch")
        from_userinfo = _identity(identity.issuer, info)
        return OidcIdentity(
            issuer=identity.issuer,
            subject=identity.subject,
            email=from_userinfo.email,
            email_verified=from_userinfo.email_verified,
            name=identity.name or from_userinfo.name,
        )

    async def _decode(
        self,
        provider: OidcProviderSettings,
        metadata: ProviderMetadata,
        token: str,
        *,
        audience: str,
        required: list[str],
    ) -> dict[str, Any]:
        """The verified claims of a JWT signed by the provider, or OidcTokenInvalid."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise _refused(provider, "token empty or too long")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise _refused(provider, "malformed token") from None
        algorithm = header.get("alg")
        if algorithm not in ALLOWED_ALGORITHMS:
            raise _refused(provider, f"algorithm {str(algorithm)[:20]!r} not allowed")
        assert isinstance(algorithm, str)
        kid = header.get("kid")
        if kid is not None and not isinstance(kid, str):
            raise _refused(provider, "malformed kid")

        jwk = await self._signing_key(provider, metadata.jwks_uri, kid, algorithm)
        try:
            key = jwt.PyJWK(jwk, algorithm=algorithm)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=audience,
                issuer=metadata.issuer,
                leeway=self._leeway,
                options={"require": required},
            )
        except jwt.ExpiredSignatureError:
            log.info("oidc token refused", provider=provider.key, reason="expired")
            raise OidcTokenInvalid("The sign-in token has expired.") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise _refused(provider, type(exc).__name__) from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise _refused(provider, "no subject")
        return claims

    async def _signing_key(
        self, provider: OidcProviderSettings, jwks_uri: str, kid: str | None, algorithm: str
    ) -> dict[str, Any]:
        jwk = _select_key(await self._key_set(provider, jwks_uri, refresh=False), kid, algorithm)
        if jwk is None:
            # The provider may have rotated its keys since we fetched them.
            keys = await self._key_set(provider, jwks_uri, refresh=True)
            jwk = _select_key(keys, kid, algorithm)
        if jwk is None:
            raise _refused(provider, "unknown signing key")
        return jwk

    async def _key_set(
        self, provider: OidcProviderSettings, jwks_uri: str, *, refresh: bool
    ) -> list[dict[str, Any]]:
        async with self._lock("jwks " + jwks_uri):
            cached = self._jwks.get(jwks_uri)
            if cached is not None:
                age = time.monotonic() - cached.fetched_at
                # A refresh that another request has just done (or did recently) is not
                # repeated: that request's result is the freshest there is.
                if age < (self._jwks_refetch_interval if refresh else self._jwks_ttl):
                    return cached.value
            try:
                status, document = await self._request_json(provider, "GET", jwks_uri)
                if status != 200 or not isinstance(document, dict):
                    raise _unusable(provider, "jwks", f"status {status}")
                keys = document.get("keys")
                if not isinstance(keys, list):
                    raise _unusable(provider, "jwks", "no keys")
            except OidcError:
                if cached is None:
                    raise
                cached.fetched_at = self._retry_soon(self._jwks_ttl)
                return cached.value
            usable = [key for key in keys if isinstance(key, dict)]
            self._jwks[jwks_uri] = _Cached(usable, time.monotonic())
            log.info("oidc keys fetched", provider=provider.key, keys=len(usable))
            return usable


def _parse_metadata(
    provider: OidcProviderSettings, document: Any, configured_issuer: str
) -> ProviderMetadata:
    if not isinstance(document, dict):
        raise _unusable(provider, "discovery", "not a JSON object")

    def url(name: str) -> str:
        value = document.get(name)
        if not isinstance(value, str) or httpx.URL(value).scheme not in ("https", "http"):
            raise _unusable(provider, "discovery", f"bad {name}")
        return value

    def optional_url(name: str) -> str | None:
        return None if document.get(name) is None else url(name)

    issuer = document.get("issuer")
    # The document must be about the issuer we asked (OIDC Discovery §4.3). Settings normalise
    # URLs with a trailing slash, so that alone is tolerated; tokens must then carry exactly
    # the issuer the provider declared.
    if not isinstance(issuer, str) or issuer.rstrip("/") != configured_issuer:
        raise _unusable(provider, "discovery", "issuer mismatch")
    methods = document.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if not isinstance(methods, list):
        raise _unusable(provider, "discovery", "bad token_endpoint_auth_methods_supported")
    return ProviderMetadata(
        issuer=issuer,
        authorization_endpoint=url("authorization_endpoint"),
        token_endpoint=url("token_endpoint"),
        jwks_uri=url("jwks_uri"),
        userinfo_endpoint=optional_url("userinfo_endpoint"),
        end_session_endpoint=optional_url("end_session_endpoint"),
        token_endpoint_auth_methods=tuple(m for m in methods if isinstance(m, str)),
    )


def _client_auth_method(provider: OidcProviderSettings, metadata: ProviderMetadata) -> str:
    if not provider.client_secret:
        return "none"
    for method in ("client_secret_basic", "client_secret_post"):
        if method in metadata.token_endpoint_auth_methods:
            return method
    raise _unusable(provider, "discovery", "no supported client authentication method")


def _select_key(
    keys: list[dict[str, Any]], kid: str | None, algorithm: str
) -> dict[str, Any] | None:
    """The JWK that may verify `algorithm` with this kid; without a kid, the only candidate."""
    candidates = [
        key
        for key in keys
        if key.get("kty") == _KEY_TYPES[algorithm]
        and key.get("use", "sig") == "sig"
        and key.get("alg", algorithm) == algorithm
    ]
    if kid is not None:
        candidates = [key for key in candidates if key.get("kid") == kid]
    return candidates[0] if len(candidates) == 1 else None


def _identity(issuer: str, claims: dict[str, Any]) -> OidcIdentity:
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and "@" in email else None
    verified = claims.get("email_verified")
    # Some providers send the boolean as a string.
    email_verified = email is not None and (verified is True or verified == "true")
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part) or None
    return OidcIdentity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=email,
        email_verified=email_verified,
        name=name.strip() if name else None,
    )


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _half_hash(access_token: str) -> str:
    """`at_hash` for RS256/ES256: the left half of the SHA-256, base64url (OIDC §3.1.3.6)."""
    digest = hashlib.sha256(access_token.encode("ascii", errors="replace")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _without_query(url: str) -> str:
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


def _unusable(provider: OidcProviderSettings, what: str, reason: str) -> OidcError:
    log.warning("oidc provider answer unusable", provider=provider.key, step=what, reason=reason)
    return OidcError(f"The sign-in provider {provider.label} gave an unusable answer.")


def _refused(provider: OidcProviderSettings, reason: str) -> OidcTokenInvalid:
    log.info("oidc token refused", provider=provider.key, reason=reason)
    return OidcTokenInvalid()


# --- the process-wide client -----------------------------------------------------------------

_shared = OidcClient()


def shared_client() -> OidcClient:
    """The client the module-level functions use (one cache per process)."""
    return _shared


async def discover(provider: OidcProviderSettings) -> ProviderMetadata:
    return await _shared.discover(provider)


async def begin_login(
    provider: OidcProviderSettings, redirect_uri: str, *, login_hint: str | None = None
) -> tuple[str, LoginState]:
    return await _shared.begin_login(provider, redirect_uri, login_hint=login_hint)


async def complete_login(
    provider: OidcProviderSettings,
    state_from_callback: str,
    code: str,
    login_state: LoginState,
    redirect_uri: str,
) -> OidcIdentity:
    return await _shared.complete_login(
        provider, state_from_callback, code, login_state, redirect_uri
    )


async def verify_bearer_token(provider: OidcProviderSettings, token: str) -> OidcIdentity:
    return await _shared.verify_bearer_token(provider, token)
