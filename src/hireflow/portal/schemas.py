"""The candidate portal's inputs and outputs. Nothing here carries what a recruiter keeps for
themselves (notes, scores, shortlists, feedback, rejection reasons, tags, sources)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hireflow.candidates.schemas import Education, Experience, Skill

MAX_SKILLS = 100
MAX_LINKS = 20


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class CandidateProfileIn(BaseModel):
    """The whole profile (PUT replaces it): fields left out become empty."""

    model_config = ConfigDict(extra="forbid")

    headline: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    location: str | None = Field(default=None, max_length=200)
    summary: str | None = Field(default=None, max_length=10_000)
    links: list[str] = Field(default_factory=list, max_length=MAX_LINKS)
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_SKILLS)
    experience: list[Experience] = Field(default_factory=list, max_length=50)
    education: list[Education] = Field(default_factory=list, max_length=20)

    @field_validator("headline", "phone", "location", "summary")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return _text(value)

    @field_validator("links")
    @classmethod
    def _links(cls, values: list[str]) -> list[str]:
        seen: list[str] = []
        for raw in values:
            link = raw.strip()
            if not link:
                continue
            if len(link) > 500 or not link.lower().startswith(("https://", "http://")):
                raise ValueError("links are web addresses starting with https:// (500 at most)")
            if any(c.isspace() for c in link):
                raise ValueError("a link cannot contain spaces")
            if link not in seen:
                seen.append(link)
        return seen

    @field_validator("skills")
    @classmethod
    def _unique_skills(cls, values: list[Skill]) -> list[Skill]:
        """One entry per skill, compared without case (the first one stays)."""
        kept: dict[str, Skill] = {}
        for skill in values:
            kept.setdefault(skill.name.casefold(), skill)
        return list(kept.values())

    def stored(self) -> dict[str, Any]:
        """The columns' values (dates as ISO strings in the JSON columns)."""
        return self.model_dump(mode="json")


class CandidateProfileRead(BaseModel):
    name: str
    email: str
    headline: str | None
    phone: str | None
    location: str | None
    summary: str | None
    links: list[str]
    skills: list[dict[str, Any]]
    experience: list[dict[str, Any]]
    education: list[dict[str, Any]]
    updated_at: datetime | None


class MyApplication(BaseModel):
    id: uuid.UUID
    job_id: uuid.UUID
    job_title: str
    organization_name: str
    organization_slug: str
    stage: str
    status: str
    applied_at: datetime
    updated_at: datetime


class MyApplicationPage(BaseModel):
    items: list[MyApplication]
    next_cursor: str | None


class WithdrawApplicationIn(BaseModel):
    """Why the candidate withdraws, if they want to say (the organization sees it)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=300)

    @field_validator("reason")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return _text(value)


class MyConsent(BaseModel):
    """A consent the person gave to an organization, with the words they agreed to."""

    id: uuid.UUID
    candidate_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    purpose: str
    statement: str
    granted_at: datetime
    withdrawn_at: datetime | None


class WithdrawConsentIn(BaseModel):
    """Which consent: the purpose, and the organization (or its record of me) it was given to."""

    model_config = ConfigDict(extra="forbid")

    candidate_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    purpose: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]*$")

    @model_validator(mode="after")
    def _names_whom(self) -> WithdrawConsentIn:
        if self.candidate_id is None and self.organization_id is None:
            raise ValueError("Give the organization_id (or candidate_id) the consent was given to.")
        return self


class MyDocument(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    filename: str
    content_type: str
    size_bytes: int
    created_at: datetime


class SaveJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    job_id: uuid.UUID


class SavedJobRead(BaseModel):
    job_id: uuid.UUID
    title: str
    organization_name: str
    organization_slug: str
    location: str | None
    remote_policy: str
    # False once the organization stops taking applications (the bookmark stays).
    open: bool
    saved_at: datetime


DocumentKind = Literal["resume", "cover_letter", "other"]


class RegisterCandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)
