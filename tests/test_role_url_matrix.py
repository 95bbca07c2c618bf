"""Role × URL matrix: every back-office URL, for every role, answers as the scope rules say.

Each app's own tests check the precise perimeter rules (404 outside an arrondissement, a direction,
a case). This matrix walks the whole URLconf so that nothing new slips through: anonymous visitors
are sent to the login page on every non-public URL, no role ever gets a 500, and URLs with an
unknown object id answer 404 for every role.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from pacte.roles import ROLE_LABELS
from tests.test_project import public_allow_list

pytestmark = pytest.mark.django_db

SAMPLE = {
    "uuid": str(uuid.UUID(int=0x1234)),
    "slug": "inexistant",
    "int": "987654",
    "str": "inexistant",
    "path": "inexistant",
}


def _urls(patterns, prefix="", namespace=""):
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            yield from _urls(pattern.url_patterns, prefix + route, ns)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", prefix + route, pattern.callback


def _concrete(route: str) -> tuple[str, bool]:
    """Fill converters with sample values; True when the URL names an object."""
    has_object = False

    def fill(match):
        nonlocal has_object
        has_object = True
        converter = match.group(1) or "str"
        return SAMPLE.get(converter, "inexistant")

    url = re.sub(r"<(?:(\w+):)?\w+>", fill, route)
    if "^" in url or "(?P" in url:  # regex routes (admin): skip, the admin has its own checks
        return "", has_object
    return "/" + url, has_object


def back_office_urls():
    public = public_allow_list()
    for name, route, view in _urls(get_resolver().url_patterns):
        if name.startswith("admin:") or name in public or not getattr(view, "login_required", True):
            continue
        url, has_object = _concrete(route)
        if url:
            yield name, url, has_object


def test_anonymous_is_sent_to_login_everywhere(client):
    """Every non-public URL redirects an anonymous visitor to the sign-in page."""
    for name, url, _ in back_office_urls():
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response["Location"].startswith("/espace/connexion/"), (name, url)


@pytest.mark.parametrize("role", list(ROLE_LABELS))
def test_every_role_gets_an_answer_never_an_error(client, make_user, role):
    """For each role: no 500 anywhere; unknown objects are 404 (never 200); others 200/302/403/404/405."""
    client.force_login(make_user(role))
    for name, url, has_object in back_office_urls():
        response = client.get(url)
        if has_object:
            assert response.status_code in (403, 404, 405), (role, name, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 404, 405), (role, name, url, response.status_code)
