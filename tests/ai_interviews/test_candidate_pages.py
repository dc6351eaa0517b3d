"""The candidate's AI interview pages: the invitation link becomes the access cookie (and leaves
the address bar), the landing page with the evaluation choice, questions one at a time (a code
editor for coding questions), resuming with the same link, a second tab's stale answer, finishing,
and the pages for links that do not work. No page ever shows the recruiter's notes or the
rubrics."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hireflow.ai_interviews import service
from hireflow.audit.service import SYSTEM
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import InterviewSession, Organization, User
from tests.factories.interviews import STRONG_ANSWER, candidate_client, ctx_for, make_session
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.web.test_pages import HTML, assert_html

NOTES_MARKER = "RECRUITER-ONLY-7F3A9C"
JOIN = "/interview/join?token="


@dataclass
class Setup:
    org: Organization
    owner: User
    settings: Settings


@pytest.fixture
async def setup(db: Database, test_settings: Settings) -> Setup:
    async with db.transaction() as session:
        org = await make_organization(session, name="Acme Robotics")
        owner, _ = await make_member(session, org, role="owner")
    return Setup(org, owner, test_settings)


async def _new_session(db: Database, setup: Setup, **fields: Any) -> tuple[InterviewSession, str]:
    fields = {"recruiter_notes": NOTES_MARKER, "target_role": "Platform Engineer", **fields}
    async with db.transaction() as session:
        return await make_session(session, setup.org, setup.owner, setup.settings, **fields)


async def _stored(db: Database, interview: InterviewSession) -> InterviewSession:
    async with db.transaction() as session:
        stored = await session.get_one(InterviewSession, interview.id, populate_existing=True)
        session.expunge(stored)
        return stored


async def _current_question(db: Database, interview: InterviewSession) -> dict[str, Any] | None:
    stored = await _stored(db, interview)
    index = stored.state["current"]
    return None if index is None else dict(stored.state["questions"][index])


async def _join(candidate: httpx.AsyncClient, token: str) -> httpx.Response:
    response = await candidate.get(JOIN + token, headers=HTML)
    assert response.status_code == 303, response.text
    return response


def _recruiter_only(state: dict[str, Any]) -> list[str]:
    """Texts only the recruiter may see: each rubric criterion's key and description, and its
    multi-word indicators, leaving out any that the questions themselves happen to contain
    (a key such as "approach" can be a word of a prompt)."""
    visible = " ".join(
        f"{q['prompt']} {q.get('starter_code') or ''}" for q in state["questions"]
    ).lower()
    found: list[str] = []
    for question in state["questions"]:
        for criterion in question["rubric"]:
            texts = [criterion["key"], criterion["description"]]
            texts += [i for i in criterion.get("indicators", []) if len(i.split()) >= 3]
            found += [t for t in texts if t.lower() not in visible]
    return found


# --- the link -------------------------------------------------------------------------------------


async def test_the_link_sets_the_access_cookie_and_leaves_the_address_bar(
    app: FastAPI, db: Database, setup: Setup
) -> None:
    interview, token = await _new_session(db, setup)
    async with candidate_client(app) as candidate:
        response = await _join(candidate, token)
        assert response.headers["location"] == "/interview"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("hf_interview=")
        assert "httponly" in cookie.lower()
        assert "samesite=lax" in cookie.lower()
        assert token not in cookie
        landing = await candidate.get("/interview", headers=HTML)
    page = assert_html(landing)
    assert not page.csp_offences
    assert landing.headers["cache-control"] == "no-store"
    assert page.h1 == ["Your interview for Platform Engineer"]
    text = landing.text
    assert "Acme Robotics" in text
    assert "About 3 questions" in text
    assert "30 minutes" in text
    assert "come back with the same link" in text
    assert "hiring team" in text
    assert "people at Acme Robotics decide" in text
    assert 'name="evaluation" value="ai"' in text
    assert "Evaluate my answers with AI assistance" in text
    assert "I'd like a person to review my answers instead" in text
    assert "Start the interview" in text
    assert 'action="/interview/start"' in text
    # No organization navigation on the candidate's pages: only the way back here.
    assert "/organizations/" not in text
    assert '<a href="/interview" aria-current="page">Your interview</a>' in text
    assert (await _stored(db, interview)).status == "NOT_STARTED"


async def test_an_invalid_link_explains_what_to_do(app: FastAPI) -> None:
    async with candidate_client(app) as candidate:
        response = await candidate.get(JOIN + "not-a-real-token-at-all", headers=HTML)
        nothing = await candidate.get("/interview/join", headers=HTML)
    page = assert_html(response, 404)
    assert not page.csp_offences
    assert page.h1 == ["This interview link is not valid"]
    assert "ask the person who invited you for a new link" in response.text
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers
    assert_html(nothing, 404)


async def test_a_cancelled_interview_answers_410_with_an_explanation(
    app: FastAPI, db: Database, setup: Setup
) -> None:
    interview, token = await _new_session(db, setup)
    async with candidate_client(app) as candidate:
        await _join(candidate, token)
        async with db.transaction() as session:
            ctx = await ctx_for(session, setup.org, setup.owner)
            await service.cancel_session(session, ctx, interview.id, "Filled", origin=SYSTEM)
        by_cookie = await candidate.get("/interview", headers=HTML)
        by_link = await candidate.get(JOIN + token, headers=HTML)
    for response in (by_cookie, by_link):
        page = assert_html(response, 410)
        assert "cancelled" in response.text
        assert "Filled" not in response.text  # the recruiter's reason is theirs
        assert NOTES_MARKER not in response.text
        assert page.h1 == ["This interview link no longer works"]


async def test_without_the_cookie_the_page_says_to_open_the_link(app: FastAPI) -> None:
    async with candidate_client(app) as candidate:
        response = await candidate.get("/interview", headers=HTML)
        posted = await candidate.post("/interview/start", data={"evaluation": "ai"}, headers=HTML)
    for answer in (response, posted):
        assert_html(answer, 401)
        assert "Open the interview link from your invitation" in answer.text


# --- the interview --------------------------------------------------------------------------------


async def test_a_whole_interview_through_the_pages(
    app: FastAPI, db: Database, setup: Setup
) -> None:
    interview, token = await _new_session(db, setup, coding_language="python", max_follow_ups=0)
    collected: list[httpx.Response] = []
    async with candidate_client(app, collected) as candidate:
        await _join(candidate, token)
        no_choice = await candidate.post("/interview/start", data={}, headers=HTML)
        assert_html(no_choice, 422)
        assert "Choose how your answers are evaluated" in no_choice.text
        assert (await _stored(db, interview)).status == "NOT_STARTED"

        started = await candidate.post("/interview/start", data={"evaluation": "ai"}, headers=HTML)
        assert started.status_code == 303
        assert started.headers["location"] == "/interview"
        stored = await _stored(db, interview)
        assert stored.status == "IN_PROGRESS"
        assert stored.state["consent"]["ai_evaluation"] is True

        seen_coding = False
        for number in range(1, 4):
            question = await _current_question(db, interview)
            assert question is not None
            page_response = await candidate.get("/interview", headers=HTML)
            page = assert_html(page_response)
            assert not page.csp_offences
            assert page.h1 == [f"Question {number} of 3"]
            text = page_response.text
            assert question["prompt"] in html.unescape(text)
            assert f"{number - 1} of 3 answered" in text
            assert re.search(r'data-countdown="\d+"', text)
            assert re.search(r"About \d+ minutes? left", text)
            assert f'name="question_id" value="{question["id"]}"' in text
            key = re.search(
                r'data-draft-key="(hf-interview:[0-9a-f]+:' + question["id"] + ')"', text
            )
            assert key is not None
            assert str(interview.id) not in text
            assert 'action="/interview/finish"' in text
            assert "data-confirm=" in text
            if question["kind"] == "coding":
                seen_coding = True
                assert "data-code-editor" in text
                assert f">{question['starter_code']}</textarea>" in html.unescape(text)
                answer = "def normalize_tags(tags):\n    return []\n"
            else:
                assert "data-code-editor" not in text
                answer = STRONG_ANSWER
            if number == 1:
                too_long = await candidate.post(
                    "/interview/answer",
                    data={"question_id": question["id"], "answer": "word " * 5000},
                    headers=HTML,
                )
                assert_html(too_long, 422)
                assert "Answers are limited to 20,000 characters" in too_long.text
                assert "word word word" in too_long.text  # what was typed is kept
                assert (await _current_question(db, interview)) == question
            sent = await candidate.post(
                "/interview/answer",
                data={"question_id": question["id"], "answer": answer},
                headers=HTML,
            )
            assert sent.status_code == 303
            assert sent.headers["location"] == "/interview"
        assert seen_coding

        done = await candidate.get("/interview", headers=HTML)
        page = assert_html(done)
        assert page.h1 == ["Thank you"]
        assert "reviews your answers" in done.text
        stored = await _stored(db, interview)
        assert stored.status == "COMPLETED"
        assert stored.state["answers"][stored.state["questions"][0]["id"]]["text"] == STRONG_ANSWER

    # Never the recruiter's notes, a rubric, a score or a competency, on any page.
    forbidden = [NOTES_MARKER, *_recruiter_only(stored.state)]
    competencies = {q["competency"] for q in stored.state["questions"]}
    assert len(collected) > 10
    for response in collected:
        body = html.unescape(response.text.split("<body", 1)[-1])
        for text in forbidden:
            assert text not in body, (response.url, text)
        lowered = body.lower()
        for word in ("rubric", "indicator", "competenc", "score"):
            assert word not in lowered, (response.url, word)
        for competency in competencies:  # no competency label (the recruiter's badges)
            assert f">{competency}<" not in body, (response.url, competency)


async def test_resuming_with_the_link_and_a_stale_second_tab(
    app: FastAPI, db: Database, setup: Setup
) -> None:
    interview, token = await _new_session(db, setup, max_follow_ups=0)
    async with candidate_client(app) as first_tab, candidate_client(app) as second_tab:
        await _join(first_tab, token)
        await first_tab.post("/interview/start", data={"evaluation": "human"}, headers=HTML)
        question = await _current_question(db, interview)
        assert question is not None
        # Another browser (or the same one later) opens the same link: the same question.
        await _join(second_tab, token)
        resumed = await second_tab.get("/interview", headers=HTML)
        assert_html(resumed)
        assert f'name="question_id" value="{question["id"]}"' in resumed.text
        # The first tab answers; the second sends its answer to the same question.
        sent = await first_tab.post(
            "/interview/answer",
            data={"question_id": question["id"], "answer": STRONG_ANSWER},
            headers=HTML,
        )
        assert sent.status_code == 303
        stale = await second_tab.post(
            "/interview/answer",
            data={"question_id": question["id"], "answer": "Another text"},
            headers=HTML,
        )
        assert stale.status_code == 303
        assert stale.headers["location"] == "/interview?notice=interview-answered-elsewhere"
        shown = await second_tab.get(stale.headers["location"], headers=HTML)
        assert_html(shown)
        assert (
            "This question was already answered in another tab — here is the next one" in shown.text
        )
        following = await _current_question(db, interview)
        assert following is not None
        assert following["id"] != question["id"]
        assert f'name="question_id" value="{following["id"]}"' in shown.text
        stored = await _stored(db, interview)
        assert stored.state["answers"][question["id"]]["text"] == STRONG_ANSWER
        assert stored.state["consent"]["ai_evaluation"] is False

        # Finish now: the interview ends with what was answered.
        finished = await second_tab.post("/interview/finish", headers=HTML)
        assert finished.status_code == 303
        thanks = await first_tab.get("/interview", headers=HTML)
        assert assert_html(thanks).h1 == ["Thank you"]
        assert "a person reviews them without AI evaluation" in thanks.text
        late = await first_tab.post(
            "/interview/answer",
            data={"question_id": following["id"], "answer": "Too late"},
            headers=HTML,
        )
        assert late.headers["location"] == "/interview?notice=interview-closed"
    stored = await _stored(db, interview)
    assert stored.status == "COMPLETED"
    assert stored.state["end_reason"] == "candidate_finished"
    assert following["id"] not in stored.state["answers"]


async def test_a_post_from_another_site_is_refused(
    app: FastAPI, db: Database, setup: Setup
) -> None:
    interview, token = await _new_session(db, setup)
    async with candidate_client(app) as candidate:
        await _join(candidate, token)
        refused = await candidate.post(
            "/interview/start",
            data={"evaluation": "ai"},
            headers={**HTML, "sec-fetch-site": "cross-site"},
        )
    assert_html(refused, 403)
    stored = await _stored(db, interview)
    assert stored.status == "NOT_STARTED"
    assert stored.state["consent"] is None
