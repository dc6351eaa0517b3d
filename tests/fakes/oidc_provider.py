"""A real OpenID Connect provider on loopback, so tests run the real client code over HTTP.

It serves discovery, JWKS, the authorization endpoint (which "logs in" a registered user at
once: the one named by `login_hint`, or the only one), the token endpoint (authorization code
with PKCE, client_secret_basic or client_secret_post) and userinfo. Tokens are RS256 (ES256 on
request) with rotating keys. Attributes named in `reset()` make it misbehave on purpose.

    with OidcProvider() as provider:
        provider.add_user("user-1", "ada@example.com", name="Ada Lovelace")
        settings = provider.settings(key="fake")
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal
from urllib.parse import unquote

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from hireflow.config import OidcProviderSettings
from tests.fakes.loopback import LoopbackServer

Algorithm = Literal["RS256", "ES256"]
DEFAULT_REDIRECT_URIS = ("http://testserver/auth/oidc/fake/callback",)


@dataclass(frozen=True)
class FakeUser:
    sub: str
    email: str | None
    email_verified: bool = True
    name: str | None = None


@dataclass
class _SigningKey:
    kid: str
    algorithm: Algorithm
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

    def public_jwk(self) -> dict[str, Any]:
        public = self.private_key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = jwt.algorithms.ECAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "use": "sig", "alg": self.algorithm}


def _new_key(algorithm: Algorithm) -> _SigningKey:
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if algorithm == "RS256":
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        private_key = ec.generate_private_key(ec.SECP256R1())
    return _SigningKey(secrets.token_hex(8), algorithm, private_key)


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    sub: str
    nonce: str
    code_challenge: str
    expires_at: float
    used: bool = False
    access_tokens: list[str] = field(default_factory=list)


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a code verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OidcProvider:
    """The provider; start it with `with` (or `start()`/`stop()`). Thread-safe: the server runs
    on its own thread and event loop, tests call the methods from theirs."""

    def __init__(
        self,
        *,
        client_id: str = "hireflow-test",
        client_secret: str = "test-secret",
        redirect_uris: Sequence[str] = DEFAULT_REDIRECT_URIS,
        token_endpoint_auth_methods: Sequence[str] = ("client_secret_basic", "client_secret_post"),
        code_lifetime_seconds: float = 60.0,
        token_lifetime_seconds: int = 300,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.token_endpoint_auth_methods = list(token_endpoint_auth_methods)
        self.code_lifetime_seconds = code_lifetime_seconds
        self.token_lifetime_seconds = token_lifetime_seconds
        self.users: dict[str, FakeUser] = {}
        # Requests served, by path (e.g. to check what a client caches).
        self.requests: Counter[str] = Counter()
        # The client authentication the token endpoint last accepted.
        self.last_client_auth: str | None = None
        self._keys = [_new_key("RS256"), _new_key("ES256")]
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._server: LoopbackServer | None = None
        self.issuer = ""
        self.reset()

    def reset(self) -> None:
        """Back to correct behaviour (call between tests that make it misbehave)."""
        # Claims merged into every ID token (a None value removes the claim).
        self.id_token_overrides: dict[str, Any] = {}
        # Applied to every signed ID token, e.g. to break its signature.
        self.id_token_transform: Callable[[str], str] | None = None
        self.include_email_in_id_token = True
        # The issuer the discovery document declares, when it should lie about it.
        self.advertised_issuer: str | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> OidcProvider:
        server = LoopbackServer(self._app(), "fake OIDC provider")
        self.issuer = server.url
        server.start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        self._server = None

    def __enter__(self) -> OidcProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- test helpers ------------------------------------------------------------------------

    def settings(self, key: str = "fake", **overrides: Any) -> OidcProviderSettings:
        """Settings pointing hireflow at this provider and its registered client."""
        values: dict[str, Any] = {
            "key": key,
            "label": "Fake OIDC",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        return OidcProviderSettings.model_validate(values | overrides)

    def add_user(
        self, sub: str, email: str | None, *, email_verified: bool = True, name: str | None = None
    ) -> FakeUser:
        user = FakeUser(sub, email, email_verified, name)
        with self._lock:
            self.users[sub] = user
        return user

    @property
    def current_kid(self) -> str:
        return self._key("RS256").kid

    def public_key_pem(self) -> bytes:
        """The current RS256 public key, PEM-encoded (for algorithm-confusion tests)."""
        return (
            self._key("RS256")
            .private_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def rotate_keys(self, *, retire_old: bool = False) -> str:
        """New signing keys (RS256 and ES256); the old ones stay published unless retired.
        Returns the new RS256 kid."""
        new = [_new_key("RS256"), _new_key("ES256")]
        with self._lock:
            self._keys = new if retire_old else [*self._keys, *new]
        return new[0].kid

    def issue_jwt(
        self,
        claims: dict[str, Any],
        *,
        algorithm: Algorithm = "RS256",
        headers: dict[str, Any] | None = None,
        lifetime_seconds: int | None = None,
    ) -> str:
        """A token signed with the current key, Clerk-style: iss, iat, nbf and exp are filled
        in unless given (a None value removes a claim)."""
        now = int(time.time())
        lifetime = self.token_lifetime_seconds if lifetime_seconds is None else lifetime_seconds
        base = {"iss": self.issuer, "iat": now, "nbf": now, "exp": now + lifetime}
        return self._sign(base | claims, algorithm, headers)

    # --- internals ---------------------------------------------------------------------------

    def _key(self, algorithm: Algorithm) -> _SigningKey:
        with self._lock:
            return next(key for key in reversed(self._keys) if key.algorithm == algorithm)

    def _sign(
        self, claims: dict[str, Any], algorithm: Algorithm, headers: dict[str, Any] | None = None
    ) -> str:
        key = self._key(algorithm)
        payload = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(
            payload,
            key.private_key,
            algorithm=algorithm,
            headers={"kid": key.kid, **(headers or {})},
        )

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
                Route("/userinfo", self._userinfo, methods=["GET", "POST"]),
            ]
        )

    async def _discovery(self, request: Request) -> Response:
        self.requests[request.url.path] += 1
        return JSONResponse(
            {
                "issuer": self.advertised_issuer or self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "scopes_supported": ["openid", "email", "profile"],
                "grant_types_supported": ["authorization_code"],
                "token_endpoint_auth_methods_supported": self.token_endpoint_auth_methods,
                "code_challenge_methods_supported": ["S256"],
                "claims_supported": ["iss", "sub", "aud", "exp", "iat", "nonce", "email"],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        self.requests[request.url.path] += 1
        with self._lock:
            keys = [key.public_jwk() for key in self._keys]
        return JSONResponse({"keys": keys})

    async def _authorize(self, request: Request) -> Response:
        self.requests[request.url.path] += 1
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        # Unknown client or redirect: show an error, never redirect (RFC 6749 §4.1.2.1).
        if query.get("client_id") != self.client_id:
            return PlainTextResponse("unknown client_id", status_code=400)
        if redirect_uri not in self.redirect_uris:
            return PlainTextResponse("redirect_uri not registered", status_code=400)
        state = query.get("state", "")

        def error(code: str, description: str) -> Response:
            params = {"error": code, "error_description": description, "iss": self.issuer}
            if state:
                params["state"] = state
            return RedirectResponse(_with_params(redirect_uri, params), status_code=302)

        if query.get("response_type") != "code":
            return error("unsupported_response_type", "only the code flow is supported")
        if "openid" not in query.get("scope", "").split():
            return error("invalid_scope", "the openid scope is required")
        if not state:
            return error("invalid_request", "state is required")
        nonce = query.get("nonce", "")
        if not nonce:
            return error("invalid_request", "nonce is required")
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or not challenge:
            return error("invalid_request", "PKCE with S256 is required")

        with self._lock:
            hint = query.get("login_hint")
            if hint:
                users = [u for u in self.users.values() if hint in (u.sub, u.email)]
            else:
                users = list(self.users.values())
            if len(users) != 1:
                return error("login_required", "no user to sign in")
            code = secrets.token_urlsafe(32)
            self._grants[code] = _Grant(
                client_id=self.client_id,
                redirect_uri=redirect_uri,
                sub=users[0].sub,
                nonce=nonce,
                code_challenge=challenge,
                expires_at=time.monotonic() + self.code_lifetime_seconds,
            )
        params = {"code": code, "state": state, "iss": self.issuer}
        return RedirectResponse(_with_params(redirect_uri, params), status_code=302)

    def _authenticate_client(self, request: Request, form: dict[str, str]) -> str | None:
        """The client authentication method used, or None when it failed."""
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            if "client_secret" in form:
                return None  # two methods at once is invalid (RFC 6749 §2.3)
            try:
                decoded = base64.b64decode(header[6:], validate=True).decode()
                client_id, _, secret = decoded.partition(":")
            except ValueError:
                return None
            method = "client_secret_basic"
            client_id, secret = unquote(client_id), unquote(secret)
        else:
            method = "client_secret_post"
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if method not in self.token_endpoint_auth_methods:
            return None
        ok = client_id == self.client_id and secrets.compare_digest(
            secret.encode(), self.client_secret.encode()
        )
        return method if ok else None

    async def _token(self, request: Request) -> Response:
        self.requests[request.url.path] += 1
        form = {
            name: value for name, value in (await request.form()).items() if isinstance(value, str)
        }
        method = self._authenticate_client(request, form)
        if method is None:
            return _oauth_error("invalid_client", status=401)
        if form.get("grant_type") != "authorization_code":
            return _oauth_error("unsupported_grant_type")

        with self._lock:
            grant = self._grants.get(form.get("code", ""))
            if grant is None:
                return _oauth_error("invalid_grant")
            if grant.used:
                # A replayed code revokes what it gave (RFC 6749 §4.1.2).
                for token in grant.access_tokens:
                    self._access_tokens.pop(token, None)
                return _oauth_error("invalid_grant")
            grant.used = True
            verifier = form.get("code_verifier", "")
            if (
                time.monotonic() > grant.expires_at
                or grant.redirect_uri != form.get("redirect_uri")
                or not verifier
                or not secrets.compare_digest(s256(verifier), grant.code_challenge)
            ):
                return _oauth_error("invalid_grant")
            user = self.users[grant.sub]
            access_token = secrets.token_urlsafe(32)
            grant.access_tokens.append(access_token)
            self._access_tokens[access_token] = (
                user.sub,
                time.monotonic() + self.token_lifetime_seconds,
            )
            self.last_client_auth = method

        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user.sub,
            "aud": self.client_id,
            "exp": now + self.token_lifetime_seconds,
            "iat": now,
            "auth_time": now,
            "nonce": grant.nonce,
            "at_hash": _at_hash(access_token),
            "name": user.name,
        }
        if self.include_email_in_id_token:
            claims |= {"email": user.email, "email_verified": user.email_verified}
        id_token = self._sign(claims | self.id_token_overrides, "RS256")
        if self.id_token_transform is not None:
            id_token = self.id_token_transform(id_token)
        return JSONResponse(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": self.token_lifetime_seconds,
                "id_token": id_token,
                "scope": "openid email profile",
            },
            headers={"Cache-Control": "no-store"},
        )

    async def _userinfo(self, request: Request) -> Response:
        self.requests[request.url.path] += 1
        header = request.headers.get("authorization", "")
        token = header[7:] if header.lower().startswith("bearer ") else ""
        with self._lock:
            entry = self._access_tokens.get(token)
            user = self.users.get(entry[0]) if entry and time.monotonic() < entry[1] else None
        if user is None:
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        info: dict[str, Any] = {"sub": user.sub, "email_verified": user.email_verified}
        if user.email is not None:
            info["email"] = user.email
        if user.name is not None:
            info["name"] = user.name
        return JSONResponse(info)


def _with_params(url: str, params: dict[str, str]) -> str:
    return str(httpx.URL(url).copy_merge_params(params))


def _oauth_error(error: str, *, status: int = 400) -> Response:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="fake-oidc"'
    return JSONResponse({"error": error}, status_code=status, headers=headers)


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")
