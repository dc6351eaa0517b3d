"""Emailed invitations to AI interviews, and the rules that send them when an application
enters a stage.

An invitation is recorded when asked for (alone, in bulk or by a rule) and prepared by a job at
its send time: the job configures the interview session, issues its link and writes the email.
Its delivery and engagement (sent, opened, clicked) are read from the outbox message; started,
completed and expired from the session — never copied here."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.models.base import Base, IdMixin, TimestampMixin

# scheduled: waiting for its send time (or for the job that prepares it);
# prepared: the session, link and email exist (the email's status says the rest);
# cancelled: withdrawn before it was prepared; skipped: could not be sent (`failure_reason`).
INVITATION_STATES = ("scheduled", "prepared", "cancelled", "skipped")


class InterviewInvitation(IdMixin, TimestampMixin, Base):
    __tablename__ = "interview_invitation"
    __table_args__ = (
        CheckConstraint("state IN ('scheduled', 'prepared', 'cancelled', 'skipped')", name="state"),
        Index(
            "ix_interview_invitation_organization_id_created_at", "organization_id", "created_at"
        ),
        Index("ix_interview_invitation_state_send_at", "state", "send_at"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    # Invitations asked for in one request share a batch id.
    batch_id: Mapped[uuid.UUID] = mapped_column(index=True)
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("job.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    # Set when prepared (or given: inviting to an existing session).
    session_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("interview_session.id", ondelete="SET NULL"), index=True
    )
    rule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invitation_rule.id", ondelete="SET NULL")
    )
    # The member it is sent on behalf of (their permissions are checked when it is prepared).
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
    to_address: Mapped[str] = mapped_column(String(320))
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(12), default="scheduled", server_default="scheduled")
    send_at: Mapped[datetime]
    link_valid_days: Mapped[int | None] = mapped_column(Integer)
    # A personal message from the recruiter, added to the email.
    message: Mapped[str | None] = mapped_column(Text)
    # Also text the link to the candidate's phone (when SMS is configured).
    sms: Mapped[bool] = mapped_column(default=False, server_default="false")
    # The candidate link, sealed (AES-GCM under the installation key) so a reminder can carry
    # the same link; the email in the outbox holds it too (docs/decisions/0008).
    link_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    outbox_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    reminder_message_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    reminded_at: Mapped[datetime | None]
    failure_reason: Mapped[str | None] = mapped_column(String(300))


class InvitationRule(IdMixin, TimestampMixin, Base):
    """ "When an application enters stage X, invite to an AI interview with kit Y": the kit is
    the interview kit of the stage's job and must be approved when the rule fires."""

    __tablename__ = "invitation_rule"
    __table_args__ = (UniqueConstraint("stage_id"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE")
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("job_stage.id", ondelete="CASCADE"))
    kit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("interview_kit.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(default=True, server_default="true")
    link_valid_days: Mapped[int | None] = mapped_column(Integer)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL")
    )
