"""Browser: failed htmx requests end as toasts in #toasts, which the user can dismiss; the page
they came from stays as it was."""

from __future__ import annotations

import pytest
from playwright.async_api import Route, expect

from hireflow.web.pages import STYLEGUIDE_FAILURE
from tests.web.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


async def open_styleguide(opened: BrowserPage) -> None:
    await opened.page.goto(opened.url("/styleguide"))
    await opened.page.wait_for_function("window.htmx !== undefined")


async def test_failing_form_shows_an_error_toast_that_can_be_dismissed(
    desktop: BrowserPage,
) -> None:
    page = desktop.page
    await open_styleguide(desktop)
    form = page.locator("#styleguide-form")
    await form.get_by_label("Candidate name").fill("Grace Hopper")

    async with page.expect_response("**/styleguide/fail") as answer:
        await form.get_by_role("button", name="Send invitation").click()
    response = await answer.value
    assert response.status == 422

    toast = page.locator("#toasts .toast-error")
    await expect(toast).to_have_count(1)
    await expect(toast).to_be_visible()
    await expect(toast).to_have_attribute("role", "alert")
    await expect(toast.locator(".toast-message")).to_have_text(STYLEGUIDE_FAILURE)
    await expect(toast.locator("code")).to_have_text(response.headers["x-request-id"])

    # The form was not replaced by the error, and it can be sent again.
    await expect(form.get_by_label("Candidate name")).to_have_value("Grace Hopper")
    await expect(form.get_by_role("button", name="Send invitation")).to_be_enabled()
    await expect(form).not_to_have_attribute("aria-busy", "true")

    await toast.get_by_role("button", name="Dismiss notification").click()
    await expect(page.locator("#toasts .toast")).to_have_count(0)
    assert await desktop.csp_violations() == []


async def test_successful_request_shows_a_success_toast(desktop: BrowserPage) -> None:
    page = desktop.page
    await open_styleguide(desktop)
    await page.get_by_role("button", name="Save as draft").click()

    toast = page.locator("#toasts .toast-success")
    await expect(toast).to_be_visible()
    await expect(toast).to_have_attribute("role", "status")
    await expect(toast.locator(".toast-title")).to_have_text("Saved")
    await toast.get_by_role("button", name="Dismiss notification").click()
    await expect(toast).to_have_count(0)


async def test_foreign_error_page_is_not_swapped_into_the_page(desktop: BrowserPage) -> None:
    """A proxy's error page (no HX-Retarget) becomes a generic toast instead of page content."""
    page = desktop.page
    await open_styleguide(desktop)

    async def bad_gateway(route: Route) -> None:
        await route.fulfill(
            status=502, content_type="text/html", body="<h1>502 Bad Gateway (proxy)</h1>"
        )

    await page.route("**/styleguide/fail", bad_gateway)
    button = page.get_by_role("button", name="Show an error toast")
    await button.click()

    toast = page.locator("#toasts .toast-error")
    await expect(toast.locator(".toast-title")).to_have_text("Request failed (502)")
    await expect(page.get_by_text("Bad Gateway (proxy)")).to_have_count(0)
    await expect(button).to_have_text("Show an error toast")


async def test_unreachable_server_shows_a_connection_toast(desktop: BrowserPage) -> None:
    page = desktop.page
    await open_styleguide(desktop)
    await page.route("**/styleguide/ok", lambda route: route.abort("connectionrefused"))
    await page.get_by_role("button", name="Show a success toast").click()

    toast = page.locator("#toasts .toast-error")
    await expect(toast.locator(".toast-title")).to_have_text("No connection")
    await expect(page.locator("#toasts .toast-success")).to_have_count(0)
