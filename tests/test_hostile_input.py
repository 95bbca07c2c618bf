"""Hostile input never gets a 5xx: a crawler walks the URLconf and sends NUL bytes, out-of-range dates,
overlong and non-UTF-8 values in every path parameter, every query parameter and every posted field
the code reads (names collected from the forms and the views), to every public URL pattern as an
anonymous visitor and to every back-office URL as a staff member holding every role. Bad input is a
French 400/404 page, never a 500.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest
from django import forms
from django.apps import apps
from django.urls import get_resolver
from django.utils import timezone

from pacte.roles import ROLE_LABELS, Role
from tests.test_project import public_allow_list
from tests.test_role_url_matrix import _urls

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ["pacte", "demarches", "ecrivains", "mediation", "arrondissements", "nonrecours"]

# Raw, already percent-encoded values (as they would sit in a URL or a urlencoded body).
HOSTILE = {
    "nul": "%00",
    "slot-overflow": "9999-12-31T23:59",
    "date-max": "9999-12-31",
    "huge-int": "9" * 40,
    "overlong": "a" * 1200,
    "non-utf8": "%FF%FE%C3%28",
    "overlong-utf8": quote("é" * 600),
}


def _param_names() -> set[str]:
    """Every request parameter the code reads: fields of every form, and GET/POST keys in views."""
    names: set[str] = set()
    pattern = re.compile(r"request\.(?:GET|POST)(?:\.get|\.getlist)?[\(\[]\s*\"(\w+)\"")
    for app in APP_DIRS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names |= set(pattern.findall(path.read_text()))
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in APP_DIRS:
            continue
        for suffix in ("forms", "booking.forms", "tracker.forms", "rapport.forms"):
            try:
                module = import_module(f"{config.name}.{suffix}")
            except ModuleNotFoundError:
                continue
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    names |= set(getattr(cls, "base_fields", {}))
    return names


@pytest.fixture
def real_objects(autre_ecrivain_objects):
    """Objects that let the path resolve, so query and body values reach the views: an agenda with
    a booked and a free slot, its appointment and permanence, a tracker action."""
    from pacte.tracker.models import Action

    permanence, reservation = autre_ecrivain_objects
    libre = reservation.debut + dt.timedelta(minutes=permanence.agenda.duree_creneau)
    action = Action.objects.order_by("code").first()
    return {
        "uuid": [str(permanence.agenda.uuid), str(reservation.uuid), str(permanence.uuid)],
        "creneau": [timezone.localtime(libre).strftime("%Y-%m-%dT%H:%M")],
        "code": [action.code if action else "A1"],
    }


def _fill(route: str, values: dict[str, list[str]], hostile: str | None) -> list[str]:
    """Concrete URLs for a route: each parameter gets the hostile value (if given) or a real one."""
    if "^" in route or "(?P" in route:
        return []
    params = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not params:
        return ["/" + route]
    urls = []
    choices = [values.get(conv or "str", values.get(name, ["inexistant"])) for conv, name in params]
    # One URL per real value of the first parameter (enough to reach the view with each kind of object).
    for i in range(max(len(c) for c in choices)):
        url = route
        for (conv, name), options in zip(params, choices, strict=True):
            value = hostile if hostile is not None else options[min(i, len(options) - 1)]
            url = re.sub(rf"<(?:{conv}:)?{name}>", lambda _m, v=value: v, url, count=1)
        urls.append("/" + url)
    return urls


def _crawl(client, routes, values, *, methods=("get", "post")) -> tuple[int, list]:
    names = sorted(_param_names())
    failures = []
    sent = 0
    for name, route in routes:
        for label, raw in HOSTILE.items():
            body = "&".join(f"{n}={raw}" for n in names)
            targets = _fill(route, values, raw) + _fill(route, values, None)
            for url in dict.fromkeys(targets):
                for method in methods:
                    if method == "get":
                        response = client.get(f"{url}?{body}")
                    else:
                        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
                    sent += 1
                    if response.status_code >= 500:
                        failures.append((name, label, method, url[:120], response.status_code))
    return sent, failures


def _public_routes():
    public = public_allow_list()
    for name, route, view in _urls(get_resolver().url_patterns):
        if name.startswith("admin:"):
            continue
        if name in public or not getattr(view, "login_required", True):
            yield name, route


def _back_office_routes():
    public = public_allow_list()
    for name, route, view in _urls(get_resolver().url_patterns):
        if name.startswith("admin:") or name in public or not getattr(view, "login_required", True):
            continue
        if name.endswith(":deconnexion") or name == ":deconnexion":
            continue
        yield name, route


def test_param_names_are_collected():
    """The crawler knows the parameters the code reads (forms and request.GET/POST keys)."""
    names = _param_names()
    assert {"demarche", "jour", "semaine", "creneau", "q", "debut", "fin", "page"} <= names


@pytest.mark.lent(12)
def test_public_urls_never_answer_5xx_to_hostile_input(client, real_objects):
    """Every public URL pattern, hostile path, query and body values: 4xx or a page, never 5xx."""
    client.raise_request_exception = False
    sent, failures = _crawl(client, list(_public_routes()), real_objects)
    assert sent > 300
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.lent(35)
def test_back_office_urls_never_answer_5xx_to_hostile_input(client, make_user, real_objects):
    """Every back-office URL, for a member holding every role, hostile path, query and body values:
    never 5xx."""
    from django.contrib.auth.models import Group

    user = make_user()
    user.groups.add(*Group.objects.filter(name__in=list(ROLE_LABELS)))
    client.force_login(user)
    client.raise_request_exception = False
    sent, failures = _crawl(client, list(_back_office_routes()), real_objects)
    assert sent > 300
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize(
    "url",
    ["/demarches/rappel/?demarche=%00", "/pacte/actions/%00/", "/pacte/actions/A1%00/suivre/"],
)
def test_nul_byte_is_a_french_400(client, url):
    """A NUL byte in the path or the query string: a 400 with the portal's French page."""
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == 400
    assert "Adresse ou données invalides" in response.content.decode()


def test_slot_out_of_range_is_a_404(client, real_objects):
    """A slot at 9999-12-31T23:59 on a real agenda: 404, not an overflow."""
    agenda = real_objects["uuid"][0]
    client.raise_request_exception = False
    response = client.get(f"/reservation/{agenda}/9999-12-31T23:59/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_forms_use_the_bounded_date_field():
    """No form declares an unbounded forms.DateField: dates go through pacte.forms.DateField."""
    offenders = [
        str(path.relative_to(ROOT))
        for app in APP_DIRS
        for path in (ROOT / app).rglob("*.py")
        if "forms.DateField(" in path.read_text() and path != ROOT / "pacte" / "forms.py"
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("debut", "9999-12-31"), ("fin", "0001-01-01")],
)
def test_out_of_range_date_in_a_form_is_a_message_next_to_the_field(field, value):
    """A year 9999 or 1 in a date field: a French error on that field, the form is not valid."""
    from ecrivains.forms import PeriodeForm

    form = PeriodeForm({field: value})
    assert not form.is_valid()
    assert form.errors[field][0].startswith("Saisissez une date")


@pytest.mark.parametrize("target", ["aaaa", "9999-12-31T23:59", "//evil.example/", "https://evil.example/"])
def test_a_next_that_is_not_a_local_path_falls_back_to_the_staff_home(client, make_user, target):
    """« Rester connecté » with a `next` that is not a path of the site: back to /espace/, no 500."""
    client.force_login(make_user(Role.AGENT))
    response = client.post("/espace/session/prolonger/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/espace/"


def test_djangos_own_refusals_are_the_french_400_page(production_mode):
    """An unknown Host, a text body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields: the French 400."""
    client = production_mode
    client.raise_request_exception = False
    responses = [
        client.get("/", HTTP_HOST="evil.example"),
        client.post(
            "/mediateur/saisir/",
            "a=" + "x" * (3 * 1024 * 1024),
            content_type="application/x-www-form-urlencoded",
        ),
        client.post(
            "/mediateur/saisir/",
            "&".join(f"f{i}=1" for i in range(1500)),
            content_type="application/x-www-form-urlencoded",
        ),
    ]
    for response in responses:
        assert response.status_code == 400
        assert "Adresse ou données invalides" in response.content.decode()
