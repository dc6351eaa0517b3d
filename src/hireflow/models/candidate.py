"""Candidates: a person an organization considers, kept apart from their applications; their
consent records and timeline; and the candidate accounts people sign in to (the portal)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Computed, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, CIText, IdMixin, TimestampMixin

# What full-text search matches: name and email first, then headline and skills, then the
# resume's text. One expression, so the index and the queries agree (`candidate.search_vector`).
CANDIDATE_SEARCH_EXPRESSION = (
    "setweight(to_tsvector('english'::regconfig, coalesce(full_name, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(email::text, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, coalesce(headline, '')), 'B')"
    " || setweight(jsonb_to_tsvector('english'::regconfig, skills, '[\"string\"]'), 'B')"
    " || setweight(to_tsvector('english'::regconfig, left(resume_text, 200000)), 'C')"
)
CANDIDATE_SOURCES = (
    "manual",
    "careers_page",
    "import",
    "referral",
    "agency",
    "sourced",
    "portal",
)


class Candidate(IdMixin, TimestampMixin, Base):
    __tablename__ = "candidate"
    __table_args__ = (
        Index("ix_candidate_search_vector", "search_vector", postgresql_using="gin"),
        Index(
            "ix_candidate_full_name_trgm",
            "full_name",
            postgresql_using="gin",
            postgresql_ops={"full_name": "gin_trgm_ops"},
        ),
        Index("ix_candidate_tags", "tags", postgresql_using="gin"),
        Index("ix_candidate_organization_id_created_at", "organization_id", "created_at", "id"),
        Index("ix_candidate_organization_id_email", "organization_id", "email"),
        # Sorting by name; finding a candidate account's records in every organization.
        Index("ix_candidate_organization_id_full_name", "organization_id", "full_name", "id"),
        Index("ix_candidate_email", "email"),
        Index(
            "ix_candidate_organization_id_phone_normalized", "organization_id", "phone_normalized"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(CIText())
    phone: Mapped[str | None] = mapped_column(String(40))
    # E.164 form of `phone` (duplicate detection); None when it cannot be parsed.
    phone_normalized: Mapped[str | None] = mapped_column(String(20))
    headline: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(ARRAY(String(500)), default=list, server_default="{}")
    source: Mapped[str] = mapped_column(String(40), default="manual", server_default="manual")
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(50)), default=list, server_default="{}")
    # [{"name": "Python", "level": 1-5 | null, "years": number | null}]
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    # [{"title", "company", "start_on", "end_on", "description"}]
    experience: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    # [{"institution", "degree", "field", "start_on", "end_on"}]
    education: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    # Text extracted from the current resume document, for search.
    resume_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_vector: Mapped[str] = mapped_column(
        TSVECTOR, Computed(CANDIDATE_SEARCH_EXPRESSION, persisted=True)
    )
    # The candidate account this record belongs to, when the person signed in to apply.
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    # Set when this record was merged into another: it is then hidden, and kept for history.
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("candidate.id", ondelete="SET NULL")
    )
    merged_at: Mapped[datetime | None]


class CandidateEvent(IdMixin, Base):
    """The candidate's timeline: created, updated, document added, merged, consent given…
    (application stage changes are `application_event` rows and join the timeline)."""

    __tablename__ = "candidate_event"
    __table_args__ = (
        Index("ix_candidate_event_candidate_id_created_at", "candidate_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    candidate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("candidate.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CandidateConsent(IdMixin, Base):
    """A consent the candidate gave: for what, when, through what, with the words shown."""

    __tablename__ = "candidate_consent"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE"), index=True
    )
    # "application_processing", "talent_pool", "ai_evaluation", …
    purpose: Mapped[str] = mapped_column(String(60))
    statement: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(40))  # careers_page, portal, import, recruiter
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    withdrawn_at: Mapped[datetime | None]


class CandidateAccount(TimestampMixin, Base):
    """A person's own profile in the candidate portal (one per user). Applying copies it into
    the organization's candidate record; edits are passed on to the records linked to it."""

    __tablename__ = "candidate_account"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    headline: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    location: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    links: Mapped[list[str]] = mapped_column(ARRAY(String(500)), default=list, server_default="{}")
    skills: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")
    experience: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )
    education: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default="[]"
    )


class SavedJob(IdMixin, Base):
    """A job a candidate account bookmarked in the portal."""

    __tablename__ = "saved_job"
    __table_args__ = (UniqueConstraint("user_id", "job_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
