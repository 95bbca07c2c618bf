"""Browser fixtures (page, page_nojs, login, browser) for the démarches browser tests."""
