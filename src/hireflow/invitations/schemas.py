"""Invitations to AI interviews and invitation rules: request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from hireflow.invitations.status import InvitationStatus

MAX_BATCH = 1000
MAX_MESSAGE_CHARS = 2000


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


class InviteIn(BaseModel):
    """Invite the candidates of these applications to an AI interview (one session each)."""

    model_config = ConfigDict(extra="forbid")

    application_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BATCH)
    # When to send (default: now); at most 90 days ahead.
    send_at: AwareDatetime | None = None
    link_valid_days: int | None = Field(default=None, ge=1, le=365)
    message: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)
    sms: bool = False

    @field_validator("application_ids")
    @classmethod
    def _unique(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(value)) != len(value):
            raise ValueError("each application id at most once")
        return value

    @field_validator("message", mode="before")
    @classmethod
    def _message(cls, value: object) -> object:
        return _blank_to_none(value)


class SessionInviteIn(BaseModel):
    """Email an existing (not started) session's link; the email issues a new link."""

    model_config = ConfigDict(extra="forbid")

    to: str | None = Field(default=None, max_length=320)
    message: str | None = Field(default=None, max_length=MAX_MESSAGE_CHARS)
    link_valid_days: int | None = Field(default=None, ge=1, le=365)

    @field_validator("to", "message", mode="before")
    @classmethod
    def _optional(cls, value: object) -> object:
        return _blank_to_none(value)


class AcceptedInvitation(BaseModel):
    id: uuid.UUID
    application_id: uuid.UUID
    status: InvitationStatus


class SkippedApplication(BaseModel):
    application_id: uuid.UUID
    reason: str


class BatchAccepted(BaseModel):
    batch_id: uuid.UUID
    accepted: int
    invitations: list[AcceptedInvitation]
    skipped: list[SkippedApplication]


class InvitationRead(BaseModel):
    id: uuid.UUID
    batch_id: uuid.UUID
    status: InvitationStatus
    state: str
    job_id: uuid.UUID | None
    application_id: uuid.UUID | None
    session_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    created_by_user_id: uuid.UUID | None
    to_address: str
    candidate_name: str | None
    send_at: datetime
    link_valid_days: int | None
    message: str | None
    sms: bool
    failure_reason: str | None
    reminded_at: datetime | None
    created_at: datetime


class InvitationPage(BaseModel):
    items: list[InvitationRead]
    next_cursor: str | None


class RuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage_id: uuid.UUID
    kit_id: uuid.UUID
    enabled: bool = True
    link_valid_days: int | None = Field(default=None, ge=1, le=365)


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool | None = None
    link_valid_days: int | None = Field(default=None, ge=1, le=365)


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    job_id: uuid.UUID
    stage_id: uuid.UUID
    kit_id: uuid.UUID
    enabled: bool
    link_valid_days: int | None
    created_by_user_id: uuid.UUID | None
    created_at: datetime


class RuleList(BaseModel):
    items: list[RuleRead]
