"""A person who signs in: organization members, freelance interviewers, platform admins."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, CIText, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "user"

    email: Mapped[str] = mapped_column(CIText(), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # argon2id hash; None for accounts that only sign in through SSO.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_platform_admin: Mapped[bool] = mapped_column(default=False, server_default="false")
