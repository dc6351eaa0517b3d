"""The library: what the API takes and gives. Inputs forbid unknown fields.

An item is a `question` (type, prompt) or a `challenge` (statement, languages, starter code per
language, an entrypoint function, visible and hidden tests, a time limit); both carry a rubric
(criteria with four level descriptions, and an ideal answer for recruiters only) and tags."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

ItemKind = Literal["question", "challenge"]
QuestionType = Literal["behavioural", "technical", "situational"]
Seniority = Literal["junior", "mid", "senior", "lead"]
Language = Literal["python", "javascript"]
VersionStatus = Literal["draft", "in_review", "approved", "rejected", "retired"]

LANGUAGES: tuple[str, ...] = ("python", "javascript")
MAX_SKILLS = 20
MAX_CRITERIA = 10
MAX_TESTS = 50
MAX_JSON_CHARS = 10_000
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]{0,59}$"
# Code keeps its whitespace (inputs strip other text).
Code = Annotated[str, StringConstraints(strip_whitespace=False, max_length=8000)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Criterion(_In):
    key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9_]{0,59}$")
    description: str = Field(min_length=1, max_length=300)
    # From the weakest (1) to the strongest (4).
    levels: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(
        min_length=4, max_length=4
    )


class Rubric(_In):
    criteria: list[Criterion] = Field(min_length=1, max_length=MAX_CRITERIA)
    # Recruiter-only: never shown to a candidate.
    ideal_answer: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _unique_keys(self) -> Rubric:
        keys = [c.key for c in self.criteria]
        if len(set(keys)) != len(keys):
            raise ValueError("Each criterion needs its own key.")
        return self


class TestCase(_In):
    __test__ = False  # not a pytest class

    name: str = Field(min_length=1, max_length=80)
    args: list[Any] = Field(default_factory=list, max_length=20)
    expected: Any = None
    hidden: bool = False

    @model_validator(mode="after")
    def _small_json(self) -> TestCase:
        try:
            size = len(json.dumps([self.args, self.expected]))
        except (TypeError, ValueError) as exc:  # pragma: no cover - JSON input is JSON
            raise ValueError("Arguments and expected value must be JSON.") from exc
        if size > MAX_JSON_CHARS:
            raise ValueError(
                f"A test's arguments and expected value take at most {MAX_JSON_CHARS} "
                "characters of JSON."
            )
        return self


def _tidy_skills(values: list[str]) -> list[str]:
    seen: set[str] = set()
    skills: list[str] = []
    for value in values:
        skill = " ".join(value.split())
        if skill and skill.lower() not in seen:
            seen.add(skill.lower())
            skills.append(skill)
    return skills


class _ItemBase(_In):
    title: str = Field(min_length=1, max_length=200)
    skills: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=MAX_SKILLS
    )
    seniority: Seniority | None = None
    category: str | None = Field(default=None, max_length=40)
    rubric: Rubric

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        return _tidy_skills(value)

    @field_validator("category")
    @classmethod
    def _category(cls, value: str | None) -> str | None:
        return value or None


class QuestionIn(_ItemBase):
    kind: Literal["question"]
    type: QuestionType
    prompt: str = Field(min_length=1, max_length=4000)

    def content(self) -> dict[str, Any]:
        return {"type": self.type, "prompt": self.prompt, "rubric": self.rubric.model_dump()}


class ChallengeIn(_ItemBase):
    kind: Literal["challenge"]
    statement: str = Field(min_length=1, max_length=8000)
    languages: list[Language] = Field(min_length=1, max_length=len(LANGUAGES))
    starter_code: dict[Language, Code]
    entrypoint: str = Field(pattern=IDENTIFIER)
    tests: list[TestCase] = Field(min_length=2, max_length=MAX_TESTS)
    # The time a candidate has for the challenge.
    time_limit_seconds: int = Field(default=1800, ge=60, le=7200)

    @model_validator(mode="after")
    def _consistent(self) -> ChallengeIn:
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("List each language once.")
        missing = [lang for lang in self.languages if lang not in self.starter_code]
        if missing:
            raise ValueError(f"Give starter code for {', '.join(missing)}.")
        extra = [lang for lang in self.starter_code if lang not in self.languages]
        if extra:
            raise ValueError(f"Starter code for {', '.join(extra)}, which is not listed.")
        if not any(not t.hidden for t in self.tests) or not any(t.hidden for t in self.tests):
            raise ValueError("A challenge needs at least one visible and one hidden test.")
        names = [t.name for t in self.tests]
        if len(set(names)) != len(names):
            raise ValueError("Each test needs its own name.")
        return self

    def content(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "languages": list(self.languages),
            "starter_code": {lang: self.starter_code[lang] for lang in self.languages},
            "entrypoint": self.entrypoint,
            "tests": [t.model_dump() for t in self.tests],
            "time_limit_seconds": self.time_limit_seconds,
            "rubric": self.rubric.model_dump(),
        }


ItemIn = Annotated[QuestionIn | ChallengeIn, Field(discriminator="kind")]


class Review(_In):
    comment: str | None = Field(default=None, max_length=2000)


class DraftRequest(_In):
    job_description: str = Field(min_length=20, max_length=20_000)
    role: str | None = Field(default=None, max_length=120)
    skills: list[Annotated[str, Field(max_length=60)]] = Field(
        default_factory=list, max_length=MAX_SKILLS
    )
    count: int = Field(default=5, ge=1, le=10)
    seniority: Seniority | None = None

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[str]) -> list[str]:
        return _tidy_skills(value)


class RunRequest(_In):
    language: Language
    code: Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=20_000)]


# --- outputs ---------------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SimilarItem(_Out):
    item_id: uuid.UUID
    title: str
    similarity: float


class ItemRead(_Out):
    id: uuid.UUID
    kind: ItemKind
    title: str
    skills: list[str]
    seniority: str | None
    category: str | None
    latest_number: int
    status: VersionStatus  # of the latest version
    ai_generated: bool  # the latest version
    approved_version_id: uuid.UUID | None
    retired_at: datetime | None
    created_at: datetime
    updated_at: datetime


class VersionRead(_Out):
    id: uuid.UUID
    item_id: uuid.UUID
    number: int
    status: VersionStatus
    title: str
    content: dict[str, Any]
    skills: list[str]
    seniority: str | None
    category: str | None
    source: str
    ai_generated: bool
    similar_items: list[SimilarItem]
    created_by_user_id: uuid.UUID | None
    created_at: datetime
    submitted_at: datetime | None
    reviewed_by_user_id: uuid.UUID | None
    reviewed_at: datetime | None
    review_comment: str | None


class ItemDetail(BaseModel):
    item: ItemRead
    live_version: int | None  # the number of the approved version in use
    allowed_actions: list[str]
    versions: list[VersionRead]  # newest first


class ItemPage(BaseModel):
    items: list[ItemRead]
    next_cursor: str | None


class DraftResult(BaseModel):
    items: list[ItemRead]
    model: str
    fallback: bool  # the configured model failed; the offline model answered


class TestResultRead(BaseModel):
    __test__ = False

    name: str
    hidden: bool
    passed: bool
    status: str
    # Only for visible tests: hidden tests reveal nothing but pass/fail.
    args: list[Any] | None = None
    expected: Any = None
    actual: str | None = None  # JSON (or repr) of what came back
    message: str | None = None


class RunRead(BaseModel):
    id: uuid.UUID
    version_id: uuid.UUID | None
    language: str
    status: str
    passed: int
    total: int
    duration_ms: int
    results: list[TestResultRead]
    created_at: datetime
    detail: str | None = None  # what happened, in a sentence (not stored)


class ImportError_(BaseModel):
    row: int
    field: str | None
    message: str


class ImportReport(BaseModel):
    imported_count: int
    checked_count: int  # items that passed the checks
    item_ids: list[uuid.UUID]
    errors: list[ImportError_] = []  # a dry run's report (an import with errors is a 422)


class Export(BaseModel):
    format: Literal["hireflow.library"] = "hireflow.library"
    version: Literal[1] = 1
    items: list[dict[str, Any]]


class ImportFile(_In):
    format: Literal["hireflow.library"] = "hireflow.library"
    version: Literal[1] = 1
    items: list[ItemIn] = Field(min_length=1, max_length=1000)
