"""Browser fixtures (page, page_nojs, login, browser) for the démarches browser tests."""

from tests.browser.conftest import browser, login, page, page_nojs  # noqa: F401
