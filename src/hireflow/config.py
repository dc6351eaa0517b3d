"""Settings: the one place that reads the environment (prefix HIREFLOW_)."""

from __future__ import annotations

import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class OidcProviderSettings(BaseModel):
    """One OpenID Connect provider. Google, LinkedIn, Clerk, Keycloak, Auth0 … are all just
    configurations of this (HIREFLOW_OIDC_PROVIDERS is a JSON list of these)."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")  # in URLs: /auth/oidc/{key}/…
    label: str = Field(min_length=1, max_length=60)  # "Sign in with {label}"
    issuer: HttpUrl
    client_id: str = Field(min_length=1)
    client_secret: str = ""
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    # Accept this provider's JWTs as bearer tokens for API calls (Clerk-style), checked against
    # its JWKS; `audience` is the `aud` they must carry (client_id when empty).
    accept_bearer_tokens: bool = False
    audience: str = ""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="HIREFLOW_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Literal["development", "test", "production"] = "development"

    # Database: a URL for any PostgreSQL >= 15, or None for the embedded server in data_dir.
    database_url: str | None = None
    data_dir: Path = Field(default=Path(".hireflow"))
    db_pool_size: int = Field(default=20, ge=1, le=200)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=30_000, ge=0)

    # HTTP
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = None
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # File uploads (multipart/form-data: resumes, documents, CSV imports) may be larger.
    max_upload_bytes: int = Field(default=20 * 1_048_576, ge=1024)
    # One uploaded document (resume, cover letter); checked again by content.
    max_document_bytes: int = Field(default=10 * 1_048_576, ge=1024)
    cors_origins: list[str] = Field(default_factory=list)
    hsts: bool = False

    # Logging
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    # Worker (procrastinate)
    worker_concurrency: int = Field(default=4, ge=1, le=64)
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    # A job whose worker has sent no heartbeat for this long is retried by another worker.
    worker_stalled_after_seconds: float = Field(default=60.0, gt=0)
    # How often workers look for such jobs (seconds, a divisor of 60 works best).
    worker_recovery_interval_seconds: int = Field(default=30, ge=1, le=59)
    # Extra modules holding tasks, imported by workers (used by tests and plugins).
    worker_import_paths: list[str] = Field(default_factory=list)

    # Identity
    # Signs short-lived browser state (SSO logins). Unset: generated once and kept in
    # data_dir/secret_key (set it explicitly when several machines serve the app).
    secret_key: SecretStr | None = None
    session_idle_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    session_absolute_hours: int = Field(default=24, ge=1, le=24 * 90)
    # Secure cookies; None: when HIREFLOW_PUBLIC_URL is https.
    cookie_secure: bool | None = None
    login_attempts_per_account: int = Field(default=10, ge=1)
    login_attempts_per_ip: int = Field(default=50, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    oidc_providers: list[OidcProviderSettings] = Field(default_factory=list)

    # Email: with no SMTP host, messages stay in the outbox (readable by admins in the app).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "hireflow <no-reply@hireflow.invalid>"
    # Verify the SMTP server's certificate (turn off only for a test server on loopback).
    smtp_validate_certs: bool = True

    # Text messages (docs/sms.md): off by default; "twilio" sends through Twilio's API.
    sms_provider: Literal["none", "twilio"] = "none"
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None  # E.164, e.g. +15005550006
    twilio_base_url: str = "https://api.twilio.com"
    sms_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # Live features: fan-out across web processes through PostgreSQL LISTEN/NOTIFY, or Redis
    # pub/sub when a URL is set (redis://host:6379/0).
    redis_url: str | None = None

    # AI (docs/ai.md): the offline model needs nothing; "openai" is any OpenAI-compatible endpoint.
    ai_provider: Literal["offline", "openai"] = "offline"
    ai_base_url: str | None = None  # e.g. https://api.openai.com/v1 or http://localhost:11434/v1
    ai_api_key: SecretStr | None = None
    ai_model: str = "gpt-4o-mini"
    ai_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    ai_max_retries: int = Field(default=2, ge=0, le=10)
    # Tokens per organization per calendar month; 0 means no limit.
    ai_monthly_token_budget: int = Field(default=2_000_000, ge=0)

    # AI interviews
    interview_link_days: int = Field(default=14, ge=1, le=365)
    idempotency_hours: int = Field(default=48, ge=24, le=24 * 30)  # keys are kept at least 24 h
    # Invitations: a reminder goes out this many hours before an unstarted link expires.
    invitation_reminder_hours: int = Field(default=48, ge=1, le=24 * 30)

    # Sandboxed code runs (docs/sandbox.md): runs at once per process; node (>= 20) when not
    # the one on PATH.
    sandbox_concurrency: int = Field(default=2, ge=1, le=64)
    sandbox_node: Path | None = None

    # Demo data
    demo_password: str = "hireflow-demo-2026"  # noqa: S105 - printed by `make run` on purpose

    # Tests only: a server to create per-worker test databases on instead of the embedded one.
    test_database_url: str | None = None

    @field_validator("database_url", "test_database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _sms_provider_complete(self) -> Settings:
        """Twilio needs its account, token and sender number: say so at startup, not at the
        first text message."""
        if self.sms_provider == "twilio":
            missing = [
                f"HIREFLOW_{name.upper()}"
                for name in ("twilio_account_sid", "twilio_auth_token", "twilio_from_number")
                if not getattr(self, name)
            ]
            if missing:
                raise ValueError(f"HIREFLOW_SMS_PROVIDER=twilio needs {', '.join(missing)}")
            if not re.fullmatch(r"\+[1-9][0-9]{6,14}", self.twilio_from_number or ""):
                raise ValueError(
                    "HIREFLOW_TWILIO_FROM_NUMBER must be in E.164 format, e.g. +15005550006"
                )
        return self

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"


def purpose_key(settings: Settings, purpose: bytes) -> bytes:
    """A key for one use (`b"hireflow email open v1"`, …), derived from the signing key, so a
    token made for one purpose is worthless for another."""
    return hmac.digest(signing_key(settings), purpose, "sha256")


def signing_key(settings: Settings) -> bytes:
    """`secret_key`, or the installation's generated key (made on first use, mode 0600)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    path = Path(settings.data_dir) / "secret_key"
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48).encode()
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(key)
        except FileExistsError:  # another process made it first
            return path.read_bytes().strip()
        return key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
