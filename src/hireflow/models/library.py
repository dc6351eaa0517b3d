"""The question and coding-challenge library (PBI-10): items with versions under an approval
workflow, interview kits per job built from approved items, and sandboxed code runs.

An item's content lives in its versions. Only an `approved` version is used in a live
interview; editing an approved item makes a new `draft` version while the approved one stays
in use (`LibraryItem.approved_version_id`) until the new one is approved."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin

ITEM_KINDS = ("question", "challenge")
VERSION_STATUSES = ("draft", "in_review", "approved", "rejected", "retired")


class LibraryItem(IdMixin, TimestampMixin, Base):
    __tablename__ = "library_item"
    __table_args__ = (
        CheckConstraint("kind IN ('question', 'challenge')", name="kind"),
        Index("ix_library_item_organization_id_updated_at", "organization_id", "updated_at"),
        Index(
            "ix_library_item_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(12))
    # The newest version's title, tags and text, kept here for the library's search and filters.
    title: Mapped[str] = mapped_column(String(200))
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    seniority: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    latest_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The version live interviews use; None until one is approved.
    approved_version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("library_item_version.id", ondelete="SET NULL", use_alter=True)
    )
    retired_at: Mapped[datetime | None]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )


class LibraryItemVersion(IdMixin, Base):
    __tablename__ = "library_item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        CheckConstraint(
            "status IN ('draft', 'in_review', 'approved', 'rejected', 'retired')", name="status"
        ),
        Index("ix_library_item_version_organization_id_status", "organization_id", "status"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("library_item.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    # Question: {"type", "prompt", "rubric": {"criteria": [{"key", "description", "levels"}],
    # "ideal_answer"}}. Challenge: also {"statement", "languages", "starter_code": {lang: code},
    # "entrypoint", "tests": [{"name", "args", "expected", "hidden"}], "time_limit_seconds"}.
    title: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    seniority: Mapped[str | None] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20), default="manual", server_default="manual")
    ai_generated: Mapped[bool] = mapped_column(default=False, server_default="false")
    # Near-duplicates found when the version was submitted or drafted: [{"item_id", "title",
    # "similarity"}].
    similar_items: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB,
        default=list,
        server_default="[]",
    )
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    submitted_at: Mapped[datetime | None]
    reviewed_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    reviewed_at: Mapped[datetime | None]
    review_comment: Mapped[str | None] = mapped_column(Text)


class InterviewKit(IdMixin, TimestampMixin, Base):
    """A job's interview kit: ordered sections of library items. A hiring manager approves
    it; a change after approval takes it back to draft. AI interviews for a job whose kit is
    not approved cannot be sent."""

    __tablename__ = "interview_kit"
    __table_args__ = (CheckConstraint("status IN ('draft', 'approved')", name="status"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(12), default="draft", server_default="draft")
    follow_ups: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # [{"title", "minutes", "item_ids": [uuid, …]}] in order.
    sections: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB,
        default=list,
        server_default="[]",
    )
    # The approved versions the kit was approved with: {item_id: version_id}.
    approved_versions: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    approved_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    approved_at: Mapped[datetime | None]


class CodeRun(IdMixin, Base):
    """One run of code against a challenge version's tests in the sandbox, with its results."""

    __tablename__ = "code_run"
    __table_args__ = (
        Index("ix_code_run_organization_id_created_at", "organization_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    version_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("library_item_version.id", ondelete="SET NULL")
    )
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str | None] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(Text)
    # ok, failed (some tests failed), timeout, memory, output_limit, error, unavailable
    status: Mapped[str] = mapped_column(String(20))
    passed: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    results: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB,
        default=list,
        server_default="[]",
    )
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
