"""The candidate's JSON API: the link exchanged for access, consent, the start (questions
generated then), answers with bounded follow-ups, completion and scoring, resuming, two tabs,
the time limit, and the refusals (unknown question, too long, no access, another site)."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text

from hireflow.ai_interviews import events, service
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import InterviewEvent, InterviewSession
from tests.factories.interviews import (
    CANDIDATE_API,
    STRONG_ANSWER,
    THIN_ANSWER,
    Team,
    candidate_client,
    create_via_api,
    pass_deadline,
    signed_in_team,
    stored_events,
    token_of,
)

NOW = f"{CANDIDATE_API}/now"


@pytest.fixture
async def team(client: httpx.AsyncClient, db: Database) -> Team:
    return await signed_in_team(client, db)


@pytest.fixture
async def candidate(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with candidate_client(app) as client:
        yield client


async def _open(candidate: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """Exchange the link's token; the access token is sent as a bearer from now on."""
    response = await candidate.post(f"{CANDIDATE_API}/access", json={"token": token})
    assert response.status_code == 200, response.text
    granted = response.json()
    candidate.headers["Authorization"] = f"Bearer {granted['access_token']}"
    return dict(granted)


async def _begin(
    candidate: httpx.AsyncClient, token: str, *, ai_evaluation: bool = True
) -> dict[str, Any]:
    await _open(candidate, token)
    consent = await candidate.post(
        f"{CANDIDATE_API}/consent", json={"ai_evaluation": ai_evaluation}
    )
    assert consent.status_code == 200, consent.text
    started = await candidate.post(f"{CANDIDATE_API}/start")
    assert started.status_code == 200, started.text
    return dict(started.json())


async def _answer(candidate: httpx.AsyncClient, question_id: str, answer: str) -> httpx.Response:
    return await candidate.post(
        f"{CANDIDATE_API}/answers", json={"question_id": question_id, "answer": answer}
    )


async def _answer_all(
    candidate: httpx.AsyncClient, now: dict[str, Any], answer: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Answer every question with `answer`; the final `now` and {question id: answer}."""
    given: dict[str, str] = {}
    for _ in range(50):
        question = now["current_question"]
        if question is None:
            return now, given
        response = await _answer(candidate, question["id"], answer)
        assert response.status_code == 200, response.text
        given[question["id"]] = answer
        now = response.json()
    raise AssertionError("the interview never ended")


async def _session(db: Database, interview_id: str) -> InterviewSession:
    async with db.transaction() as session:
        interview = await session.get(InterviewSession, uuid.UUID(interview_id))
        assert interview is not None
        return interview


async def _types(db: Database, interview_id: str) -> list[str]:
    async with db.transaction() as session:
        return [e.type for e in await stored_events(session, uuid.UUID(interview_id))]


async def _score_jobs(db: Database, interview_id: str) -> int:
    async with db.transaction() as session:
        count = await session.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task "
                "AND args->>'session_id' = :id"
            ),
            {"task": "interviews.score_session", "id": interview_id},
        )
        return int(count or 0)


# --- the way through ---------------------------------------------------------------------------


async def test_access_shows_where_the_interview_is_without_a_question(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team, target_role="Data Engineer", duration_minutes=20)
    granted = await _open(candidate, token_of(created["candidate_url"]))
    assert granted["access_token"]
    assert "hf_interview" in candidate.cookies
    now = (await candidate.get(NOW)).json()
    assert now == granted["now"] | {"seq": now["seq"]}
    assert now["status"] == "NOT_STARTED"
    assert now["current_question"] is None
    assert now["consent_given"] is False
    assert (now["organization_name"], now["target_role"]) == ("Initech", "Data Engineer")
    assert (now["duration_minutes"], now["planned_questions"]) == (20, 3)
    assert now["deadline"] is None
    assert events.LINK_OPENED in await _types(db, created["session"]["id"])


async def test_an_unknown_link_is_a_404(candidate: httpx.AsyncClient) -> None:
    response = await candidate.post(f"{CANDIDATE_API}/access", json={"token": "x" * 43})
    assert response.status_code == 404
    assert response.json()["code"] == "link-invalid"
    short = await candidate.post(f"{CANDIDATE_API}/access", json={"token": "short"})
    assert short.status_code == 422


async def test_starting_needs_consent_first(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    await _open(candidate, token_of(created["candidate_url"]))
    refused = await candidate.post(f"{CANDIDATE_API}/start")
    assert refused.status_code == 422
    assert refused.json()["field"] == "consent"
    interview = await _session(db, created["session"]["id"])
    assert interview.status == "NOT_STARTED"
    assert interview.state["questions"] == []
    bad = await candidate.post(f"{CANDIDATE_API}/consent", json={"ai_evaluation": "maybe"})
    assert bad.status_code == 422
    assert (await candidate.get(NOW)).json()["consent_given"] is False


async def test_the_start_generates_the_questions_and_the_first_is_asked(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=4, coding_language="python")
    interview_id = created["session"]["id"]
    now = await _begin(candidate, token_of(created["candidate_url"]))
    assert now["status"] == "IN_PROGRESS"
    assert now["consent_given"] is True
    assert now["ai_evaluation"] is True
    question = now["current_question"]
    assert (question["id"], question["number"], question["is_follow_up"]) == ("q1", "1", False)
    assert question["prompt"]
    assert now["progress"] == {"answered": 0, "total": 4}
    assert 0 < now["seconds_left"] <= 30 * 60
    assert now["has_coding_question"] is True

    async with db.transaction() as session:
        rows = await stored_events(session, uuid.UUID(interview_id))
    generated = [e for e in rows if e.type == events.QUESTIONS_GENERATED]
    assert len(generated) == 1
    assert generated[0].payload["model"] == "offline"
    assert [q["id"] for q in generated[0].payload["questions"]] == ["q1", "q2", "q3", "q4"]
    assert generated[0].payload["questions"][-1]["kind"] == "coding"
    # A second start (another tab, a retry) changes nothing.
    again = await candidate.post(f"{CANDIDATE_API}/start")
    assert again.status_code == 200
    assert again.json()["current_question"]["id"] == "q1"
    assert (await _types(db, interview_id)).count(events.QUESTIONS_GENERATED) == 1


async def test_answering_every_question_completes_and_enqueues_scoring(
    candidate: httpx.AsyncClient,
    client: httpx.AsyncClient,
    db: Database,
    team: Team,
    test_settings: Settings,
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=0)
    interview_id = created["session"]["id"]
    first = await _begin(candidate, token_of(created["candidate_url"]))
    assert first["current_question"]["id"] == "q1"
    second = await _answer(candidate, "q1", STRONG_ANSWER)
    assert second.status_code == 200
    assert second.json()["current_question"]["id"] == "q2"
    assert second.json()["progress"] == {"answered": 1, "total": 3}
    assert await _score_jobs(db, interview_id) == 0

    final, given = await _answer_all(candidate, second.json(), STRONG_ANSWER)
    assert list(given) == ["q2", "q3"]
    assert final["status"] == "COMPLETED"
    assert final["ended_reason"] == "answered_all"
    assert final["current_question"] is None
    assert final["progress"] == {"answered": 3, "total": 3}
    assert await _score_jobs(db, interview_id) == 1
    # The link's work is done: it opens no new access, but the access held still reads.
    assert (await candidate.get(NOW)).json()["status"] == "COMPLETED"
    late = await _answer(candidate, "q3", STRONG_ANSWER)
    assert late.status_code == 409
    assert late.json()["code"] == "session-closed"

    # The job's work: every answer scored against its rubric, with reasons and quotes.
    async with db.transaction() as session:
        await service.score_session(session, uuid.UUID(interview_id), test_settings)
        await service.score_session(session, uuid.UUID(interview_id), test_settings)  # no-op
        rows = await stored_events(session, uuid.UUID(interview_id))
    scored = [e for e in rows if e.type == events.SCORING_COMPLETED]
    assert len(scored) == 1
    payload = scored[0].payload
    assert payload["model"] == "offline"
    assert [q["question_id"] for q in payload["questions"]] == ["q1", "q2", "q3"]
    for score in payload["questions"]:
        assert 0 <= score["score"] <= 100
        assert score["reason"].startswith("Offline rubric check:")
        assert score["quotes"], score
        assert all(quote in STRONG_ANSWER for quote in score["quotes"])
    assert payload["competencies"]
    assert {q for c in payload["competencies"] for q in c["question_ids"]} == {"q1", "q2", "q3"}

    detail = (await client.get(f"{team.api}/{interview_id}")).json()
    assert detail["scoring_status"] == "done"
    assert detail["scoring_model"] == "offline"
    assert [t["answer"] for t in detail["transcript"]] == [STRONG_ANSWER] * 3
    assert all(t["reason"] and t["ai_score"] is not None for t in detail["transcript"])


async def test_a_person_instead_of_ai_skips_scoring(
    candidate: httpx.AsyncClient,
    client: httpx.AsyncClient,
    db: Database,
    team: Team,
    test_settings: Settings,
) -> None:
    created = await create_via_api(client, team, max_follow_ups=0)
    interview_id = created["session"]["id"]
    now = await _begin(candidate, token_of(created["candidate_url"]), ai_evaluation=False)
    assert now["ai_evaluation"] is False
    await _answer_all(candidate, now, STRONG_ANSWER)
    async with db.transaction() as session:
        await service.score_session(session, uuid.UUID(interview_id), test_settings)
    types = await _types(db, interview_id)
    assert events.SCORING_SKIPPED in types
    assert events.SCORING_COMPLETED not in types
    detail = (await client.get(f"{team.api}/{interview_id}")).json()
    assert detail["ai_evaluation"] is False
    assert detail["scoring_status"] == "skipped"
    assert detail["competencies"] == []
    assert all(t["ai_score"] is None and t["reason"] is None for t in detail["transcript"])
    assert all(t["answer"] == STRONG_ANSWER for t in detail["transcript"])


async def test_consent_can_be_changed_before_the_start_only(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    await _open(candidate, token_of(created["candidate_url"]))
    for choice in (True, True, False):
        response = await candidate.post(f"{CANDIDATE_API}/consent", json={"ai_evaluation": choice})
        assert response.json()["ai_evaluation"] is choice
    assert (await _types(db, created["session"]["id"])).count(events.CONSENT_GIVEN) == 2
    await candidate.post(f"{CANDIDATE_API}/start")
    late = await candidate.post(f"{CANDIDATE_API}/consent", json={"ai_evaluation": True})
    assert late.status_code == 409
    assert (await candidate.get(NOW)).json()["ai_evaluation"] is False


# --- follow-ups ----------------------------------------------------------------------------------


@pytest.mark.parametrize("max_follow_ups", [0, 1, 2])
async def test_follow_ups_to_thin_answers_are_bounded_by_max_follow_ups(
    candidate: httpx.AsyncClient,
    client: httpx.AsyncClient,
    db: Database,
    team: Team,
    max_follow_ups: int,
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=max_follow_ups)
    interview_id = created["session"]["id"]
    now = await _begin(candidate, token_of(created["candidate_url"]))
    final, given = await _answer_all(candidate, now, THIN_ANSWER)
    assert final["status"] == "COMPLETED"
    follow_ups = [q for q in given if "f" in q]
    # Every thin answer to a main question asks for more, until the session's limit.
    assert len(follow_ups) == max_follow_ups
    assert len(given) == 3 + max_follow_ups
    assert (await _types(db, interview_id)).count(events.FOLLOW_UP_ADDED) == max_follow_ups
    interview = await _session(db, interview_id)
    assert interview.state["follow_ups"] == max_follow_ups
    for follow_up in follow_ups:
        parent = follow_up.split("f")[0]
        ids = [q["id"] for q in interview.state["questions"]]
        assert ids.index(follow_up) == ids.index(parent) + 1


async def test_a_follow_up_is_numbered_after_its_question(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=2, max_follow_ups=1)
    await _begin(candidate, token_of(created["candidate_url"]))
    response = await _answer(candidate, "q1", THIN_ANSWER)
    question = response.json()["current_question"]
    assert (question["id"], question["number"], question["is_follow_up"]) == ("q1f1", "1a", True)
    assert response.json()["progress"] == {"answered": 1, "total": 3}
    assert "rubric" not in question


async def test_a_strong_answer_needs_no_follow_up(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=2, max_follow_ups=2)
    await _begin(candidate, token_of(created["candidate_url"]))
    response = await _answer(candidate, "q1", STRONG_ANSWER)
    assert response.json()["current_question"]["id"] == "q2"


# --- leaving and coming back, two tabs ---------------------------------------------------------


async def test_opening_the_link_again_resumes_where_the_candidate_left(
    app: FastAPI, candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=0)
    token = token_of(created["candidate_url"])
    await _begin(candidate, token)
    left = (await _answer(candidate, "q1", STRONG_ANSWER)).json()

    async with candidate_client(app) as later:  # another browser, days later
        resumed = await _open(later, token)
        now = resumed["now"]
        assert now["status"] == "IN_PROGRESS"
        assert now["current_question"] == left["current_question"]
        assert now["progress"] == {"answered": 1, "total": 3}
        assert now["deadline"] == left["deadline"]
        assert (await _answer(later, "q2", STRONG_ANSWER)).status_code == 200
    detail = (await client.get(f"{team.api}/{created['session']['id']}")).json()
    assert [t["answer"] for t in detail["transcript"]] == [STRONG_ANSWER, STRONG_ANSWER, None]


async def test_an_answer_from_a_second_tab_is_a_409_with_where_the_interview_is(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=0)
    interview_id = created["session"]["id"]
    await _begin(candidate, token_of(created["candidate_url"]))
    first_tab = await _answer(candidate, "q1", STRONG_ANSWER)
    assert first_tab.status_code == 200
    second_tab = await _answer(candidate, "q1", "My other answer, typed in the other tab.")
    assert second_tab.status_code == 409
    body = second_tab.json()
    assert body["code"] == "question-not-current"
    assert body["now"]["current_question"]["id"] == "q2"
    assert body["now"]["progress"]["answered"] == 1
    async with db.transaction() as session:
        rows = await stored_events(session, uuid.UUID(interview_id))
    answers = [e.payload for e in rows if e.type == events.ANSWER_SUBMITTED]
    assert [(a["question_id"], a["answer"]) for a in answers] == [("q1", STRONG_ANSWER)]
    interview = await _session(db, interview_id)
    assert interview.state["answers"]["q1"]["text"] == STRONG_ANSWER


async def test_an_answer_to_an_unknown_question_is_a_409(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    await _begin(candidate, token_of(created["candidate_url"]))
    response = await _answer(candidate, "q99", STRONG_ANSWER)
    assert response.status_code == 409
    assert response.json()["now"]["current_question"]["id"] == "q1"
    assert events.ANSWER_SUBMITTED not in await _types(db, created["session"]["id"])


async def test_an_answer_before_the_start_is_a_409(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team)
    await _open(candidate, token_of(created["candidate_url"]))
    response = await _answer(candidate, "q1", STRONG_ANSWER)
    assert response.status_code == 409
    assert response.json()["code"] == "session-closed"


@pytest.mark.parametrize(
    "body",
    [
        {"question_id": "q1", "answer": "a" * 20_001},
        {"question_id": "q1", "answer": "a" * 50_001},
        {"question_id": "q1"},
        {"question_id": "", "answer": "An answer."},
        {"question_id": "q1", "answer": "An answer.", "score": 100},
    ],
)
async def test_a_bad_answer_is_a_422_and_changes_nothing(
    candidate: httpx.AsyncClient,
    client: httpx.AsyncClient,
    db: Database,
    team: Team,
    body: dict[str, Any],
) -> None:
    created = await create_via_api(client, team)
    await _begin(candidate, token_of(created["candidate_url"]))
    response = await candidate.post(f"{CANDIDATE_API}/answers", json=body)
    assert response.status_code == 422, response.text
    now = (await candidate.get(NOW)).json()
    assert now["current_question"]["id"] == "q1"
    assert now["progress"]["answered"] == 0
    assert events.ANSWER_SUBMITTED not in await _types(db, created["session"]["id"])


async def test_a_long_answer_to_a_coding_question_is_accepted(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(
        client, team, question_count=1, coding_language="javascript", max_follow_ups=0
    )
    now = await _begin(candidate, token_of(created["candidate_url"]))
    question = now["current_question"]
    assert question["kind"] == "coding"
    assert question["language"] == "javascript"
    assert question["starter_code"]
    code = "// a long solution\n" + "const x = 1;\n" * 2000
    assert 20_000 < len(code) <= 50_000
    response = await _answer(candidate, question["id"], code)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "COMPLETED"


# --- time, and the candidate finishing early ------------------------------------------------------


async def test_past_the_deadline_the_next_request_completes_the_interview(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=0)
    interview_id = created["session"]["id"]
    await _begin(candidate, token_of(created["candidate_url"]))
    assert (await _answer(candidate, "q1", STRONG_ANSWER)).status_code == 200
    async with db.transaction() as session:
        await pass_deadline(session, uuid.UUID(interview_id))

    late = await _answer(candidate, "q2", STRONG_ANSWER)
    assert late.status_code == 409
    assert late.json()["code"] == "session-closed"
    assert late.json()["now"]["status"] == "COMPLETED"
    now = (await candidate.get(NOW)).json()
    assert now["status"] == "COMPLETED"
    assert now["ended_reason"] == "time_up"
    assert now["progress"]["answered"] == 1
    types = await _types(db, interview_id)
    assert types.count(events.SESSION_COMPLETED) == 1
    assert types.count(events.ANSWER_SUBMITTED) == 1
    assert await _score_jobs(db, interview_id) == 1
    async with db.transaction() as session:
        completed = await session.scalar(
            select(InterviewEvent).where(
                InterviewEvent.session_id == uuid.UUID(interview_id),
                InterviewEvent.type == events.SESSION_COMPLETED,
            )
        )
    assert completed is not None
    assert completed.actor_type == "system"


async def test_finishing_early_leaves_the_rest_unanswered(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team, question_count=3, max_follow_ups=0)
    interview_id = created["session"]["id"]
    await _begin(candidate, token_of(created["candidate_url"]))
    await _answer(candidate, "q1", STRONG_ANSWER)
    finished = await candidate.post(f"{CANDIDATE_API}/finish")
    assert finished.status_code == 200
    assert finished.json()["status"] == "COMPLETED"
    assert finished.json()["ended_reason"] == "candidate_finished"
    again = await candidate.post(f"{CANDIDATE_API}/finish")
    assert again.status_code == 409
    assert (await _types(db, interview_id)).count(events.SESSION_COMPLETED) == 1
    assert await _score_jobs(db, interview_id) == 1


# --- who may call -------------------------------------------------------------------------------


async def test_without_access_the_candidate_api_is_a_401(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/now", None),
        ("POST", "/consent", {"ai_evaluation": True}),
        ("POST", "/start", None),
        ("POST", "/answers", {"question_id": "q1", "answer": "x"}),
        ("POST", "/finish", None),
    ]
    for method, path, body in calls:
        response = await candidate.request(method, f"{CANDIDATE_API}{path}", json=body)
        assert response.status_code == 401, (path, response.text)
        assert response.json()["code"] == "interview-access-required"
    forged = await candidate.get(NOW, headers={"Authorization": "Bearer not-a-real-token"})
    assert forged.status_code == 401
    # A recruiter's own session is no access to a candidate's interview.
    assert (await client.get(NOW)).status_code == 401


async def test_a_cross_site_post_with_the_cookie_is_a_403_and_changes_nothing(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(client, team)
    response = await candidate.post(
        f"{CANDIDATE_API}/access", json={"token": token_of(created["candidate_url"])}
    )
    assert response.status_code == 200
    assert "hf_interview" in candidate.cookies  # the cookie only: no bearer header

    cross = await candidate.post(
        f"{CANDIDATE_API}/consent",
        json={"ai_evaluation": True},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    other_origin = await candidate.post(
        f"{CANDIDATE_API}/consent",
        json={"ai_evaluation": True},
        headers={"Origin": "https://evil.example"},
    )
    assert other_origin.status_code == 403
    assert events.CONSENT_GIVEN not in await _types(db, created["session"]["id"])
    # The same request from the interview's own pages works.
    same = await candidate.post(
        f"{CANDIDATE_API}/consent",
        json={"ai_evaluation": True},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert same.status_code == 200
    assert same.json()["consent_given"] is True


async def test_the_access_of_a_replaced_link_stops_working(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, team: Team
) -> None:
    created = await create_via_api(client, team)
    await _open(candidate, token_of(created["candidate_url"]))
    assert (await candidate.get(NOW)).status_code == 200
    reissued = await client.post(f"{team.api}/{created['session']['id']}/link", json={})
    assert reissued.status_code == 201
    gone = await candidate.get(NOW)
    assert gone.status_code == 410


async def test_random_answers_never_give_a_5xx_and_refusals_record_nothing(
    candidate: httpx.AsyncClient, client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    rng = random.Random(5605)
    created = await create_via_api(
        client, team, question_count=20, max_follow_ups=3, coding_language="python"
    )
    now = await _begin(candidate, token_of(created["candidate_url"]))
    texts: list[Any] = ["", " ", "\x00", "nul\x00inside", "😀" * 50, "a" * 20_001, THIN_ANSWER]
    texts += [STRONG_ANSWER, "\u202e\u200b", None, 42, ["q1"], {"answer": "x"}]
    accepted = 0
    for _ in range(40):
        current = now["current_question"]
        question_id = rng.choice([current["id"] if current else "q1", "q1", "q99", "", None])
        body = {"question_id": question_id, "answer": rng.choice(texts)}
        response = await candidate.post(f"{CANDIDATE_API}/answers", json=body)
        assert response.status_code < 500, (body, response.text)
        if response.status_code == 200:
            accepted += 1
            now = response.json()
        else:
            assert response.status_code in (409, 422), (body, response.text)
    assert accepted > 0
    types = await _types(db, created["session"]["id"])
    assert types.count(events.ANSWER_SUBMITTED) == accepted
