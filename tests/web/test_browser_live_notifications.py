"""Browser: live in-app notifications across web processes (issue 7's done-when). Two
`hireflow serve` processes share one database. A hiring manager is signed in on process A; a
candidate completes the manager's AI interview through process B's candidate API; the page on
A shows the new unread count and a toast without reloading, with no CSP violation."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.async_api import expect
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hireflow.config import Settings
from hireflow.db import Database
from hireflow.models import Organization, User
from tests.factories.interviews import make_session
from tests.factories.organizations import make_organization
from tests.factories.users import make_member
from tests.web.conftest import BrowserPage
from tests.web.test_browser_hiring_flow import no_csp_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CANDIDATE_API = "/api/v1/interview"


async def complete_through(base_url: str, raw_token: str) -> None:
    """The candidate's whole interview through the JSON API of the server at `base_url`:
    open the link, consent, start, finish."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as candidate:
        access = await candidate.post(f"{CANDIDATE_API}/access", json={"token": raw_token})
        assert access.status_code == 200, access.text
        bearer = {"Authorization": f"Bearer {access.json()['access_token']}"}
        consent = await candidate.post(
            f"{CANDIDATE_API}/consent", json={"ai_evaluation": True}, headers=bearer
        )
        assert consent.status_code == 200, consent.text
        started = await candidate.post(f"{CANDIDATE_API}/start", headers=bearer)
        assert started.status_code == 200, started.text
        finished = await candidate.post(f"{CANDIDATE_API}/finish", headers=bearer)
        assert finished.status_code == 200, finished.text


async def test_a_notification_made_on_b_shows_live_on_a(
    desktop: BrowserPage, second_live_server: str, engine: AsyncEngine
) -> None:
    run = uuid.uuid4().hex[:8]
    async with Database(engine).transaction() as session:  # really commits
        organization = await make_organization(session, name=f"Harbor Lights {run}")
        manager, _ = await make_member(
            session, organization, role="hiring_manager", email=f"live-{run}@example.test"
        )
        interview, raw_token = await make_session(
            session,
            organization,
            manager,
            Settings(),
            target_role=f"Platform Engineer {run}",
            candidate_name="Grace Hopper",
        )
    try:
        assert desktop.base_url != second_live_server
        csp: list[str] = []
        page = desktop.page

        # Signed in on A, a page open: the bell has no count, the live socket is up.
        await sign_in(desktop, manager.email, "/notifications")
        bell = page.locator("[data-unread-count]")
        await expect(bell).to_be_hidden()
        await expect(page.locator("body[data-live='connected']")).to_have_count(1)
        await expect(page.get_by_text("No notifications yet")).to_be_visible()
        await no_csp_violations(desktop, csp)
        url_before = page.url

        # The candidate completes the interview through B.
        await complete_through(second_live_server, raw_token)

        # A shows it without reloading: the count and a toast with the title.
        title = f"Grace Hopper completed the AI interview for Platform Engineer {run}"
        await expect(bell).to_be_visible()
        await expect(bell).to_have_text("1 unread")
        toast = page.locator("#toasts .toast").filter(has_text=title)
        await expect(toast).to_be_visible()
        assert page.url == url_before
        await expect(page.get_by_text("No notifications yet")).to_be_visible()  # not reloaded
        await no_csp_violations(desktop, csp)

        # The page, reloaded, lists it, linking to the interview.
        await page.reload()
        link = page.get_by_role("link", name=title)
        await expect(link).to_have_attribute(
            "href", f"/organizations/{organization.id}/interviews/{interview.id}"
        )
        await expect(bell).to_have_text("1 unread")
        await no_csp_violations(desktop, csp)
        assert csp == []
    finally:
        async with Database(engine).transaction() as session:  # the rest cascades
            await session.execute(
                text(
                    "DELETE FROM procrastinate_jobs WHERE task_name = 'interviews.score_session' "
                    "AND args->>'session_id' = :id"
                ),
                {"id": str(interview.id)},
            )
            await session.execute(delete(Organization).where(Organization.id == organization.id))
            await session.execute(delete(User).where(User.id == manager.id))
