"""Candidates: what the API takes (`extra="forbid"`) and what it answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from hireflow.candidates.normalize import normalize_skill
from hireflow.models.candidate import CANDIDATE_SOURCES
from hireflow.models.document import DOCUMENT_KINDS

MAX_TAGS = 30
MAX_SKILLS = 100
MAX_LINKS = 20
MAX_ENTRIES = 50  # experience / education entries

Source = Literal["manual", "careers_page", "import", "referral", "agency", "sourced", "portal"]
assert set(Source.__args__) == set(CANDIDATE_SOURCES)  # type: ignore[attr-defined]
DocumentKind = Literal["resume", "cover_letter", "other"]
assert set(DocumentKind.__args__) == set(DOCUMENT_KINDS)  # type: ignore[attr-defined]


def _strip_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


OptionalText = Annotated[str | None, AfterValidator(_strip_or_none)]


def normalize_tags(tags: list[str]) -> list[str]:
    """Lowercase, single-spaced, de-duplicated, in their first order."""
    seen: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split()).lower()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def normalize_links(links: list[str]) -> list[str]:
    seen: list[str] = []
    for link in links:
        link = link.strip()
        if link and link not in seen:
            seen.append(link)
    return seen


class Skill(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    level: int | None = Field(default=None, ge=1, le=5)
    years: float | None = Field(default=None, ge=0, le=60)

    @field_validator("name")
    @classmethod
    def _tidy(cls, value: str) -> str:
        value = normalize_skill(value)
        if not value:
            raise ValueError("a skill needs a name")
        return value


def dedupe_skills(skills: list[Skill]) -> list[Skill]:
    """One entry per name, compared case-insensitively; the first wins."""
    seen: set[str] = set()
    kept: list[Skill] = []
    for skill in skills:
        key = skill.name.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(skill)
    return kept


class Experience(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    start_on: date | None = None
    end_on: date | None = None
    description: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _dates(self) -> Experience:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValueError("end_on must not be before start_on")
        return self


class Education(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution: str = Field(min_length=1, max_length=200)
    degree: str | None = Field(default=None, max_length=200)
    field: str | None = Field(default=None, max_length=200)
    start_on: date | None = None
    end_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> Education:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValueError("end_on must not be before start_on")
        return self


Tag = Annotated[str, Field(min_length=1, max_length=50)]
Link = Annotated[str, Field(min_length=1, max_length=500)]


class _ProfileFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: OptionalText = Field(default=None, max_length=320)
    phone: OptionalText = Field(default=None, max_length=40)
    headline: OptionalText = Field(default=None, max_length=200)
    location: OptionalText = Field(default=None, max_length=200)
    summary: OptionalText = Field(default=None, max_length=10_000)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
            raise ValueError("not an email address")
        if any(c.isspace() for c in value):
            raise ValueError("not an email address")
        return value or None


class CandidateCreate(_ProfileFields):
    full_name: str = Field(min_length=1, max_length=200)
    links: list[Link] = Field(default_factory=list, max_length=MAX_LINKS)
    source: Source = "manual"
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_SKILLS)
    experience: list[Experience] = Field(default_factory=list, max_length=MAX_ENTRIES)
    education: list[Education] = Field(default_factory=list, max_length=MAX_ENTRIES)

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a name is required")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return normalize_tags(value)

    @field_validator("links")
    @classmethod
    def _links(cls, value: list[str]) -> list[str]:
        return normalize_links(value)

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[Skill]) -> list[Skill]:
        return dedupe_skills(value)


class CandidateUpdate(_ProfileFields):
    """Only the fields sent change; `null` clears an optional one."""

    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    links: list[Link] | None = Field(default=None, max_length=MAX_LINKS)
    source: Source | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    skills: list[Skill] | None = Field(default=None, max_length=MAX_SKILLS)
    experience: list[Experience] | None = Field(default=None, max_length=MAX_ENTRIES)
    education: list[Education] | None = Field(default=None, max_length=MAX_ENTRIES)

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("a name is required")
        value = " ".join(value.split())
        if not value:
            raise ValueError("a name is required")
        return value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else normalize_tags(value)

    @field_validator("links")
    @classmethod
    def _links(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else normalize_links(value)

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[Skill] | None) -> list[Skill] | None:
        return None if value is None else dedupe_skills(value)


class DuplicateRead(BaseModel):
    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    created_at: datetime
    # "email", "phone", "name"
    reasons: list[str]
    name_similarity: float


class CandidateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    phone_normalized: str | None
    headline: str | None
    location: str | None
    summary: str | None
    links: list[str]
    source: str
    tags: list[str]
    skills: list[dict[str, Any]]
    experience: list[dict[str, Any]]
    education: list[dict[str, Any]]
    user_id: uuid.UUID | None
    # Set when this record was merged into another: follow it.
    merged_into_id: uuid.UUID | None
    merged_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CandidateCreated(CandidateRead):
    possible_duplicates: list[DuplicateRead]


class LatestApplication(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    stage_id: uuid.UUID
    stage_name: str
    status: str
    applied_at: datetime


class CandidateSummary(BaseModel):
    id: uuid.UUID
    full_name: str
    email: str | None
    phone: str | None
    headline: str | None
    location: str | None
    source: str
    tags: list[str]
    skills: list[dict[str, Any]]
    created_at: datetime
    latest_application: LatestApplication | None


class CandidatePage(BaseModel):
    items: list[CandidateSummary]
    # Pass as `cursor` for the next page; None on the last page.
    next_cursor: str | None


SortOrder = Literal["relevance", "newest", "name"]


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicate_id: uuid.UUID


class ConsentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")
    statement: str = Field(min_length=1, max_length=5000)
    source: str = Field(default="recruiter", min_length=1, max_length=40, pattern=r"^[a-z_]+$")


class ConsentWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=1, max_length=60)


class ConsentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purpose: str
    statement: str
    source: str
    granted_at: datetime
    withdrawn_at: datetime | None


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
    uploaded_by_user_id: uuid.UUID | None


class TimelineItem(BaseModel):
    # "candidate": a candidate event; "application": an event of one of their applications.
    source: Literal["candidate", "application"]
    id: uuid.UUID
    type: str
    created_at: datetime
    actor_user_id: uuid.UUID | None
    data: dict[str, Any]
    application_id: uuid.UUID | None = None
    job_id: uuid.UUID | None = None
    job_title: str | None = None
    from_stage_id: uuid.UUID | None = None
    to_stage_id: uuid.UUID | None = None


class TimelinePage(BaseModel):
    items: list[TimelineItem]
    next_cursor: str | None


class ImportRowError(BaseModel):
    line: int
    column: str | None
    message: str


class ImportDuplicate(BaseModel):
    line: int
    # "email" / "phone" of an existing candidate, or of an earlier row of the file.
    reasons: list[str]
    candidate_ids: list[uuid.UUID]
    same_as_line: int | None


class ImportRead(BaseModel):
    id: uuid.UUID
    filename: str
    status: str
    total_rows: int
    error_rows: int
    errors: list[ImportRowError]
    errors_truncated: bool
    duplicates: list[ImportDuplicate]
    duplicates_truncated: bool
    duplicate_rows: int
    preview: list[dict[str, Any]]
    imported_count: int | None
    skipped_count: int | None
    created_at: datetime
    imported_at: datetime | None


class ImportRun(BaseModel):
    model_config = ConfigDict(extra="forbid")

    duplicates: Literal["skip", "create"] = "skip"
