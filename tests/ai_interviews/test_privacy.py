"""UC-R1 A5 and the candidate's side of the privacy boundary: a whole interview is run through
the candidate API with a unique marker in the recruiter's notes, every response the candidate
receives is collected (successes and refusals alike), and none holds the notes, a rubric, a
score, a reason, quotes or competencies — by key anywhere in the JSON, or by the text of any
rubric criterion."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import FastAPI

from hireflow.ai_interviews import service
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import InterviewSession
from tests.factories.interviews import (
    CANDIDATE_API,
    STRONG_ANSWER,
    THIN_ANSWER,
    candidate_client,
    create_via_api,
    signed_in_team,
    token_of,
)

# Keys no candidate-facing JSON may have. (`ended_reason`, why the interview ended — time up,
# all answered — is the candidate's own information and is allowed.)
FORBIDDEN_KEYS = {
    "rubric",
    "indicators",
    "criteria",
    "score",
    "scores",
    "ai_score",
    "competency",
    "competencies",
    "reason",
    "quotes",
    "quote",
    "flags",
    "recruiter_notes",
    "notes",
    "job_description",
    "source",
}


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


async def test_no_candidate_response_holds_recruiter_only_or_scoring_data(
    app: FastAPI,
    client: httpx.AsyncClient,
    db: Database,
    test_settings: Settings,
) -> None:
    team = await signed_in_team(client, db)
    marker = f"do-not-show-{uuid.uuid4().hex}"
    created = await create_via_api(
        client,
        team,
        target_role="Backend Engineer",
        job_description="Python services on PostgreSQL, deployed with Docker.",
        question_count=4,
        max_follow_ups=2,
        coding_language="python",
        recruiter_notes=f"Internal: {marker}. Salary expectation too high?",
        session_goal="Depth in PostgreSQL",
    )
    interview_id = uuid.UUID(created["session"]["id"])
    token = token_of(created["candidate_url"])
    api = CANDIDATE_API
    collected: list[httpx.Response] = []

    async with candidate_client(app, collected) as candidate:
        # Before access, and with a wrong link.
        await candidate.get(f"{api}/now")
        await candidate.post(f"{api}/access", json={"token": "z" * 43})
        granted = await candidate.post(f"{api}/access", json={"token": token})
        candidate.headers["Authorization"] = f"Bearer {granted.json()['access_token']}"
        await candidate.get(f"{api}/now")
        await candidate.post(f"{api}/start")  # 422: no consent yet
        await candidate.post(f"{api}/answers", json={"question_id": "q1", "answer": "early"})
        await candidate.post(f"{api}/consent", json={"ai_evaluation": True})
        now = (await candidate.post(f"{api}/start")).json()
        await candidate.post(f"{api}/answers", json={"question_id": "q9", "answer": "unknown"})
        await candidate.post(f"{api}/answers", json={"question_id": "q1", "answer": "x" * 20_001})
        answers = [THIN_ANSWER, STRONG_ANSWER]
        turn = 0
        while now.get("current_question"):
            question = now["current_question"]
            answer = answers[turn % 2] if question["kind"] != "coding" else "def f():\n    pass\n"
            turn += 1
            response = await candidate.post(
                f"{api}/answers", json={"question_id": question["id"], "answer": answer}
            )
            assert response.status_code == 200, response.text
            # The same answer again, as from a second tab: a 409 with `now`.
            await candidate.post(
                f"{api}/answers", json={"question_id": question["id"], "answer": answer}
            )
            now = response.json()
        assert now["status"] == "COMPLETED"
        async with db.transaction() as session:
            await service.score_session(session, interview_id, test_settings)
        # After scoring, everything the candidate can still ask for.
        await candidate.get(f"{api}/now")
        await candidate.post(f"{api}/finish")
        await candidate.post(f"{api}/start")
        await candidate.post(f"{api}/consent", json={"ai_evaluation": False})
        await candidate.post(f"{api}/access", json={"token": token})

    statuses = {r.status_code for r in collected}
    assert {200, 401, 404, 409, 422} <= statuses, statuses
    assert len(collected) >= 20

    async with db.transaction() as session:
        interview = await session.get(InterviewSession, interview_id)
        assert interview is not None
        questions = interview.state["questions"]
        scoring = interview.state["scoring"]
    assert scoring["status"] == "done"
    assert interview.state["follow_ups"] >= 1
    descriptions = {c["description"] for q in questions for c in q["rubric"]}
    reasons = {s["reason"] for s in scoring["questions"]}
    assert descriptions
    assert reasons

    for response in collected:
        where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
        body = response.text
        assert marker not in body, where
        document = json.loads(body)
        bad = {key for key in _keys(document) if key.lower() in FORBIDDEN_KEYS}
        assert not bad, (where, bad)
        for description in descriptions:
            assert description not in body, (where, description)
        for reason in reasons:
            assert reason not in body, (where, reason)
        assert "Offline rubric check" not in body, where
