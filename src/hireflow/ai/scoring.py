"""Per-competency summaries of question scores: the mean per competency, with the questions it
comes from. Pure; no verdict and no ranking, only what the answers showed per competency."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hireflow.ai.model import CompetencyScore, QuestionScore


def _round(value: float) -> int:
    return math.floor(value + 0.5)  # half up, not to even: 62.5 → 63


def summarize_competencies(scores: Sequence[QuestionScore]) -> list[CompetencyScore]:
    """One entry per competency, in order of first appearance."""
    grouped: dict[str, list[QuestionScore]] = {}
    for score in scores:
        grouped.setdefault(score.competency, []).append(score)
    summaries = []
    for competency, items in grouped.items():
        mean = _round(sum(item.score for item in items) / len(items))
        cited = ", ".join(f"{item.question_id} ({item.score})" for item in items)
        noun = "answer" if len(items) == 1 else "answers"
        summaries.append(
            CompetencyScore(
                competency=competency,
                score=mean,
                reason=f"Mean of {len(items)} {noun}: {cited}.",
                question_ids=tuple(item.question_id for item in items),
            )
        )
    return summaries
