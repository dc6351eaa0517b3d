"""hireflow's AI: the `Model` interface (questions, bounded follow-ups, rubric scoring), the
offline model that always works, and an adapter for any OpenAI-compatible endpoint.
`get_model(settings)` picks one; see docs/ai.md."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai.model import (
    CallContext,
    CodingLanguage,
    CompetencyScore,
    CriterionResult,
    InterviewBrief,
    Model,
    ModelUnavailable,
    Question,
    QuestionKind,
    QuestionScore,
    RubricCriterion,
    Usage,
)
from hireflow.ai.offline import OfflineModel
from hireflow.ai.openai_compat import OpenAICompatibleModel
from hireflow.ai.usage import DatabaseMeter, UsageMeter
from hireflow.config import Settings

OFFLINE = OfflineModel()


def get_model(settings: Settings, meter: UsageMeter | None = None) -> Model:
    """The OpenAI-compatible model when `HIREFLOW_AI_PROVIDER=openai` and a base URL is set,
    else the offline model."""
    if settings.ai_provider == "openai" and settings.ai_base_url:
        return OpenAICompatibleModel(settings, meter)
    return OFFLINE


def model_for(session: AsyncSession, settings: Settings) -> Model:
    """`get_model` with the organization token budget kept in `session`'s database."""
    return get_model(settings, DatabaseMeter(session, settings.ai_monthly_token_budget))


__all__ = [
    "OFFLINE",
    "CallContext",
    "CodingLanguage",
    "CompetencyScore",
    "CriterionResult",
    "DatabaseMeter",
    "InterviewBrief",
    "Model",
    "ModelUnavailable",
    "OfflineModel",
    "OpenAICompatibleModel",
    "Question",
    "QuestionKind",
    "QuestionScore",
    "RubricCriterion",
    "Usage",
    "UsageMeter",
    "get_model",
    "model_for",
]
