"""PDF rendering with WeasyPrint: tagged PDF/UA, and a URL fetcher limited to our own static files."""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_SCHEME = "portail-static:"


@functools.cache
def _fetcher_class():
    # WeasyPrint is imported on first use, not with this module: importing it (fonts, CSS) costs
    # seconds that every process starting up (web, worker, `seed_demo` in `make run`) paid before
    # producing any PDF. `pacte.pdf.StaticOnlyURLFetcher` still reads as a class (module __getattr__).
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serve only the portal's own static files (and data: URIs); refuse anything else.

        Templates reference static files as `portail-static:css/pdf.css`: no network, no file system
        outside the static directories, whatever a user typed into the document.
        """

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_SCHEME):
                relative = url[len(STATIC_SCHEME) :].lstrip("/")
                if ".." not in Path(relative).parts:
                    found = finders.find(relative)
                    if found is None and settings.STATIC_ROOT:
                        candidate = Path(settings.STATIC_ROOT) / relative
                        found = str(candidate) if candidate.is_file() else None
                    if found:
                        # The content type matters: WeasyPrint ignores a stylesheet served as text/plain.
                        mimetype = mimetypes.guess_type(found)[0] or "application/octet-stream"
                        return URLFetcherResponse(
                            url, Path(found).read_bytes(), {"Content-Type": mimetype}, 200
                        )
            raise ValueError(f"Ressource refusée pour le PDF : {url[:200]}")

    return StaticOnlyURLFetcher


def __getattr__(name: str):
    if name == "StaticOnlyURLFetcher":
        return _fetcher_class()
    raise AttributeError(name)


def render_pdf(*, template: str, context: dict) -> bytes:
    """Render a Django template to a tagged PDF (PDF/UA-1).

    The template sets `<html lang="fr">`, `<title>` and `<meta name="author">`, which WeasyPrint
    turns into the document language, title and author metadata.
    """
    from weasyprint import HTML

    html = render_to_string(template, context)
    document = HTML(string=html, base_url=STATIC_SCHEME + "/", url_fetcher=_fetcher_class()())
    return document.write_pdf(pdf_variant="pdf/ua-1")
