"""Reuse the browser layer's fixtures (Chromium, page, page_nojs, login) for this app's browser tests."""

from tests.browser.conftest import browser, login, page, page_nojs  # noqa: F401
