"""pacte.htmx: the fragment for htmx, the whole page for a history restore, Vary: HX-Request always."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {"HTTP_HX_REQUEST": "true", "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}

# Public pages that htmx updates in place (the booking page is checked in tests/booking).
PAGES = ["/demarches/?q=passeport", "/ecrivains-publics/?langue=arabe", "/pacte/actions/?statut=en_cours"]


def _is_page(response) -> bool:
    text = response.content.decode()
    return "<html" in text and "<h1" in text and 'class="pied"' in text


@pytest.mark.parametrize("url", PAGES)
def test_fragment_for_htmx_page_for_history_restore(client, url):
    """htmx gets the results fragment; a history restore and a normal visit get the whole page;
    every answer says Vary: HX-Request."""
    normal, fragment, restore = client.get(url), client.get(url, **HTMX), client.get(url, **RESTORE)
    assert _is_page(normal) and _is_page(restore)
    assert not _is_page(fragment) and 'id="resultats"' in fragment.content.decode()
    for response in (normal, fragment, restore):
        assert response.status_code == 200
        assert "HX-Request" in response.headers["Vary"]


def test_booking_day_fragment_and_restore(client):
    """The booking page's chosen day: fragment for htmx, whole page for a history restore."""
    import datetime as dt

    from pacte.booking.demo import agenda_demo
    from pacte.models import Lieu

    agenda = agenda_demo(
        Lieu.objects.get(slug="hotel-de-ville"),
        "Jour choisi",
        "demarches",
        regles=[(j, "08:00", "20:00") for j in range(7)],
        capacite=1,
        places_agents=0,
        duree_creneau=30,
        delai_min_heures=0,
    )
    url = f"/reservation/{agenda.uuid}/?jour={(dt.date.today() + dt.timedelta(days=1)).isoformat()}"
    fragment, restore = client.get(url, **HTMX), client.get(url, **RESTORE)
    assert not _is_page(fragment) and 'id="creneaux"' in fragment.content.decode()
    assert _is_page(restore)
    assert "HX-Request" in fragment.headers["Vary"] and "HX-Request" in restore.headers["Vary"]


def test_views_choose_the_partial_only_through_pacte_htmx():
    """No view reads `request.htmx` to pick a template itself: partial choice lives in pacte/htmx.py
    (views may still test `request.htmx` to answer a POST with a fragment)."""
    offenders = []
    for path in ROOT.glob("*/**/views.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "node_modules", "tests"}:
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ".html#" in node.value:
                offenders.append(f"{rel}:{node.lineno} {node.value}")
            is_render = isinstance(node, ast.Call) and getattr(node.func, "id", None) == "render"
            for arg in node.args[:2] if is_render else []:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else []
                if any(isinstance(v, ast.Constant) and "#" in str(v.value) for v in parts):
                    offenders.append(f"{rel}:{node.lineno} render(…#partial)")
    assert offenders == []
