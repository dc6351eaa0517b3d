"""Browser: on a phone-sized screen the navigation collapses behind a menu button, and no page
scrolls sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.web.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


async def page_overflows(page: Page) -> bool:
    overflow: bool = await page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    return overflow


async def test_navigation_collapses_behind_a_menu_button(phone: BrowserPage) -> None:
    page = phone.page
    await page.goto(phone.url("/"))
    await page.wait_for_function("window.htmx !== undefined")
    menu = page.get_by_role("button", name="Menu")
    api_link = page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="API documentation"
    )

    await expect(menu).to_be_visible()
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(api_link).to_be_hidden()

    await menu.click()
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await expect(api_link).to_be_visible()

    await page.keyboard.press("Escape")
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await expect(api_link).to_be_hidden()
    await expect(menu).to_be_focused()

    await menu.click()
    await api_link.click()
    await expect(page).to_have_url(phone.url("/api/docs"))


async def test_navigation_is_always_open_on_a_desktop(desktop: BrowserPage) -> None:
    page = desktop.page
    await page.goto(desktop.url("/"))
    await expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Main")
    await expect(nav.get_by_role("link", name="API documentation")).to_be_visible()
    await expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")


@pytest.mark.parametrize("path", ["/", "/styleguide", "/no/such/page"])
async def test_pages_fit_the_phone_width(phone: BrowserPage, path: str) -> None:
    await phone.page.goto(phone.url(path))
    await expect(phone.page.get_by_role("heading", level=1)).to_be_visible()
    assert not await page_overflows(phone.page)


async def test_wide_table_scrolls_inside_its_own_box(phone: BrowserPage) -> None:
    page = phone.page
    await page.goto(phone.url("/styleguide"))
    table_box = page.get_by_role("region", name="Candidates for Senior backend engineer")
    await expect(table_box).to_be_visible()
    scrolls: bool = await table_box.evaluate("e => e.scrollWidth > e.clientWidth")
    assert scrolls
    assert not await page_overflows(page)


async def test_error_toast_fits_the_phone_screen(phone: BrowserPage) -> None:
    page = phone.page
    await page.goto(phone.url("/styleguide"))
    await page.wait_for_function("window.htmx !== undefined")
    await page.get_by_role("button", name="Show an error toast").click()
    toast = page.locator("#toasts .toast-error")
    await expect(toast).to_be_visible()
    box = await toast.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= 390
    await toast.get_by_role("button", name="Dismiss notification").click()
    await expect(toast).to_have_count(0)
