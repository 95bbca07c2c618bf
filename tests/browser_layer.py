"""Browser test layer: Playwright driving Debian's Chromium, axe-core, the Nu HTML checker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _content_once_parsed(page) -> None:
    """`page.content()` reads the document once it is parsed. A click that submits a form returns
    as soon as the next document is committed; its body may still be on the way (a loaded CI
    machine), and reading it then gives '' — a test that asserts on it would fail on a good page."""
    read = page.content

    def content() -> str:
        page.wait_for_load_state("domcontentloaded")
        return read()

    page.content = content


def _context(browser, *, javascript: bool, width: int = 1280):
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": width, "height": 900}, locale="fr-FR"
    )
    context.set_default_timeout(30000)
    context.set_default_navigation_timeout(60000)
    return context


@pytest.fixture
def page(browser, live_server):
    """A page with JavaScript, 1280 px wide; console errors (CSP violations included) fail the test."""
    context = _context(browser, javascript=True)
    page = context.new_page()
    _content_once_parsed(page)
    errors: list[str] = []

    def on_console(msg):
        # Failed sub-resources are reported below with their URL; documents may be 404 on purpose.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def on_response(response):
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", on_response)
    page.console_errors = errors
    yield page
    context.close()
    assert not errors, f"Console errors: {errors}"


@pytest.fixture
def page_nojs(browser, live_server):
    """A page with JavaScript disabled: every citizen journey must work without it."""
    context = _context(browser, javascript=False)
    page = context.new_page()
    _content_once_parsed(page)
    yield page
    context.close()


@pytest.fixture
def login(live_server):
    """Sign a Playwright page in as `user` through the real login form."""

    def do_login(page, user, password="motdepasse-de-test-123"):
        page.goto(f"{live_server.url}/espace/connexion/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/connexion/" not in url)

    return do_login


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
