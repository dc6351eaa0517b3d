"""Applications, pipelines, stage templates, feedback and notes: API inputs and outputs."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from hireflow.models.job import STAGE_KINDS

STAGE_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_BULK = 500


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- stage templates ------------------------------------------------------------------------------

StageKind = Literal["active", "hired", "rejected"]
assert set(StageKind.__args__) == set(STAGE_KINDS)  # type: ignore[attr-defined]


class StageSpec(Input):
    key: Annotated[str, StringConstraints(pattern=STAGE_KEY.pattern)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    kind: StageKind = "active"


class StageTemplateCreate(Input):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    is_default: bool = False
    stages: Annotated[list[StageSpec], Field(min_length=2, max_length=20)]


class StageTemplateUpdate(StageTemplateCreate):
    """A full replacement (PUT)."""


class StageTemplateRead(Output):
    id: uuid.UUID
    name: str
    is_default: bool
    stages: list[StageSpec]
    created_at: datetime
    updated_at: datetime


class StageTemplateList(BaseModel):
    items: list[StageTemplateRead]
    # What a new job gets when no template is the default.
    built_in: list[StageSpec]


class JobStageRead(Output):
    id: uuid.UUID
    key: str
    name: str
    kind: str
    position: int


# --- applications ---------------------------------------------------------------------------------


class ApplicationCreate(Input):
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    source: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)
    ] = "manual"


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ApplicationIds = Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_BULK)]


class MoveIn(Input):
    stage_id: uuid.UUID
    # The stage the caller saw: if the application has moved since, the move is refused (409).
    expected_stage_id: uuid.UUID | None = None
    # Needed when the target is the job's rejected stage.
    reason: Reason | None = None


class BulkMoveIn(Input):
    application_ids: ApplicationIds
    stage_id: uuid.UUID
    reason: Reason | None = None

    @field_validator("application_ids")
    @classmethod
    def _unique(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys(value))


class RejectIn(Input):
    reason: Reason


class BulkRejectIn(Input):
    application_ids: ApplicationIds
    reason: Reason

    @field_validator("application_ids")
    @classmethod
    def _unique(cls, value: list[uuid.UUID]) -> list[uuid.UUID]:
        return list(dict.fromkeys(value))


class ApplicationUpdate(Input):
    score: Annotated[int, Field(ge=0, le=100)] | None = None
    selected: bool | None = None

    @field_validator("selected")
    @classmethod
    def _not_null(cls, value: bool | None) -> bool | None:
        if value is None:
            raise ValueError("selected is true or false")
        return value


class CandidateSummary(BaseModel):
    id: uuid.UUID
    full_name: str
    headline: str | None
    email: str | None


class JobSummary(BaseModel):
    id: uuid.UUID
    title: str
    status: str


class EventRead(BaseModel):
    id: uuid.UUID
    type: str
    from_stage_id: uuid.UUID | None
    from_stage_name: str | None
    to_stage_id: uuid.UUID | None
    to_stage_name: str | None
    seconds_in_stage: int | None
    actor_user_id: uuid.UUID | None
    actor_name: str | None
    data: dict[str, object]
    created_at: datetime


class StageVisit(BaseModel):
    """A stay in one stage: entered, left (None: still there) and how long."""

    stage_id: uuid.UUID | None
    stage_name: str | None
    entered_at: datetime
    left_at: datetime | None
    seconds: int


class FeedbackRead(BaseModel):
    id: uuid.UUID
    author_user_id: uuid.UUID | None
    author_name: str | None
    overall: int
    ratings: dict[str, int]
    comment: str
    created_at: datetime
    updated_at: datetime


class FeedbackList(BaseModel):
    items: list[FeedbackRead]
    average: float | None
    count: int


class NoteRead(BaseModel):
    id: uuid.UUID
    author_user_id: uuid.UUID | None
    author_name: str | None
    body: str
    created_at: datetime
    updated_at: datetime


class ApplicationSummary(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    candidate_id: uuid.UUID
    candidate_name: str
    stage_id: uuid.UUID
    status: str
    source: str
    score: int | None
    selected: bool
    rejection_reason: str | None
    applied_at: datetime
    stage_entered_at: datetime
    seconds_in_stage: int
    closed_at: datetime | None


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next_cursor: str | None


class ApplicationRead(BaseModel):
    id: uuid.UUID
    candidate: CandidateSummary
    job: JobSummary
    stage: JobStageRead
    status: str
    source: str
    score: int | None
    selected: bool
    rejection_reason: str | None
    applied_at: datetime
    stage_entered_at: datetime
    seconds_in_stage: int
    closed_at: datetime | None
    events: list[EventRead]
    stages: list[StageVisit]
    feedback: FeedbackList


class ApplicationReadWithNotes(ApplicationRead):
    """What members with `notes:read` get: the private notes too."""

    notes: list[NoteRead]


class BulkResult(BaseModel):
    moved: int
    application_ids: list[uuid.UUID]


# --- pipeline -------------------------------------------------------------------------------------


class PipelineCard(BaseModel):
    application_id: uuid.UUID
    candidate_id: uuid.UUID
    candidate_name: str
    headline: str | None
    status: str
    stage_entered_at: datetime
    seconds_in_stage: int
    score: int | None
    selected: bool
    feedback_average: float | None


class PipelineColumn(BaseModel):
    stage: JobStageRead
    count: int
    cards: list[PipelineCard]
    # For the next cards: `GET /jobs/{job_id}/applications?stage_id=…&cursor=…`.
    next_cursor: str | None


class Pipeline(BaseModel):
    job: JobSummary
    total: int
    stages: list[PipelineColumn]


# --- feedback and notes ---------------------------------------------------------------------------

Criterion = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Rating = Annotated[int, Field(ge=1, le=5)]


class FeedbackIn(Input):
    overall: Rating
    ratings: Annotated[dict[Criterion, Rating], Field(max_length=20)] = {}
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)] = ""


NoteBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class NoteIn(Input):
    body: NoteBody
