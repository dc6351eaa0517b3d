"""AI interviews and kits: no invitation before the kit is approved; a session for a job with
an approved kit asks exactly the kit's pinned approved versions; coding answers to library
challenges are scored with the sandbox's test results."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from hireflow.ai_interviews import events
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.errors import Conflict
from hireflow.models import CodeRun, InterviewSession, LibraryItem
from tests.factories.interviews import (
    Team as InterviewTeam,
)
from tests.factories.interviews import (
    as_events,
    create_via_api,
    make_session,
    run_interview,
    stored_events,
)
from tests.factories.jobs import make_job
from tests.factories.kits import add_draft, make_item, make_kit, question_content
from tests.kits.conftest import Team

SOLUTION = "def add(a, b):\n    return a + b\n"
HALF_RIGHT = "def add(a, b):\n    return 3 if a == 1 else 0\n"


async def test_no_session_while_the_kit_is_a_draft(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        await make_kit(session, team.job, [("Main", 20, team.items[:2])])
        with pytest.raises(Conflict) as refused:
            await make_session(session, team.organization, team.owner, job_id=team.job.id)
        assert refused.value.code == "kit-not-approved"
    interview_team = InterviewTeam(team.organization, team.owner)
    response = await client.post(
        interview_team.api,
        json={"target_role": "Backend Engineer", "job_id": str(team.job.id)},
        headers={"Idempotency-Key": "6f0c7a52-8f39-4d7e-9a0e-0c7d2f1f0a11"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "kit-not-approved"
    assert "cannot go out before it is approved" in response.json()["detail"]
    async with db.transaction() as session:
        assert (await session.scalars(select(InterviewSession))).first() is None


async def test_a_job_without_a_kit_still_gets_generated_questions(
    client: httpx.AsyncClient, db: Database, team: Team
) -> None:
    created = await create_via_api(
        client, InterviewTeam(team.organization, team.owner), job_id=str(team.job.id)
    )
    assert created["session"]["question_count"] == 3


async def test_an_approved_kit_sets_the_session_and_only_its_approved_wording_is_asked(
    db: Database, team: Team
) -> None:
    q1, q2, _ = team.items
    settings = Settings()
    async with db.transaction() as session:
        await make_kit(
            session,
            team.job,
            [("Warm-up", 3, [q2]), ("Depth", 4, [q1])],
            follow_ups=0,
            approved=True,
        )
        # After approval, q1 gets a new draft version: the session must not ask it.
        item = await session.get(LibraryItem, q1.id)
        assert item is not None
        await add_draft(session, item, question_content("DRAFT WORDING never approved"))
        interview, token = await make_session(
            session, team.organization, team.owner, job_id=team.job.id, question_count=9
        )
        assert interview.question_count == 2
        assert interview.max_follow_ups == 0
        assert interview.duration_minutes == 7
        interview = await run_interview(session, token, settings)
        questions = interview.state["questions"]
        assert [q["id"] for q in questions] == ["q1", "q2"]
        assert [q["prompt"] for q in questions] == [
            "How would you approach: A production incident?",
            "How would you approach: Scaling a read-heavy API?",
        ]
        assert all(
            q["source"].startswith(f"library:{i.id}")
            for q, i in zip(questions, [q2, q1], strict=True)
        )
        assert interview.state["model"] == "interview-kit"
        assert "DRAFT WORDING" not in str(interview.state)
        assert interview.state["scoring"]["status"] == "done"
        # The events still fold to the stored projection (questions are in the payload).
        rows = await stored_events(session, interview.id)
        assert events.fold(as_events(rows)) == (interview.status, interview.state)


async def test_the_kit_is_pinned_when_the_invitation_goes_out(db: Database, team: Team) -> None:
    q1, q2, _ = team.items
    async with db.transaction() as session:
        kit = await make_kit(session, team.job, [("Main", 10, [q1])], approved=True)
        interview, token = await make_session(
            session, team.organization, team.owner, job_id=team.job.id
        )
        # The kit changes (back to draft) after the invitation went out.
        kit.sections = [{"title": "Main", "minutes": 10, "item_ids": [str(q2.id)]}]
        kit.status = "draft"
        kit.approved_versions = {}
        await session.flush()
        interview = await run_interview(session, token, Settings(), score=False)
        [question] = [q for q in interview.state["questions"] if not q.get("follow_up_of")]
        assert question["prompt"] == "How would you approach: Scaling a read-heavy API?"


def _sandbox_ready() -> tuple[bool, str]:
    try:
        from hireflow import sandbox
    except ImportError as exc:  # the sandbox is built alongside
        return False, f"hireflow.sandbox is not importable: {exc}"
    if not hasattr(sandbox, "availability"):
        return False, "hireflow.sandbox has no availability()"
    ok, why = sandbox.availability("python")
    return bool(ok), str(why)


@pytest.mark.parametrize(("code", "passed"), [(SOLUTION, 3), (HALF_RIGHT, 1)])
async def test_a_coding_answer_is_scored_with_the_challenges_tests(
    db: Database, team: Team, code: str, passed: int
) -> None:
    ready, why = _sandbox_ready()
    if not ready:
        pytest.skip(f"code runs are unavailable here: {why}")
    _, _, challenge = team.items
    async with db.transaction() as session:
        await make_kit(session, team.job, [("Code", 20, [challenge])], approved=True)
        interview, token = await make_session(
            session, team.organization, team.owner, job_id=team.job.id
        )
        assert interview.coding_language == "python"
        interview = await run_interview(session, token, Settings(), answers=[code])
        [run] = list(await session.scalars(select(CodeRun)))
        assert (run.session_id, run.question_id) == (interview.id, "q1")
        assert (run.passed, run.total) == (passed, 3)
        [score] = interview.state["scoring"]["questions"]
        assert f"{passed} of 3 tests passed" in score["reason"]
        if passed == 3:
            assert score["score"] >= 60
        else:
            assert score["score"] < 60


async def test_a_coding_answer_is_scored_on_the_rubric_when_there_are_no_kit_tests(
    db: Database, team: Team
) -> None:
    async with db.transaction() as session:
        job = await make_job(session, team.organization, title="Other")
        challenge = await make_item(
            session,
            team.organization,
            title="No tests",
            kind="challenge",
            content={"statement": "Write add.", "languages": ["python"], "tests": []},
        )
        await make_kit(session, job, [("Code", 10, [challenge])], approved=True)
        interview, token = await make_session(session, team.organization, team.owner, job_id=job.id)
        interview = await run_interview(session, token, Settings(), answers=[SOLUTION])
        assert list(await session.scalars(select(CodeRun))) == []
        [score] = interview.state["scoring"]["questions"]
        assert "tests passed" not in score["reason"]
