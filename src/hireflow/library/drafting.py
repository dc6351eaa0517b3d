"""AI drafting: questions from a job description through `hireflow.ai` (the offline model by
default), turned into library items whose first version waits in review, marked AI-generated.

The model's questions carry no tests, so a coding question becomes a technical question (its
starter code quoted in the prompt): a challenge needs tests a reviewer can trust."""

from __future__ import annotations

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai import OFFLINE, model_for
from hireflow.ai.model import CallContext, InterviewBrief, ModelUnavailable, Question
from hireflow.audit.service import Origin
from hireflow.authz.context import Ctx
from hireflow.authz.permissions import Permission
from hireflow.config import Settings
from hireflow.errors import Invalid
from hireflow.library import service
from hireflow.library.schemas import Criterion, DraftRequest, QuestionIn, Rubric
from hireflow.models import LibraryItem, LibraryItemVersion

log = structlog.get_logger(__name__)

LEVELS = (
    "Not shown: {d}",
    "Partly shown, with gaps: {d}",
    "Shown clearly: {d}",
    "Shown with depth and concrete examples: {d}",
)


def _key(text: str, index: int) -> str:
    key = "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_")
    key = "_".join(part for part in key.split("_") if part)
    if not key or not key[0].isalpha():
        key = f"c{index + 1}_{key}".rstrip("_")
    return key[:60]


def item_from_question(question: Question, body: DraftRequest) -> QuestionIn:
    """A model question as library content (never a challenge: it has no tests)."""
    prompt = question.prompt
    if question.kind == "coding" and question.starter_code:
        prompt = f"{prompt}\n\nStarter code ({question.language}):\n{question.starter_code}"
    criteria: list[Criterion] = []
    keys: set[str] = set()
    for index, criterion in enumerate(question.rubric[:10]):
        key = _key(criterion.key, index)
        while key in keys:
            key = f"{key[:56]}_{index + 1}"
        keys.add(key)
        description = criterion.description[:300]
        criteria.append(
            Criterion(
                key=key,
                description=description,
                levels=[level.format(d=description)[:300] for level in LEVELS],
            )
        )
    ideal = "; ".join(
        f"{c.description} ({', '.join(c.indicators)})" if c.indicators else c.description
        for c in question.rubric
    )
    skills = list(body.skills)
    if question.competency and question.competency.lower() not in {s.lower() for s in skills}:
        skills = [question.competency[:60], *skills]
    title = " ".join(question.prompt.split())
    if len(title) > 120:
        title = title[:117].rsplit(" ", 1)[0] + "…"
    return QuestionIn(
        kind="question",
        title=title,
        type="technical" if question.kind == "coding" else question.kind,
        prompt=prompt[:4000],
        skills=skills[:20],
        seniority=body.seniority,
        category=(body.role or question.competency or "General")[:40],
        rubric=Rubric(criteria=criteria, ideal_answer=ideal[:4000]),
    )


async def draft_from_job_description(
    session: AsyncSession, ctx: Ctx, body: DraftRequest, settings: Settings, origin: Origin
) -> tuple[list[tuple[LibraryItem, LibraryItemVersion]], str, bool]:
    """Items drafted by the model, each with a first version `in_review`; returns them, the
    model's name and whether the offline model stood in for a failing one."""
    ctx.require(Permission.LIBRARY_WRITE)
    brief = InterviewBrief(
        target_role=(body.role or "the role").strip() or "the role",
        job_description=body.job_description,
        skills=tuple(body.skills),
        question_count=body.count,
        seed=len(body.job_description),
    )
    call = CallContext(organization_id=ctx.organization.id)
    model = model_for(session, settings)
    fallback = False
    try:
        questions = await model.generate_questions(brief, call)
    except ModelUnavailable as exc:
        log.warning("library drafting fell back to offline model", reason=str(exc)[:200])
        model, fallback = OFFLINE, True
        questions = await OFFLINE.generate_questions(brief, call)
    created: list[tuple[LibraryItem, LibraryItemVersion]] = []
    for question in questions[: body.count]:
        if question.follow_up_of is not None:
            continue
        try:
            content = item_from_question(question, body)
        except ValidationError as exc:
            log.warning("library drafting skipped a question", errors=exc.error_count())
            continue
        created.append(
            await service.create_item(
                session, ctx, content, origin, status="in_review", source="ai", ai_generated=True
            )
        )
    if not created:
        raise Invalid("The model gave no usable questions: try a longer job description.")
    return created, model.name, fallback
