"""`ai.Model`: what hireflow asks of an AI — interview questions, bounded follow-ups and rubric
scoring — and the shapes it answers in. Every answer of a model is validated against these
Pydantic models before anything uses it: no AI output is trusted as it comes.

Scores carry a written reason and verbatim quotes from the answer; there is no hire/no-hire
verdict and no ranking (UC-R1's non-responsibilities): people decide."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

QuestionKind = Literal["behavioural", "technical", "situational", "coding"]
CodingLanguage = Literal["python", "javascript"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricCriterion(_Frozen):
    """One thing a good answer shows. Recruiter-only: never part of a candidate view."""

    key: str = Field(min_length=1, max_length=60)
    description: str = Field(min_length=1, max_length=300)
    # Words or short phrases whose presence is evidence for the criterion (offline scoring).
    indicators: tuple[str, ...] = ()


class Question(_Frozen):
    id: str = Field(pattern=r"^q[0-9]{1,3}(f[0-9])?$")  # q1, q2 … and follow-ups q2f1
    kind: QuestionKind
    competency: str = Field(min_length=1, max_length=80)
    prompt: str = Field(min_length=1, max_length=4000)
    language: CodingLanguage | None = None  # coding questions
    starter_code: str | None = Field(default=None, max_length=4000)
    suggested_minutes: int = Field(default=5, ge=1, le=60)
    rubric: tuple[RubricCriterion, ...] = Field(min_length=1, max_length=10)
    follow_up_of: str | None = None
    source: str = Field(default="offline", max_length=120)  # "offline", "library:<id>", a model


class CriterionResult(_Frozen):
    key: str
    met: bool
    quote: str | None = None  # verbatim from the answer


class QuestionScore(_Frozen):
    question_id: str
    competency: str
    score: int = Field(ge=0, le=100)
    reason: str = Field(min_length=1, max_length=2000)
    quotes: tuple[str, ...] = ()  # verbatim substrings of the answer
    criteria: tuple[CriterionResult, ...] = ()
    # e.g. "empty", "gibberish", "instruction-to-evaluator-ignored"
    flags: tuple[str, ...] = ()
    model: str


class CompetencyScore(_Frozen):
    competency: str
    score: int = Field(ge=0, le=100)
    reason: str
    question_ids: tuple[str, ...]


@dataclass(frozen=True)
class InterviewBrief:
    """What questions are generated from; everything here is candidate-visible context or
    intake defaults — never the recruiter's notes."""

    target_role: str
    job_description: str = ""  # plain text
    skills: tuple[str, ...] = ()  # the job's listed skills, if any
    stage: str | None = None  # e.g. "screening", "technical", "final"
    session_goal: str | None = None
    confidence_baseline: int | None = None  # 1–5
    question_count: int = 5
    coding_language: CodingLanguage | None = None  # None: no coding question
    seed: int = 0
    # Approved questions from the job's interview kit (the library issue); used first, in order.
    kit_questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class CallContext:
    """Who a call is made for (the per-organization token budget)."""

    organization_id: uuid.UUID
    usage: list[Usage] = field(default_factory=list)


class ModelUnavailable(Exception):
    """The model could not answer (budget used up, endpoint down, invalid output after retries).
    Callers fall back to the offline model and say so."""


class Model(Protocol):
    name: str  # "offline" or "openai:<model>"
    offline: bool

    async def generate_questions(
        self, brief: InterviewBrief, call: CallContext
    ) -> list[Question]: ...

    async def follow_up(
        self, brief: InterviewBrief, question: Question, answer: str, call: CallContext
    ) -> Question | None:
        """A follow-up to `question` given `answer`, or None when the answer needs none."""
        ...

    async def score_answer(
        self, question: Question, answer: str, call: CallContext
    ) -> QuestionScore: ...
