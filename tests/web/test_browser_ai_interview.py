"""Browser: an AI interview as new users meet it (issue 5's done-when). A hiring manager
configures a session from a job and copies its link; a candidate, in another browser context,
opens it, consents, answers, closes the browser in the middle, opens the link again and resumes
exactly there, answers the coding question in the code editor and completes; the manager then
reads the scores with their reasons and quotes, and overrides one with a reason.

The server runs with no worker (tests/web/conftest.py), so the scoring job is run here, by the
same service function the worker's task calls."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.ai_interviews import service
from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import InterviewEvent, InterviewSession
from tests.factories.jobs import make_job
from tests.web.conftest import DESKTOP, PHONE, BrowserPage, open_page
from tests.web.test_browser_hiring_flow import hiring_manager, no_csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ANSWER = (
    "In my last role I owned the payments API in Python and PostgreSQL. I measured p99 latency, "
    "found an N+1 query with EXPLAIN ANALYZE, added an index and batched the reads, which cut "
    "latency from 480 ms to 95 ms. I wrote tests first, reviewed the change with the team and "
    "shipped it behind a flag; the result was 30% fewer timeouts and a calmer on-call rota."
)
CODE = "def solve(items):\n    if not items:\n        return []\n    return sorted(set(items))\n"


async def current_prompt(page: Page) -> str:
    return (await page.locator(".interview-prompt").inner_text()).strip()


async def answer_current(page: Page) -> None:
    editor = page.locator("textarea#answer")
    if await editor.get_attribute("data-language"):
        await editor.fill(CODE)
    else:
        await editor.fill(ANSWER)
    await page.get_by_role("button", name="Submit answer").click()


async def test_configure_share_complete_with_a_break_and_read_scores(
    desktop: BrowserPage, browser: Browser, live_server: str, engine: AsyncEngine
) -> None:
    run = uuid.uuid4().hex[:8]
    marker = f"internal-marker-{run}"
    organization, manager = await hiring_manager(engine, run)
    async with Database(engine).transaction() as session:
        job = await make_job(
            session,
            organization,
            title=f"Backend Engineer {run}",
            skills=["Python", "PostgreSQL"],
            description_html="<p>We build payment services in Python on PostgreSQL.</p>",
        )
    org = f"/organizations/{organization.id}"
    csp: list[str] = []
    recruiter = desktop.page

    # The recruiter configures a session from the job and copies the link.
    await sign_in(desktop, manager, f"{org}/jobs/{job.id}")
    await recruiter.get_by_role("link", name="Start AI interview").click()
    await expect(recruiter.get_by_label("Target role")).to_have_value(f"Backend Engineer {run}")
    await recruiter.get_by_label("Number of questions").fill("3")
    await recruiter.get_by_label("Coding question").select_option("python")
    await recruiter.get_by_label(re.compile("Recruiter notes")).fill(marker)
    await no_csp_violations(desktop, csp)
    await recruiter.get_by_role("button", name="Create interview and link").click()
    link_input = recruiter.locator("#candidate-link")
    await expect(link_input).to_have_value(re.compile(r"/interview/join\?token=[\w-]{40,}$"))
    link = await link_input.input_value()
    await recruiter.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await recruiter.get_by_role("button", name="Copy link").click()
    assert await recruiter.evaluate("navigator.clipboard.readText()") == link
    await no_csp_violations(desktop, csp)

    # The candidate, in a browser of their own (a phone), starts and answers one question.
    candidate = await open_page(browser, live_server, PHONE)
    seen_by_candidate: list[str] = []
    try:
        page = candidate.page
        await page.goto(link)
        await expect(page).to_have_url(candidate.url("/interview"))  # the token left the bar
        await expect(page.get_by_role("heading", level=1)).to_contain_text(
            f"Backend Engineer {run}"
        )
        await expect(page.get_by_text(organization.name).first).to_be_visible()
        seen_by_candidate.append(await page.content())
        await page.get_by_label(re.compile("AI assistance")).check()
        await page.get_by_role("button", name="Start the interview").click()
        await expect(page.locator(".interview-prompt")).to_be_visible()
        seen_by_candidate.append(await page.content())
        await answer_current(page)
        await expect(page.locator(".interview-prompt")).to_be_visible()
        where_we_left = await current_prompt(page)
        await page.locator("textarea#answer").fill("half an answer, not sent")
        await no_csp_violations(candidate, csp)
    finally:
        await candidate.page.context.close()  # the candidate closes the browser

    # Later, a fresh browser: the same link resumes exactly at the same question.
    candidate = await open_page(browser, live_server, DESKTOP)
    try:
        page = candidate.page
        await page.goto(link)
        await expect(page).to_have_url(candidate.url("/interview"))
        assert await current_prompt(page) == where_we_left
        for _ in range(12):  # the planned questions, their follow-ups and the coding question
            if not await page.locator("textarea#answer").count():
                break
            seen_by_candidate.append(await page.content())
            await answer_current(page)
        await expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        seen_by_candidate.append(await page.content())
        await no_csp_violations(candidate, csp)
    finally:
        await candidate.page.context.close()
    assert not any(marker in html for html in seen_by_candidate)
    assert not any("rubric" in html.lower() for html in seen_by_candidate)

    # The worker's job: score the completed session.
    async with Database(engine).transaction() as session:
        interview = await session.scalar(
            select(InterviewSession).where(InterviewSession.organization_id == organization.id)
        )
        assert interview is not None
        assert interview.status == "COMPLETED"
        assert any(q["kind"] == "coding" for q in interview.state["questions"])
        await service.score_session(session, interview.id, Settings())
    async with Database(engine).transaction() as session:
        types = list(
            await session.scalars(
                select(InterviewEvent.type)
                .where(InterviewEvent.session_id == interview.id)
                .order_by(InterviewEvent.seq)
            )
        )
    assert types[:3] == ["SESSION_CREATED", "SESSION_CONFIGURED", "INVITE_ISSUED"]
    assert types.count("LINK_OPENED") == 1
    assert types[-1] == "SCORING_COMPLETED"
    assert "QUESTIONS_GENERATED" in types
    assert "SESSION_COMPLETED" in types

    # The recruiter reads scores with their reasons and quotes, and overrides one.
    await recruiter.goto(desktop.url(f"{org}/interviews"))
    await recruiter.get_by_role("link", name=re.compile(f"Backend Engineer {run}")).first.click()
    await expect(recruiter).to_have_url(re.compile(f"{org}/interviews/{UUID}$"))
    await expect(recruiter.get_by_text(marker)).to_be_visible()  # notes: recruiter only
    reasons = recruiter.locator(".score-reason")
    await expect(reasons.first).to_be_visible()
    assert await reasons.count() >= 3
    quotes = [q.strip() for q in await recruiter.locator("blockquote").all_inner_texts()]
    assert quotes
    assert all(q.strip('"“”') in ANSWER + CODE for q in quotes)
    override = recruiter.locator("form.override-form").first
    await override.get_by_label("Score").fill("55")
    await override.get_by_label("Reason").fill("Strong example, but the trade-offs were thin")
    await override.get_by_role("button", name=re.compile("Override")).click()
    await expect(
        recruiter.get_by_text("Strong example, but the trade-offs were thin")
    ).to_be_visible()
    await no_csp_violations(desktop, csp)
    assert csp == []
