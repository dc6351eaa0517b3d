"""Browser: a visitor finds a job on an organization's careers page and applies with a PDF
resume; the form's refusals (no consent) keep what was typed."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.async_api import expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.db import Database
from hireflow.models import Application, Candidate
from tests.careers.helpers import pdf_bytes
from tests.factories.jobs import make_job
from tests.factories.organizations import make_organization
from tests.web.conftest import BrowserPage, browser, desktop, live_server

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
__all__ = ["browser", "desktop", "live_server"]  # fixtures shared with tests/web


async def test_apply_through_the_careers_page(
    desktop: BrowserPage, engine: AsyncEngine, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    database = Database(engine)  # really commits: the server runs in another process
    async with database.transaction() as session:
        organization = await make_organization(session, name=f"Browser Careers {run}")
        await make_job(session, organization, title="Lighthouse keeper", location="Brest")
    resume = tmp_path / "resume.pdf"
    resume.write_bytes(pdf_bytes("Ada Keeper", "Fresnel lenses"))
    page = desktop.page

    await page.goto(desktop.url(f"/careers/{organization.slug}"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Open positions at {organization.name}"
    )
    await page.get_by_role("link", name="Lighthouse keeper").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Lighthouse keeper")

    await page.get_by_label("Full name").fill("Ada Keeper")
    await page.get_by_label("Email address").fill(f"ada-{run}@example.test")
    await page.locator('input[name="resume"]').set_input_files(str(resume))
    await page.get_by_role("button", name="Send application").click()
    # Without the required consent the form comes back, with what was typed.
    await expect(page.locator(".field-error", has_text="Tick the box")).to_be_visible()
    await expect(page.get_by_label("Full name")).to_have_value("Ada Keeper")

    await page.locator('input[name="resume"]').set_input_files(str(resume))
    await page.locator("#consent-application_processing").check()
    await page.get_by_role("button", name="Send application").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Application sent")
    await page.screenshot(path=tmp_path / "applied.png", full_page=True)

    assert await desktop.csp_violations() == []
    # The refused form's 422 is the only error the browser reports.
    assert [e for e in desktop.console_errors() if "status of 422" not in e] == []
    async with database.transaction() as session:
        candidate = await session.scalar(
            select(Candidate).where(Candidate.organization_id == organization.id)
        )
        assert candidate is not None
        applications = list(
            await session.scalars(
                select(Application).where(Application.candidate_id == candidate.id)
            )
        )
    assert "Fresnel" in candidate.resume_text
    assert len(applications) == 1
