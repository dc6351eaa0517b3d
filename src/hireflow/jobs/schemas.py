"""Jobs: what the API takes and gives. Inputs forbid unknown fields.

Content fields are validated one by one here (`JobDraft`); rules across fields (a salary needs a
currency, the minimum is at most the maximum) and the defaults are applied by
`service.complete_content`, after a partial change is merged with the job's current content.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireflow.candidates.normalize import normalize_skill

RemotePolicy = Literal["onsite", "hybrid", "remote"]
EmploymentType = Literal["full_time", "part_time", "contract", "temporary", "internship"]
JobStatus = Literal["draft", "open", "on_hold", "closed", "archived"]
ImportStatus = Literal["draft", "open"]

MAX_SKILLS = 50
MAX_SALARY = 1_000_000_000_000
MAX_HEADCOUNT = 10_000

# ISO 4217 codes of current currencies.
CURRENCIES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL
    GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW
    KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN
    NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK
    SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS
    VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()  # noqa: SIM905
)

# The fields a job version's snapshot and a template hold, in display order.
CONTENT_FIELDS = (
    "title",
    "description_html",
    "requirements",
    "skills",
    "location",
    "remote_policy",
    "employment_type",
    "salary_min",
    "salary_max",
    "salary_currency",
    "department",
    "headcount",
)
FIELD_LABELS = {
    "title": "Title",
    "description_html": "Description",
    "requirements": "Requirements",
    "skills": "Skills",
    "location": "Location",
    "remote_policy": "Remote policy",
    "employment_type": "Employment type",
    "salary_min": "Minimum salary",
    "salary_max": "Maximum salary",
    "salary_currency": "Salary currency",
    "department": "Department",
    "headcount": "Headcount",
}


def _optional_text(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def normalize_skills(values: list[str]) -> list[str]:
    """Tidied, empty ones dropped, duplicates (ignoring case) dropped keeping the first."""
    seen: set[str] = set()
    skills: list[str] = []
    for value in values:
        skill = normalize_skill(value)
        if skill and skill.casefold() not in seen:
            seen.add(skill.casefold())
            skills.append(skill)
    return skills


class JobDraft(BaseModel):
    """Job content, every field optional: what a change, a template or a CSV row may give.
    `description` is HTML, sanitized into `description_html`."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=100_000)
    requirements: str | None = Field(default=None, max_length=20_000)
    skills: list[str] | None = Field(default=None, max_length=500)
    location: str | None = Field(default=None, max_length=200)
    remote_policy: RemotePolicy | None = None
    employment_type: EmploymentType | None = None
    salary_min: int | None = Field(default=None, ge=0, le=MAX_SALARY)
    salary_max: int | None = Field(default=None, ge=0, le=MAX_SALARY)
    salary_currency: str | None = Field(default=None, max_length=3)
    department: str | None = Field(default=None, max_length=120)
    headcount: int | None = Field(default=None, ge=1, le=MAX_HEADCOUNT)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("The title cannot be empty.")
        return value.strip() if value is not None else None

    @field_validator("location", "department", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return _optional_text(value)

    @field_validator("salary_currency", mode="before")
    @classmethod
    def _currency(cls, value: object) -> object:
        value = _optional_text(value)
        if isinstance(value, str):
            value = value.upper()
            if value not in CURRENCIES:
                raise ValueError("Use an ISO 4217 currency code such as EUR or USD.")
        return value

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        skills = normalize_skills(value)
        if len(skills) > MAX_SKILLS:
            raise ValueError(f"A job lists at most {MAX_SKILLS} skills.")
        if any(len(skill) > 80 for skill in skills):
            raise ValueError("A skill is at most 80 characters.")
        return skills


class JobCreate(JobDraft):
    """A new job: its content, optionally starting from a template (fields given here win)."""

    template_id: uuid.UUID | None = None


class JobUpdate(JobDraft):
    """A partial change: only the fields sent change; `null` clears an optional field."""


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    status: JobStatus
    description_html: str
    requirements: str
    skills: list[str]
    location: str | None
    remote_policy: RemotePolicy
    employment_type: EmploymentType
    salary_min: int | None
    salary_max: int | None
    salary_currency: str | None
    department: str | None
    headcount: int
    version: int
    created_by_user_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    opened_at: datetime | None
    closed_at: datetime | None
    archived_at: datetime | None


class JobPage(BaseModel):
    items: list[JobRead]
    # Pass as `cursor` for the next (older) page; None on the last page.
    next_cursor: str | None


class VersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    summary: str
    author_user_id: uuid.UUID | None
    created_at: datetime


class VersionRead(VersionSummary):
    snapshot: dict[str, Any]


class FieldChange(BaseModel):
    field: str
    label: str
    changed: bool
    before: Any
    after: Any


class VersionDiff(BaseModel):
    job_id: uuid.UUID
    number: int  # "after"
    against: int  # "before"
    fields: list[FieldChange]
    # A unified line diff of the description's HTML (empty when unchanged).
    description_diff: list[str]


class TemplateCreate(JobDraft):
    """A template from content given here, or copied from a job (`from_job_id`)."""

    name: str = Field(min_length=1, max_length=120)
    from_job_id: uuid.UUID | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The name cannot be empty.")
        return value.strip()


class TemplateUpdate(JobDraft):
    """A partial change: the name, and content fields to set (`null` removes one)."""

    name: str | None = Field(default=None, min_length=1, max_length=120)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("The name cannot be empty.")
        return value.strip() if value is not None else None


class SaveAsTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("The name cannot be empty.")
        return value.strip()


class TemplateRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    # Content fields (as in a version's snapshot); absent ones are not set by the template.
    fields: dict[str, Any]
    created_by_user_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


class AssigneeRead(BaseModel):
    user_id: uuid.UUID
    name: str
    email: str
    assigned_by_user_id: uuid.UUID | None
    assigned_at: datetime


class ImportRowError(BaseModel):
    line: int
    column: str | None
    message: str


class ImportRead(BaseModel):
    id: uuid.UUID
    filename: str
    status: Literal["previewed", "imported"]
    total_rows: int
    valid_rows: int
    error_rows: int
    columns: list[str]
    errors: list[ImportRowError]
    errors_truncated: bool
    # The first rows as they would be imported.
    sample: list[dict[str, Any]]
    imported_count: int | None
    created_at: datetime
    imported_at: datetime | None


class ImportResult(BaseModel):
    import_id: uuid.UUID
    imported_count: int
