"""What the careers page and the public API show of an organization's open jobs, and what an
application sends. Only public fields: nothing a recruiter keeps for themselves."""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

PHONE_PATTERN = re.compile(r"[0-9+()\-. /]{5,40}")


class ConsentStatement(BaseModel):
    """A consent the apply form asks for: send its `purpose` in `consent` to give it."""

    purpose: str
    statement: str
    required: bool


class PublicOrganization(BaseModel):
    name: str
    slug: str


class PublicJobSummary(BaseModel):
    id: uuid.UUID
    title: str
    department: str | None
    location: str | None
    remote_policy: str
    employment_type: str
    posted_at: datetime


class PublicJob(PublicJobSummary):
    organization: PublicOrganization
    # Sanitized when the job was saved (allow-listed tags only).
    description_html: str
    requirements: str
    skills: list[str]
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    consents: list[ConsentStatement]


class PublicJobPage(BaseModel):
    organization: PublicOrganization
    items: list[PublicJobSummary]
    # Pass as `cursor` for the next page; None on the last page.
    next_cursor: str | None


class ApplyIn(BaseModel):
    """The apply form's fields (the files travel beside them)."""

    model_config = ConfigDict(extra="forbid")

    full_name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    consent: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("full_name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("empty name")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if not PHONE_PATTERN.fullmatch(value) or sum(c.isdigit() for c in value) < 5:
            raise ValueError("not a phone number")
        return value


class ApplicationReceipt(BaseModel):
    """What an applicant gets back: enough to recognise the application, nothing internal."""

    application_id: uuid.UUID
    job_title: str
    organization_name: str
    status: str
    applied_at: datetime
