"""htmx done once: the full page or one of its partials, for the same URL.

A view renders one template; when htmx asks (`HX-Request`), only the named partial of that
template (`{% partialdef name %}`, Django's template partials) is sent back, so the page and its
fragment can never disagree. Two traps are handled here, not in each view:

- **History restore.** When the visitor presses Back to a URL htmx pushed, htmx (with its history
  cache off, see `templates/base.html`) re-requests that URL with `HX-History-Restore-Request` and
  swaps the answer into `<body>`: it must be the whole page, or the visitor sees a bare fragment.
- **Caches.** The page and its fragment share a URL, so every response says `Vary: HX-Request`:
  no browser or proxy cache serves the fragment for a normal visit (Back from another page).

Use `render_page` in every view that htmx calls; `wants_partial` when the view must prepare
less (or different) context for the partial.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request: HttpRequest) -> bool:
    """True for an htmx request that expects a fragment (not a history restore, which needs the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict | None = None,
    *,
    partial: str | None = None,
    status: int | None = None,
) -> HttpResponse:
    """Render `template`, or `template#partial` when `partial` is given and `wants_partial(request)`.

    Always adds `Vary: HX-Request` (the page and the fragment live at the same URL).
    """
    name = f"{template}#{partial}" if partial and wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
