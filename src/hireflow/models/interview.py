"""AI interview sessions (UC-R1): the session with its configuration and its projection, the
recruiter-only notes kept in a table of their own, the invite links (hashes only) and the
append-only event log the projection is folded from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin

SESSION_STATUSES = ("NOT_STARTED", "IN_PROGRESS", "COMPLETED", "EXPIRED", "CANCELLED")


class InterviewSession(IdMixin, TimestampMixin, Base):
    """One candidate's AI interview. The configuration columns are written once, at creation;
    `status`, `state` and `last_seq` are the projection of the session's events."""

    __tablename__ = "interview_session"
    __table_args__ = (
        CheckConstraint(
            "status IN ('NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'EXPIRED', 'CANCELLED')",
            name="status",
        ),
        CheckConstraint("duration_minutes BETWEEN 5 AND 240", name="duration"),
        CheckConstraint("question_count BETWEEN 1 AND 20", name="question_count"),
        CheckConstraint("max_follow_ups BETWEEN 0 AND 10", name="max_follow_ups"),
        CheckConstraint(
            "confidence_baseline IS NULL OR confidence_baseline BETWEEN 1 AND 5",
            name="confidence_baseline",
        ),
        Index("ix_interview_session_organization_id_created_at", "organization_id", "created_at"),
        Index("ix_interview_session_status_expires_at", "status", "expires_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), index=True
    )
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL"), index=True
    )
    candidate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("candidate.id", ondelete="SET NULL"), index=True
    )
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    candidate_email: Mapped[str | None] = mapped_column(String(320))
    # Candidate-visible context.
    target_role: Mapped[str] = mapped_column(String(200))
    job_description: Mapped[str] = mapped_column(Text, default="", server_default="")
    job_description_filename: Mapped[str | None] = mapped_column(String(255))
    skills: Mapped[list[str]] = mapped_column(
        JSONB,
        default=list,
        server_default="[]",
    )
    # Intake defaults.
    stage: Mapped[str | None] = mapped_column(String(40))
    confidence_baseline: Mapped[int | None] = mapped_column(Integer)
    session_goal: Mapped[str | None] = mapped_column(String(500))
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    question_count: Mapped[int] = mapped_column(Integer, default=5, server_default="5")
    max_follow_ups: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    coding_language: Mapped[str | None] = mapped_column(String(20))
    # Question generation is seeded per session, so a replay produces the same questions.
    seed: Mapped[int] = mapped_column(BigInteger)
    # The link must be used (the interview started) before this instant.
    expires_at: Mapped[datetime]
    # Projection of the events.
    status: Mapped[str] = mapped_column(String(20), default="NOT_STARTED")
    last_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")


class InterviewSessionNote(Base):
    """Recruiter-only notes, apart from everything a candidate-facing read touches (UC-R1 A5)."""

    __tablename__ = "interview_session_note"

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    body: Mapped[str] = mapped_column(Text)


class InterviewInvite(IdMixin, Base):
    """A candidate link. Only the SHA-256 of its token is stored; at most one live per session."""

    __tablename__ = "interview_invite"
    __table_args__ = (
        Index(
            "uq_interview_invite_session_id_live",
            "session_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]  # first exchange for a candidate session


class InterviewEvent(IdMixin, Base):
    """One change of a session: `seq` is 1, 2, 3… per session, with no gaps."""

    __tablename__ = "interview_event"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("interview_session.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    actor_type: Mapped[str] = mapped_column(String(20))  # recruiter, candidate, system, ai
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
