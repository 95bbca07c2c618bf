"""Page fragments rendered once per process for what they show (#18.2).

`rendered_once(template_name, key, make_context)` renders a template without the request and keeps
the HTML in this process under `key`, which names everything the template shows (the slots of a
day, the days of a week, a blank form's class): a fragment whose content changed has another key,
so a kept copy is never stale and needs no invalidation, in any process. Template work then costs
a dictionary look-up on the pages a citizen opens most (the booking form, the day page).

In a template, `{% load rendu %}{% une_fois "name" value… %}…{% endune_fois %}` keeps the enclosed
part the same way, for the values listed (pacte/templatetags/rendu.py).

Bounded (the least recently used copies go first), one copy per language and script prefix
(links under /facile/, pacte.facile), nothing kept under DEBUG (templates reload there).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

MAX_ENTRIES = 2000

_copies: OrderedDict[tuple, SafeString] = OrderedDict()
_lock = threading.Lock()  # gunicorn threads share the copies


def kept(key: Hashable, render: Callable[[], str]) -> SafeString:
    """`render()` once per process, language and script prefix for `key`, which must determine its
    output."""
    # Per script prefix too: the easy version's links are under /facile/ (pacte.facile).
    full_key = (translation.get_language(), get_script_prefix(), key)
    with _lock:
        html = _copies.get(full_key)
        if html is not None:
            _copies.move_to_end(full_key)
            return html
    html = mark_safe(render())  # noqa: S308 - our templates' output
    if not settings.DEBUG:
        with _lock:
            _copies[full_key] = html
            if len(_copies) > MAX_ENTRIES:
                _copies.popitem(last=False)
    return html


def rendered_once(template_name: str, key: Hashable, make_context: Callable[[], dict]) -> SafeString:
    """`template_name` rendered with `make_context()` (called only when not kept), from this
    process's copy under `key` when there is one. `key` must determine everything the template
    shows; the template must not read the request (no `{% csrf_token %}`, no per-visitor value)."""
    return kept(("template", template_name, key), lambda: render_to_string(template_name, make_context()))


def forget_all() -> None:
    """Drop every copy (tests)."""
    with _lock:
        _copies.clear()
