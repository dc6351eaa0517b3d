"""Browser: the question library and a job's interview kit (issue 6's done-when). A hiring
manager drafts questions from a job description, reviews and approves them, builds the job's
kit from them and approves it (sending an interview before that is refused); an approved item
then gets a new draft wording, and a candidate's AI interview for the job asks exactly the kit's
approved questions — never the draft.

The server runs in its own process, so the set-up data is committed and names are unique."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.db import Database
from hireflow.models import InterviewKit, LibraryItem, LibraryItemVersion
from tests.factories.jobs import make_job
from tests.web.conftest import DESKTOP, BrowserPage, open_page
from tests.web.test_browser_hiring_flow import hiring_manager, no_csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

JOB_DESCRIPTION = (
    "We are hiring a backend engineer to build payment services in Python on PostgreSQL, "
    "with Kubernetes in production. You will own services end to end, review code and mentor."
)
ANSWER = (
    "In my last role I owned a Python payments service on PostgreSQL: I profiled the slow "
    "queries, added the right indexes and batched the writes, which took p99 from 480 ms to "
    "95 ms, and I wrote the runbook the on-call team still uses."
)


async def approved_prompts(engine: AsyncEngine, organization_id: uuid.UUID) -> list[str]:
    async with Database(engine).transaction() as session:
        rows = await session.execute(
            select(LibraryItemVersion.content)
            .join(LibraryItem, LibraryItem.approved_version_id == LibraryItemVersion.id)
            .where(LibraryItem.organization_id == organization_id)
        )
        return [content["prompt"] for (content,) in rows]


async def answer_everything(page: Page, seen: list[str]) -> None:
    for _ in range(10):
        if not await page.locator("textarea#answer").count():
            return
        seen.append((await page.locator(".interview-prompt").inner_text()).strip())
        await page.locator("textarea#answer").fill(ANSWER)
        await page.get_by_role("button", name="Submit answer").click()


async def test_draft_review_approve_build_kit_and_interview_with_approved_content_only(
    desktop: BrowserPage, browser: Browser, live_server: str, engine: AsyncEngine
) -> None:
    run = uuid.uuid4().hex[:8]
    organization, manager = await hiring_manager(engine, run)
    async with Database(engine).transaction() as session:
        job = await make_job(
            session, organization, title=f"Payments Engineer {run}", skills=["Python"]
        )
    org = f"/organizations/{organization.id}"
    csp: list[str] = []
    page = desktop.page

    # Draft two questions from the job description: they wait for review, marked AI-generated.
    await sign_in(desktop, manager, f"{org}/library/drafts")
    await page.get_by_label("Job description").fill(JOB_DESCRIPTION)
    await page.get_by_label("Role").fill("Backend engineer")
    await page.get_by_label("Number of questions").fill("2")
    await page.get_by_role("button", name="Draft questions").click()
    await expect(page).to_have_url(re.compile(f"{org}/library/review"))
    await expect(page.get_by_text("AI-generated").first).to_be_visible()
    await no_csp_violations(desktop, csp)

    # Review: approve both.
    for _ in range(2):
        await page.get_by_role("button", name=re.compile("^Approve")).first.click()
        await expect(page).to_have_url(re.compile(f"{org}/library/review"))
    await expect(page.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    prompts = await approved_prompts(engine, organization.id)
    assert len(prompts) == 2

    # The job's kit: one section with both items, no follow-ups.
    await page.goto(desktop.url(f"{org}/jobs/{job.id}"))
    await page.get_by_role("link", name="Interview kit").click()
    await page.get_by_label("Title").fill("Core")
    await page.get_by_label("Minutes").fill("20")
    await page.get_by_role("button", name="Add section").click()
    chosen: list[str] = []
    for _ in range(2):
        picker = page.get_by_label("Add an approved item")
        options = await picker.locator("option[value]:not([value=''])").all_inner_texts()
        choice = next(o for o in options if o not in chosen)
        chosen.append(choice)
        await picker.select_option(label=choice)
        await page.get_by_role("button", name="Add", exact=True).click()
    await page.get_by_label("Follow-up questions the AI may ask").select_option("0")
    await page.get_by_role("button", name="Save", exact=True).click()
    await no_csp_violations(desktop, csp)

    # Before approval no interview can be sent for the job.
    await page.goto(desktop.url(f"{org}/interviews/new?job_id={job.id}"))
    await page.get_by_role("button", name="Create interview and link").click()
    await expect(page.get_by_text(re.compile("kit", re.IGNORECASE)).first).to_be_visible()
    await expect(page.locator("#candidate-link")).to_have_count(0)

    # Approve the kit; its preview shows the approved wording.
    await page.goto(desktop.url(f"{org}/jobs/{job.id}/kit"))
    await page.get_by_role("button", name="Approve kit").click()
    async with Database(engine).transaction() as session:
        kit = await session.scalar(select(InterviewKit).where(InterviewKit.job_id == job.id))
        assert kit is not None
        assert kit.status == "approved"
    await page.get_by_role("link", name="Preview as the candidate").click()
    for prompt in prompts:
        await expect(page.get_by_text(prompt[:60]).first).to_be_visible()
    await no_csp_violations(desktop, csp)

    # A new draft wording of an approved item stays out of live interviews.
    async with Database(engine).transaction() as session:
        item = await session.scalar(
            select(LibraryItem).where(LibraryItem.organization_id == organization.id).limit(1)
        )
        assert item is not None
    draft_wording = f"DRAFT WORDING {run}: describe your favourite colour."
    await page.goto(desktop.url(f"{org}/library/items/{item.id}/edit"))
    await page.locator("textarea[name=prompt]").fill(draft_wording)
    await page.get_by_role("button", name=re.compile("^Save")).click()
    await expect(page).to_have_url(re.compile(f"{org}/library/items/{item.id}"))

    # The interview for the job: only the kit's approved questions, in the kit's order.
    await page.goto(desktop.url(f"{org}/interviews/new?job_id={job.id}"))
    await page.get_by_role("button", name="Create interview and link").click()
    link = await page.locator("#candidate-link").input_value()
    candidate = await open_page(browser, live_server, DESKTOP)
    seen: list[str] = []
    try:
        await candidate.page.goto(link)
        await candidate.page.get_by_label(re.compile("AI assistance")).check()
        await candidate.page.get_by_role("button", name="Start the interview").click()
        await answer_everything(candidate.page, seen)
        await expect(candidate.page.get_by_role("heading", name="Thank you")).to_be_visible()
        await no_csp_violations(candidate, csp)
    finally:
        await candidate.page.context.close()
    assert sorted(seen) == sorted(p.strip() for p in prompts)
    assert all(draft_wording not in s for s in seen)
    assert csp == []
