"""Browser: an unknown address shows the HTML 404 page with the request id of the response."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.web.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


async def test_unknown_address_shows_the_404_page_with_the_request_id(
    desktop: BrowserPage,
) -> None:
    page = desktop.page
    response = await page.goto(desktop.url("/jobs/does-not-exist"))
    assert response is not None
    assert response.status == 404
    request_id = response.headers["x-request-id"]

    await expect(page.get_by_role("heading", level=1)).to_have_text("Not Found")
    await expect(page.get_by_text("Error 404")).to_be_visible()
    await expect(page.locator("code.request-id")).to_have_text(request_id)
    assert await desktop.csp_violations() == []

    await page.get_by_role("link", name="Go to the overview").click()
    await expect(page).to_have_url(desktop.url("/"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Hiring, end to end, on your own servers"
    )
