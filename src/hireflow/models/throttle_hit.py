"""Attempt counters for throttling (logins, resets, TOTP), shared by every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base


class ThrottleHit(Base):
    __tablename__ = "throttle_hit"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
