"""Applications: a candidate for a job, moving through the job's stages. Every change is an
`application_event` (with the time spent in the stage left); feedback and private notes hang
off the application."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin

APPLICATION_STATUSES = ("active", "hired", "rejected", "withdrawn")


class Application(IdMixin, TimestampMixin, Base):
    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("job_id", "candidate_id"),
        CheckConstraint("status IN ('active', 'hired', 'rejected', 'withdrawn')", name="status"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        # The pipeline board: a job's applications per stage, longest waiting first.
        Index(
            "ix_application_job_id_stage_id_stage_entered_at",
            "job_id",
            "stage_id",
            "stage_entered_at",
            "id",
        ),
        Index("ix_application_organization_id_created_at", "organization_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    candidate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("candidate.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    stage_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job_stage.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="active", server_default="active")
    rejection_reason: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(40), default="manual", server_default="manual")
    # The recruiter's score (0–100) and shortlist flag: "scoring and selection".
    score: Mapped[int | None] = mapped_column(Integer)
    selected: Mapped[bool] = mapped_column(default=False, server_default="false")
    applied_at: Mapped[datetime] = mapped_column(server_default=func.now())
    stage_entered_at: Mapped[datetime] = mapped_column(server_default=func.now())
    closed_at: Mapped[datetime | None]  # hired, rejected or withdrawn


class ApplicationEvent(IdMixin, Base):
    """One change of an application: applied, moved, rejected, hired, reopened, scored…"""

    __tablename__ = "application_event"
    __table_args__ = (
        Index("ix_application_event_application_id_created_at", "application_id", "created_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE")
    )
    type: Mapped[str] = mapped_column(String(30))
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job_stage.id", ondelete="SET NULL")
    )
    to_stage_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job_stage.id", ondelete="SET NULL")
    )
    # Time spent in `from_stage_id` before this change.
    seconds_in_stage: Mapped[int | None] = mapped_column(Integer)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ApplicationFeedback(IdMixin, TimestampMixin, Base):
    """A member's structured feedback: 1–5 ratings per criterion, an overall 1–5, a comment.
    One per member per application; editing replaces it."""

    __tablename__ = "application_feedback"
    __table_args__ = (
        UniqueConstraint("application_id", "author_user_id"),
        CheckConstraint("overall BETWEEN 1 AND 5", name="overall"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE")
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    overall: Mapped[int] = mapped_column(Integer)
    ratings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")


class ApplicationNote(IdMixin, TimestampMixin, Base):
    """A private note on an application, readable only with `notes:read`."""

    __tablename__ = "application_note"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
