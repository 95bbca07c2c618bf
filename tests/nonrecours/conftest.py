"""Reuse the browser layer's fixtures (Chromium, page, page_nojs, login) for this app's browser tests."""
