"""The browser fixtures live in tests/browser_layer.py, registered once for the whole suite by
tests/conftest.py (one Chromium per session). Helpers are re-exported here for older imports."""

from tests.browser_layer import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _context, screenshot  # noqa: F401
