"""Browser: the home page opens cleanly: its heading, its stylesheet and script, and nothing
blocked by the Content-Security-Policy or reported to the console."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.web.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


async def test_home_page_opens_without_console_errors_or_csp_violations(
    desktop: BrowserPage,
) -> None:
    page = desktop.page
    response = await page.goto(desktop.url("/"), wait_until="load")
    assert response is not None
    assert response.status == 200

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hiring, end to end, on your own servers"
    )
    await expect(page).to_have_title("hireflow · self-hosted hiring platform")
    # The bundle ran (htmx is loaded) and the stylesheet applied (the top bar sticks).
    await page.wait_for_function("window.htmx !== undefined")
    assert await page.locator(".topbar").evaluate("e => getComputedStyle(e).position") == "sticky"
    await expect(page.get_by_role("link", name="Explore the API")).to_have_attribute(
        "href", "/api/docs"
    )
    await expect(page.get_by_role("link", name="Check service health")).to_have_attribute(
        "href", "/healthz"
    )

    assert desktop.console_errors() == []
    assert await desktop.csp_violations() == []


async def test_skip_link_moves_focus_to_the_content(desktop: BrowserPage) -> None:
    page = desktop.page
    await page.goto(desktop.url("/"))
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    await page.keyboard.press("Enter")
    await expect(page.locator("main#main")).to_be_focused()
