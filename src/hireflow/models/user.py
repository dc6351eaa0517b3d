"""A person who signs in: organization members, freelance interviewers, platform admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, CIText, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "user"

    email: Mapped[str] = mapped_column(CIText(), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    # argon2id hash; None for accounts that only sign in through SSO.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None]
    is_platform_admin: Mapped[bool] = mapped_column(default=False, server_default="false")
    # TOTP: the base32 secret once enrolment is confirmed, and the last accepted time step
    # (a code is never accepted twice).
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None]
    mfa_last_step: Mapped[int | None]
    # A secret shown during enrolment, promoted to mfa_secret once a code from it is confirmed.
    mfa_pending_secret: Mapped[str | None] = mapped_column(String(64))
    disabled_at: Mapped[datetime | None]
