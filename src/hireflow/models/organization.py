"""An organization: the tenant every piece of hiring data belongs to."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, CIText, IdMixin, TimestampMixin


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organization"

    name: Mapped[str] = mapped_column(String(200))
    # Public handle in URLs (careers page); case-insensitive and unique.
    slug: Mapped[str] = mapped_column(CIText(), unique=True)
