"""The recruiter's view of one session: configuration, recruiter notes, the transcript with each
answer's score, reason and quotes, competency scores and the overrides (people decide)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai_interviews import events, repository
from hireflow.ai_interviews.schemas import (
    CompetencyRead,
    CriterionRead,
    OverrideRead,
    SessionDetail,
    TranscriptItem,
)
from hireflow.ai_interviews.service import question_numbers, readable_session, session_read
from hireflow.authz.context import Ctx


async def session_detail(session: AsyncSession, ctx: Ctx, session_id: uuid.UUID) -> SessionDetail:
    interview = await readable_session(session, ctx, session_id)
    invite = await repository.latest_invite(session, interview.id)
    state = interview.state
    scoring = state.get("scoring") or {}
    effective = events.effective_scores(state)
    ai_scores: dict[str, dict[str, Any]] = {
        q["question_id"]: q for q in scoring.get("questions", [])
    }
    numbers = question_numbers(state["questions"])
    transcript = []
    for question in state["questions"]:
        qid = question["id"]
        given = state["answers"].get(qid)
        scored = ai_scores.get(qid)
        met = {c["key"]: c for c in (scored or {}).get("criteria", [])}
        transcript.append(
            TranscriptItem(
                question_id=qid,
                number=numbers[qid],
                kind=question["kind"],
                competency=question["competency"],
                prompt=question["prompt"],
                language=question.get("language"),
                follow_up_of=question.get("follow_up_of"),
                answer=given["text"] if given else None,
                answered_at=given["at"] if given else None,
                seconds=given.get("seconds") if given else None,
                score=effective.get(qid),
                ai_score=scored["score"] if scored else None,
                reason=scored["reason"] if scored else None,
                quotes=list(scored["quotes"]) if scored else [],
                flags=list(scored["flags"]) if scored else [],
                criteria=[
                    CriterionRead(
                        key=c["key"],
                        description=c["description"],
                        met=met[c["key"]]["met"] if c["key"] in met else None,
                        quote=met[c["key"]].get("quote") if c["key"] in met else None,
                    )
                    for c in question["rubric"]
                ],
                source=question.get("source", ""),
            )
        )
    competencies = [
        CompetencyRead(
            competency=c["competency"],
            score=effective.get(f"competency:{c['competency']}", c["score"]),
            ai_score=c["score"],
            reason=c["reason"],
            question_ids=list(c["question_ids"]),
        )
        for c in scoring.get("competencies", [])
    ]
    return SessionDetail(
        **session_read(interview, invite).model_dump(),
        job_description=interview.job_description,
        recruiter_notes=await repository.note_of(session, interview.id),
        model=state.get("model"),
        scoring_model=scoring.get("model"),
        scoring_note=scoring.get("reason"),
        transcript=transcript,
        competencies=competencies,
        overrides=[OverrideRead.model_validate(o) for o in state.get("overrides", [])],
    )
