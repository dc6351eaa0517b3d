"""AI interview sessions: what a recruiter sends and reads, and the candidate's `/now` view.

Candidate schemas are built field by field from the projection; they have no field that could
hold a rubric, a score, a competency or a recruiter note (a test walks every candidate-facing
response for those)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Stage = Literal["screening", "technical", "behavioural", "final"]
CodingLanguage = Literal["python", "javascript"]
SessionStatus = Literal["NOT_STARTED", "IN_PROGRESS", "COMPLETED", "EXPIRED", "CANCELLED"]
LinkStatus = Literal["active", "expired", "revoked", "none"]

MAX_JOB_DESCRIPTION_CHARS = 50_000
MAX_ANSWER_CHARS = 20_000
MAX_CODE_CHARS = 50_000

Skill = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


class SessionCreate(BaseModel):
    """UC-R1 step 3. Only `target_role` is required; a job or an application fills the rest."""

    model_config = ConfigDict(extra="forbid")

    target_role: str = Field(min_length=1, max_length=200)
    job_description: str = Field(default="", max_length=MAX_JOB_DESCRIPTION_CHARS)
    job_id: uuid.UUID | None = None
    application_id: uuid.UUID | None = None
    candidate_name: str | None = Field(default=None, max_length=200)
    candidate_email: str | None = Field(default=None, max_length=320)
    skills: list[Skill] = Field(default_factory=list, max_length=30)
    # Intake defaults.
    stage: Stage | None = None
    confidence_baseline: int | None = Field(default=None, ge=1, le=5)
    session_goal: str | None = Field(default=None, max_length=500)
    duration_minutes: int = Field(default=30, ge=5, le=240)
    question_count: int = Field(default=5, ge=1, le=20)
    max_follow_ups: int = Field(default=2, ge=0, le=10)
    coding_language: CodingLanguage | None = None
    link_valid_days: int | None = Field(default=None, ge=1, le=365)
    # Internal only: stored apart, never shown to the candidate (UC-R1 A5).
    recruiter_notes: str | None = Field(default=None, max_length=5000)

    @field_validator("target_role", mode="before")
    @classmethod
    def _role(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise ValueError("a target role is required")
        return value

    @field_validator(
        "candidate_name",
        "candidate_email",
        "session_goal",
        "recruiter_notes",
        "stage",
        "coding_language",
        mode="before",
    )
    @classmethod
    def _optional(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("candidate_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        # Like candidates' addresses: a plain check (pydantic's EmailStr needs email-validator,
        # which is not a dependency).
        if value is not None and (
            value.count("@") != 1
            or value.startswith("@")
            or value.endswith("@")
            or any(c.isspace() for c in value)
        ):
            raise ValueError("not an email address")
        return value

    @field_validator("job_description", mode="before")
    @classmethod
    def _description(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class LinkRead(BaseModel):
    status: LinkStatus
    expires_at: datetime | None = None
    opened_at: datetime | None = None
    issued_at: datetime | None = None


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    status: SessionStatus
    target_role: str
    job_id: uuid.UUID | None
    application_id: uuid.UUID | None
    candidate_id: uuid.UUID | None
    candidate_name: str | None
    candidate_email: str | None
    skills: list[str]
    stage: str | None
    confidence_baseline: int | None
    session_goal: str | None
    duration_minutes: int
    question_count: int
    max_follow_ups: int
    coding_language: str | None
    job_description_filename: str | None
    created_by_user_id: uuid.UUID | None
    created_at: datetime
    expires_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    ai_evaluation: bool | None = None  # None: no consent yet; False: human review asked for
    scoring_status: Literal["pending", "done", "skipped"] | None = None
    link: LinkRead


class SessionPage(BaseModel):
    items: list[SessionRead]
    next_cursor: str | None


class CriterionRead(BaseModel):
    key: str
    description: str
    met: bool | None = None
    quote: str | None = None


class TranscriptItem(BaseModel):
    question_id: str
    number: str  # "3", or "3a" for a follow-up
    kind: str
    competency: str
    prompt: str
    language: str | None
    follow_up_of: str | None
    answer: str | None
    answered_at: datetime | None
    seconds: int | None
    score: int | None  # after any override
    ai_score: int | None
    reason: str | None
    quotes: list[str]
    flags: list[str]
    criteria: list[CriterionRead]
    source: str


class CompetencyRead(BaseModel):
    competency: str
    score: int
    ai_score: int
    reason: str
    question_ids: list[str]


class OverrideRead(BaseModel):
    target: str
    score: int
    previous: int | None
    reason: str
    by: str | None
    at: datetime


class SessionDetail(SessionRead):
    job_description: str
    recruiter_notes: str | None
    model: str | None
    scoring_model: str | None
    scoring_note: str | None
    transcript: list[TranscriptItem]
    competencies: list[CompetencyRead]
    overrides: list[OverrideRead]


class SessionCreated(BaseModel):
    """The create response. `candidate_url` carries the raw token: it is shown here once (and
    to a retry with the same Idempotency-Key); afterwards only a new link can be issued."""

    session: SessionRead
    candidate_url: str
    link_expires_at: datetime


class LinkIssued(BaseModel):
    candidate_url: str
    link_expires_at: datetime


class LinkIssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    link_valid_days: int | None = Field(default=None, ge=1, le=365)


class CancelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=500)


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A question id ("q2", "q2f1") or "competency:<name>".
    target: str = Field(min_length=2, max_length=120)
    score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=3, max_length=1000)

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: object) -> object:
        return value.strip() if isinstance(value, str) else value


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    type: str
    payload: dict[str, Any]
    actor_type: str
    actor_user_id: uuid.UUID | None
    created_at: datetime


class EventPage(BaseModel):
    items: list[EventRead]
    next_after: int | None


# --- the candidate's side ------------------------------------------------------------------------


class AccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=16, max_length=200)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # True: the AI evaluates the answers (a person still decides). False: a person reviews them.
    ai_evaluation: bool


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: str = Field(min_length=2, max_length=10)
    answer: str = Field(max_length=MAX_CODE_CHARS)


class CandidateQuestion(BaseModel):
    id: str
    number: str
    kind: str
    prompt: str
    language: str | None
    starter_code: str | None
    suggested_minutes: int
    is_follow_up: bool


class Progress(BaseModel):
    answered: int
    total: int


class NowView(BaseModel):
    """What the candidate sees: status, current question, progress, time left."""

    status: SessionStatus
    organization_name: str
    target_role: str
    duration_minutes: int
    planned_questions: int
    has_coding_question: bool
    consent_given: bool
    ai_evaluation: bool | None
    current_question: CandidateQuestion | None
    progress: Progress
    started_at: datetime | None
    deadline: datetime | None
    seconds_left: int | None
    ended_reason: str | None
    link_expires_at: datetime
    seq: int


class AccessGranted(BaseModel):
    """The candidate's credential for this interview (also set as a cookie)."""

    access_token: str
    now: NowView
