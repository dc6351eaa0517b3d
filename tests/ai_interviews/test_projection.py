"""The event log is the truth: folding a session's events from nothing (`events.fold`) gives
exactly the stored projection (status and state), for whole interviews of every shape; and
question generation is deterministic per session seed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hireflow.ai import OFFLINE
from hireflow.ai.model import CallContext
from hireflow.ai_interviews import events, service
from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import InterviewSession, Organization, User
from tests.factories.interviews import (
    STRONG_ANSWER,
    THIN_ANSWER,
    as_events,
    ctx_for,
    expire_link,
    make_session,
    pass_deadline,
    run_interview,
    stored_events,
)
from tests.factories.organizations import make_organization
from tests.factories.users import make_member

Scenario = Callable[[AsyncSession, Organization, User, Settings], Awaitable[uuid.UUID]]


async def _normal(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, token = await make_session(session, org, owner, settings, coding_language="python")
    await run_interview(session, token, settings, [STRONG_ANSWER, "def f(x):\n    return x\n"])
    return interview.id


async def _with_follow_ups(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, token = await make_session(session, org, owner, settings, max_follow_ups=2)
    done = await run_interview(session, token, settings, [THIN_ANSWER])
    assert done.state["follow_ups"] == 2
    return interview.id


async def _human_review(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, token = await make_session(session, org, owner, settings)
    done = await run_interview(session, token, settings, ai_evaluation=False)
    assert done.state["scoring"]["status"] == "skipped"
    return interview.id


async def _cancelled_midway(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, token = await make_session(session, org, owner, settings)
    _, opened = await service.open_link(session, token, settings)
    await service.give_consent(session, opened, ai_evaluation=True)
    await service.start(session, opened, settings)
    await service.answer(session, opened, "q1", STRONG_ANSWER, settings)
    ctx = await ctx_for(session, org, owner)
    await service.cancel_session(session, ctx, interview.id, "Withdrawn", origin=SYSTEM)
    return interview.id


async def _expired(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, _ = await make_session(session, org, owner, settings)
    await expire_link(session, interview.id)
    assert await service.expire_overdue(session) >= 1
    return interview.id


async def _time_up(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, token = await make_session(session, org, owner, settings, max_follow_ups=0)
    _, opened = await service.open_link(session, token, settings)
    await service.give_consent(session, opened, ai_evaluation=True)
    await service.start(session, opened, settings)
    await service.answer(session, opened, "q1", STRONG_ANSWER, settings)
    await pass_deadline(session, interview.id)
    assert await service.expire_overdue(session) >= 1
    await service.score_session(session, interview.id, settings)
    return interview.id


async def _reissued_then_overridden(
    session: AsyncSession, org: Organization, owner: User, settings: Settings
) -> uuid.UUID:
    interview, _ = await make_session(session, org, owner, settings, max_follow_ups=1)
    ctx = await ctx_for(session, org, owner)
    token, _ = await service.reissue_link(
        session, ctx, interview.id, days=2, origin=SYSTEM, settings=settings
    )
    await run_interview(session, token, settings, [THIN_ANSWER, STRONG_ANSWER])
    for target, score in (("q1", 12), ("q1", 30), ("q2", 90)):
        await service.override_score(
            session, ctx, interview.id, target=target, score=score, reason="Reviewed", origin=SYSTEM
        )
    competency = (await _stored(session, interview.id)).state["scoring"]["competencies"][0]
    await service.override_score(
        session,
        ctx,
        interview.id,
        target=f"competency:{competency['competency']}",
        score=64,
        reason="Reviewed",
        origin=SYSTEM,
    )
    return interview.id


async def _stored(session: AsyncSession, interview_id: uuid.UUID) -> InterviewSession:
    interview = await session.scalar(
        select(InterviewSession)
        .where(InterviewSession.id == interview_id)
        .execution_options(populate_existing=True)
    )
    assert interview is not None
    return interview


SCENARIOS: dict[str, tuple[Scenario, str]] = {
    "normal": (_normal, "COMPLETED"),
    "follow-ups": (_with_follow_ups, "COMPLETED"),
    "human review": (_human_review, "COMPLETED"),
    "cancelled": (_cancelled_midway, "CANCELLED"),
    "expired": (_expired, "EXPIRED"),
    "time up": (_time_up, "COMPLETED"),
    "re-issued and overridden": (_reissued_then_overridden, "COMPLETED"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_folding_the_events_gives_the_stored_projection(
    db: Database, test_settings: Settings, name: str
) -> None:
    scenario, status = SCENARIOS[name]
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        interview_id = await scenario(session, org, owner, test_settings)
    async with db.transaction() as session:  # fresh: everything as stored
        stored = await _stored(session, interview_id)
        rows = await stored_events(session, interview_id)

    assert stored.status == status
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    assert stored.last_seq == len(rows)
    assert rows[0].type == events.SESSION_CREATED
    assert events.fold(as_events(rows)) == (stored.status, stored.state)


def test_fold_applies_each_event_type_purely() -> None:
    at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    question = {"id": "q1", "kind": "technical", "competency": "Python", "prompt": "Why?"}
    history = [
        events.Event(events.SESSION_CREATED, {}, at),
        events.Event(events.CONSENT_GIVEN, {"ai_evaluation": True}, at),
        events.Event(events.SESSION_STARTED, {"deadline": at.isoformat()}, at),
        events.Event(events.QUESTIONS_GENERATED, {"model": "offline", "questions": [question]}, at),
    ]
    status, state = events.fold(history)
    assert (status, state["current"], state["model"]) == ("IN_PROGRESS", 0, "offline")
    before = (status, state)
    answered = events.apply(
        status,
        state,
        events.Event(events.ANSWER_SUBMITTED, {"question_id": "q1", "answer": "A"}, at),
    )
    assert before == (status, state)  # the arguments are left alone
    assert answered[1]["current"] is None
    assert answered[1]["answers"]["q1"]["text"] == "A"
    with pytest.raises(ValueError, match="unknown interview event type"):
        events.apply(status, state, events.Event("SOMETHING_ELSE", {}, at))


async def test_the_same_session_seed_always_generates_the_same_questions(
    db: Database, test_settings: Settings
) -> None:
    async with db.transaction() as session:
        org = await make_organization(session)
        owner, _ = await make_member(session, org, role="owner")
        interview, token = await make_session(
            session,
            org,
            owner,
            test_settings,
            target_role="Data Engineer",
            job_description="Pipelines in Airflow and dbt, models in PostgreSQL.",
            question_count=5,
            coding_language="python",
            session_goal="SQL depth",
        )
        await run_interview(session, token, test_settings, score=False)
        rows = await stored_events(session, interview.id)
        stored = await _stored(session, interview.id)
    [generated] = [row for row in rows if row.type == events.QUESTIONS_GENERATED]

    brief = service.brief_of(stored)
    call = CallContext(organization_id=org.id)
    first = await OFFLINE.generate_questions(brief, call)
    second = await OFFLINE.generate_questions(brief, call)
    assert first == second
    assert len(first) == 5
    # The questions asked are the ones the seed gives (replaying the start asks the same).
    assert [q.model_dump(mode="json") for q in first] == generated.payload["questions"]
