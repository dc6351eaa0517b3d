"""Jobs: the posting (its current state), every saved version of it, the recruiters assigned
to it, its pipeline stages, and the organization's job and stage templates."""

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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin

JOB_STATUSES = ("draft", "open", "on_hold", "closed", "archived")
REMOTE_POLICIES = ("onsite", "hybrid", "remote")
EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "temporary", "internship")
# An application in an `active` stage is in progress; `hired` and `rejected` stages end it.
STAGE_KINDS = ("active", "hired", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Job(IdMixin, TimestampMixin, Base):
    __tablename__ = "job"
    __table_args__ = (
        CheckConstraint(_in("status", JOB_STATUSES), name="status"),
        CheckConstraint(_in("remote_policy", REMOTE_POLICIES), name="remote_policy"),
        CheckConstraint(_in("employment_type", EMPLOYMENT_TYPES), name="employment_type"),
        CheckConstraint("headcount > 0", name="headcount"),
        CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name="salary_range",
        ),
        Index(
            "ix_job_organization_id_status_created_at", "organization_id", "status", "created_at"
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    # Sanitized HTML (allow-listed tags only); never rendered unsanitized.
    description_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    requirements: Mapped[str] = mapped_column(Text, default="", server_default="")
    skills: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list, server_default="{}")
    location: Mapped[str | None] = mapped_column(String(200))
    remote_policy: Mapped[str] = mapped_column(
        String(10), default="onsite", server_default="onsite"
    )
    employment_type: Mapped[str] = mapped_column(
        String(20), default="full_time", server_default="full_time"
    )
    # Whole units of `salary_currency` (ISO 4217) per year.
    salary_min: Mapped[int | None] = mapped_column(BigInteger)
    salary_max: Mapped[int | None] = mapped_column(BigInteger)
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    department: Mapped[str | None] = mapped_column(String(120))
    headcount: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # The number of the latest `job_version`.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]


class JobVersion(IdMixin, Base):
    """A saved state of a job's content: one per create, edit or restore."""

    __tablename__ = "job_version"
    __table_args__ = (UniqueConstraint("job_id", "number"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    number: Mapped[int]
    # The job's content fields at this version (title, description_html, skills, …).
    snapshot: Mapped[dict[str, Any]]
    summary: Mapped[str] = mapped_column(String(300), default="", server_default="")
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class JobTemplate(IdMixin, TimestampMixin, Base):
    """Reusable job content an organization starts new jobs from."""

    __tablename__ = "job_template"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    # The same content fields as a job version's snapshot.
    fields: Mapped[dict[str, Any]]
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )


class JobAssignment(IdMixin, Base):
    """A member assigned to a job: recruiters and interviewers see the jobs assigned to them."""

    __tablename__ = "job_assignment"
    __table_args__ = (
        UniqueConstraint("job_id", "user_id"),
        Index("ix_job_assignment_user_id_organization_id", "user_id", "organization_id"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    assigned_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class StageTemplate(IdMixin, TimestampMixin, Base):
    """An organization's pipeline: the stages a new job gets. Without one, the built-in
    default (Applied → Screen → AI interview → Interview → Offer → Hired, Rejected) is used."""

    __tablename__ = "stage_template"
    __table_args__ = (
        UniqueConstraint("organization_id", "name"),
        Index(
            "uq_stage_template_default",
            "organization_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(120))
    is_default: Mapped[bool] = mapped_column(default=False, server_default="false")
    # [{"key": "screen", "name": "Screen", "kind": "active"}, …] in pipeline order.
    stages: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)


class JobStage(IdMixin, Base):
    """One column of a job's pipeline, copied from the stage template when the job is made."""

    __tablename__ = "job_stage"
    __table_args__ = (
        UniqueConstraint("job_id", "key"),
        CheckConstraint(_in("kind", STAGE_KINDS), name="kind"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"))
    # Stable across jobs ("screen", "ai_interview"): what automations and reports refer to.
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10), default="active", server_default="active")
