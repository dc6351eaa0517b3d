"""Browser: a new employer registers, confirms the address from the emailed link, signs in, sets up
the authenticator app their owner role requires (scanning is replaced by reading the key shown on
the page), and invites a teammate.

The server runs in its own process against this worker's database, so the emails are read from
that database's outbox, and every address is unique to the run."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import psycopg
import pyotp
import pytest
from playwright.async_api import expect

from tests.web.conftest import BrowserPage

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "velvet-harbour-42-compass-juniper"


async def emailed_link(database_url: str, address: str, path: str) -> str:
    """The path and query of the newest link to `path` emailed to `address`."""
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cursor = await conn.execute(
            "SELECT text_body FROM outbox_message WHERE to_address = %s ORDER BY created_at DESC",
            [address],
        )
        bodies = [row[0] for row in await cursor.fetchall()]
    for body in bodies:
        found = re.search(re.escape(path) + r"\?token=[A-Za-z0-9_-]+", body)
        if found:
            return found.group(0)
    raise AssertionError(f"no email to {address} links to {path}")


async def test_register_verify_sign_in_enrol_mfa_and_invite_a_teammate(
    desktop: BrowserPage, database_url: str, tmp_path: Path
) -> None:
    page = desktop.page
    run = uuid.uuid4().hex[:8]
    owner = f"owner-{run}@example.test"
    teammate = f"teammate-{run}@example.test"

    # Register.
    await page.goto(desktop.url("/register"))
    # The form carries the pre-session CSRF token of its (HttpOnly) cookie.
    cookies = {c["name"]: c for c in await page.context.cookies()}
    assert cookies["hf_form_csrf"]["httpOnly"]
    field = page.locator('form[action="/register"] input[name="csrf_token"]')
    assert await field.input_value() == cookies["hf_form_csrf"]["value"]
    await page.get_by_label("Company name").fill(f"Browser Test {run}")
    await page.get_by_label("Your name").fill("Olive Owner")
    await page.get_by_label("Work email address").fill(owner)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")

    # Confirm the address with the emailed link: opening it shows a button, which confirms.
    await page.goto(desktop.url(await emailed_link(database_url, owner, "/verify-email")))
    await page.get_by_role("button", name="Confirm my email address").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    await page.get_by_role("link", name="Sign in", exact=True).last.click()

    # Sign in.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_label("Email address").fill(owner)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.screenshot(path=tmp_path / "login.png", full_page=True)
    await page.get_by_role("button", name="Sign in").click()

    # Owners must set up two-factor authentication first.
    await expect(page).to_have_url(re.compile(r"/account/security/mfa$"))
    await page.get_by_label("Your password").fill(PASSWORD)
    await page.get_by_role("button", name="Continue").click()
    qr = page.locator("svg.qr-code")
    await expect(qr).to_be_visible()
    box = await qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150
    secret = (await page.locator("#mfa-secret").inner_text()).replace(" ", "")
    await page.screenshot(path=tmp_path / "security-qr.png", full_page=True)
    await page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Turn on two-factor authentication").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Two-factor authentication is on"
    )
    await expect(page.locator(".recovery-codes li")).to_have_count(10)
    await page.get_by_role("link", name="I have saved my codes").click()
    await expect(page.get_by_text("10 unused recovery codes left.")).to_be_visible()

    # Invite a teammate.
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Team")
    await expect(page.get_by_role("cell", name=owner, exact=True)).to_be_visible()
    await expect(page.get_by_text("No pending invitations")).to_be_visible()
    await page.get_by_label("Email address").fill(teammate)
    await page.get_by_label("Role").select_option(label="Recruiter")
    await page.get_by_role("button", name="Send invitation").click()

    await expect(page.locator("#toasts .toast-success")).to_contain_text("Invitation sent")
    pending = page.get_by_role("region", name="1 pending invitation")
    await expect(pending.get_by_role("cell", name=teammate, exact=True)).to_be_visible()
    await expect(pending.get_by_role("cell", name="Recruiter")).to_be_visible()
    await page.screenshot(path=tmp_path / "team.png", full_page=True)
    assert "/invitations/accept?token=" in await emailed_link(
        database_url, teammate, "/invitations/accept"
    )

    assert desktop.console_errors() == []
    assert await desktop.csp_violations() == []


async def test_withdrawing_an_invitation_swaps_the_page_and_shows_a_toast(
    desktop: BrowserPage, database_url: str
) -> None:
    """A row action through htmx: the team page is swapped in place, with the notice as a toast."""
    page = desktop.page
    run = uuid.uuid4().hex[:8]
    owner = f"withdraw-{run}@example.test"
    await page.goto(desktop.url("/register"))
    await page.get_by_label("Company name").fill(f"Withdraw {run}")
    await page.get_by_label("Your name").fill("Wanda Withdraw")
    await page.get_by_label("Work email address").fill(owner)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await page.goto(desktop.url(await emailed_link(database_url, owner, "/verify-email")))
    await page.get_by_role("button", name="Confirm my email address").click()
    await page.goto(desktop.url("/login"))
    await page.get_by_label("Email address").fill(owner)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("Your password").fill(PASSWORD)
    await page.get_by_role("button", name="Continue").click()
    secret = (await page.locator("#mfa-secret").inner_text()).replace(" ", "")
    await page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    await page.get_by_role("button", name="Turn on two-factor authentication").click()
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    await page.get_by_label("Email address").fill(f"maybe-{run}@example.test")
    await page.get_by_label("Role").select_option(label="Viewer")
    await page.get_by_role("button", name="Send invitation").click()
    await expect(page.get_by_role("region", name="1 pending invitation")).to_be_visible()
    await page.wait_for_function("window.htmx !== undefined")
    url_before = page.url

    page.once("dialog", lambda dialog: dialog.accept())
    await page.get_by_role("button", name=f"Withdraw the invitation of maybe-{run}").click()
    withdrawn = page.locator("#toasts .toast-success").filter(has_text="Invitation withdrawn")
    await expect(withdrawn).to_be_visible()
    await expect(page.get_by_text("No pending invitations")).to_be_visible()
    assert page.url == url_before  # swapped in place, no navigation
    assert desktop.console_errors() == []
    assert await desktop.csp_violations() == []
