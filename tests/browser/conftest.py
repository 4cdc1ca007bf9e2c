"""Headless Chromium (Debian's, driven by Playwright) against a real server with the demo loaded.

Without Chromium the browser tests are skipped, except in CI (CI is set), where they fail.
Set COPRODUCE_SCREENSHOTS to a folder (docs/screenshots) to save pictures of the main pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.processes import COPRODUCE, environment, start_server, stop

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Chromium's own background traffic is refused on a closed network; keep it from trying.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "coproduce-demo"
PHONE = {"width": 360, "height": 780}
NARROWEST = {"width": 320, "height": 640}  # WCAG's reflow width: every page must fit it without sideways scrolling


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site's address: `coproduce serve` on a fresh embedded store holding the demo."""
    folder = tmp_path_factory.mktemp("site")
    env = environment(f"sqlite:///{folder}/coproduce.db", COPRODUCE_RATE_LIMIT="100000 per minute",
                      COPRODUCE_SIGNING_KEY=str(folder / "signing-key.pem"))
    subprocess.run([COPRODUCE, "demo"], env=env, check=True, capture_output=True, timeout=120)
    server, api = start_server(env)
    yield api.removesuffix("/api/v1")
    stop(server)


SignIn = Callable[..., Page]


@pytest.fixture
def signed_in(browser: Browser, site: str) -> Iterator[SignIn]:
    """sign_in(username): a new page (phone-sized by default), signed in through the form."""
    contexts = []

    def sign_in(username: str, viewport: dict | None = None, bypass_csp: bool = False) -> Page:
        context = browser.new_context(viewport=viewport or PHONE, base_url=site, bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.goto("/")
        expect(page).to_have_url(f"{site}/sign-in?next=/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hello")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("COPRODUCE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def watch(page: Page) -> list[str]:
    """What the browser complains of on `page`: console errors, script errors, requests that fail."""
    complaints: list[str] = []
    page.on("console", lambda message: complaints.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: complaints.append(f"script: {error}"))
    # A request the browser itself gave up as the page moved on (an icon still loading) is not the site's failure.
    page.on("requestfailed", lambda request: complaints.append(f"failed: {request.url} ({request.failure})")
            if request.failure != "net::ERR_ABORTED" else None)
    page.on("response", lambda response: complaints.append(f"{response.status}: {response.url}")
            if response.status >= 400 else None)
    return complaints
