"""Fixtures for browser tests: a real `hireflow serve` process on a free loopback port, and
Debian's Chromium driven by Playwright (never a downloaded browser).

Browser tests are marked `browser` and skipped, with the reason, when /usr/bin/chromium is absent.
They share one server and one browser per xdist worker (`xdist_group("browser")` keeps them on
the same worker)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from hireflow.config import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_PRESENT = CHROMIUM.exists()
CHROMIUM_MISSING = (
    f"{CHROMIUM} not found: install Debian's Chromium (`apt-get install chromium`) "
    "to run the browser tests"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_SECONDS = 60.0
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Collected in the page before any of its scripts run: CSP violations are DOM events, so they are
# seen even when the browser does not also log them to the console.
_RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM_PRESENT:
        return
    skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(database_url: str) -> Iterator[str]:
    """Base URL of `hireflow serve` running in a subprocess against the test database."""
    with serve(database_url) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def second_live_server(database_url: str) -> Iterator[str]:
    """Another `hireflow serve` process on the same database (cross-process live features)."""
    with serve(database_url) as base_url:
        yield base_url


@contextlib.contextmanager
def serve(database_url: str, **env_vars: str) -> Iterator[str]:
    """Run `hireflow serve --no-worker` on a free loopback port; its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "HIREFLOW_DATABASE_URL": database_url,
        "HIREFLOW_ENVIRONMENT": "development",
        "HIREFLOW_LOG_LEVEL": "WARNING",
        **env_vars,
    }
    command = [
        sys.executable,
        "-m",
        "hireflow",
        "serve",
        "--no-worker",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_healthy(process, base_url, output)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str, output: IO[bytes]) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"hireflow serve exited with {process.returncode}:\n{_read(output)}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"hireflow serve did not answer /healthz in time:\n{_read(output)}")


def _read(output: IO[bytes]) -> str:
    output.seek(0)
    return output.read().decode(errors="replace")[-4000:]


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM_PRESENT:
        pytest.skip(CHROMIUM_MISSING)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class BrowserPage:
    """A fresh page (own context, so no shared cookies) and what its console reported."""

    page: Page
    base_url: str
    console: list[ConsoleMessage] = field(default_factory=list)

    def record(self, message: ConsoleMessage) -> None:
        self.console.append(message)

    def url(self, path: str) -> str:
        return self.base_url + path

    def console_errors(self) -> list[str]:
        return [m.text for m in self.console if m.type == "error"]

    async def csp_violations(self) -> list[str]:
        logged = [m.text for m in self.console if "Content Security Policy" in m.text]
        seen: list[str] = await self.page.evaluate("window.__cspViolations || []")
        return logged + seen


async def open_page(browser: Browser, base_url: str, viewport: dict[str, int]) -> BrowserPage:
    context = await browser.new_context(
        viewport={"width": viewport["width"], "height": viewport["height"]}
    )
    await context.add_init_script(_RECORD_CSP_VIOLATIONS)
    page = await context.new_page()
    opened = BrowserPage(page=page, base_url=base_url)
    page.on("console", opened.record)
    return opened


@pytest.fixture
async def desktop(browser: Browser, live_server: str) -> AsyncIterator[BrowserPage]:
    opened = await open_page(browser, live_server, DESKTOP)
    try:
        yield opened
    finally:
        await opened.page.context.close()


@pytest.fixture
async def phone(browser: Browser, live_server: str) -> AsyncIterator[BrowserPage]:
    opened = await open_page(browser, live_server, PHONE)
    try:
        yield opened
    finally:
        await opened.page.context.close()
