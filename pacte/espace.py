"""The registry through which feature apps present themselves, without the kernel importing them.

Each app may define an `espace.py` module with:
- `NAV`: a list of (label, url_name) for the public main navigation (short, 1–2 items per app);
- `NAV_RANG`: where these items stand in the main menu (smaller first; the menu follows the
  citizen's needs, not the order of INSTALLED_APPS; apps without it come last);
- `PLAN`: a list of (label, url_name) for the public site map;
- `liens(user) -> list[Lien]`: the tiles "Mon espace" shows to a signed-in staff member;
- `statuts_pour_partenaire(objet_type, ids) -> {id: label}`: the status in words of the bookings
  a partner made for people (`pacte.partenaires.statuts_annotate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from pacte.discovery import app_modules


@dataclass(frozen=True)
class Lien:
    titre: str
    url: str
    description: str = ""
    section: str = ""


#: The rank of an app that does not declare `NAV_RANG`: after every app that does.
NAV_RANG_DEFAUT = 1000


@cache
def _modules():
    return app_modules("espace")


def nav_items() -> list[tuple[str, str]]:
    """The main menu: each app's `NAV` items, ordered by the app's `NAV_RANG` (stable sort)."""
    return list(
        _nav_items(
            tuple(_modules()), get_language(), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF
        )
    )


@cache
def _nav_items(modules: tuple, langue: str, prefix: str, *urlconf) -> tuple[tuple[str, str], ...]:
    # Built once per process (language and URL prefix), not on every page: the menu is on all of
    # them (#18.2). Labels are lazy translations in each app's NAV: fixed here in `langue`.
    return tuple(
        (str(label), reverse(name))
        for module in sorted(modules, key=lambda m: getattr(m, "NAV_RANG", NAV_RANG_DEFAUT))
        for label, name in getattr(module, "NAV", [])
    )


def plan_items() -> list[tuple[str, str]]:
    return [(label, reverse(name)) for module in _modules() for label, name in getattr(module, "PLAN", [])]


def liens_for(user) -> list[Lien]:
    links: list[Lien] = []
    for module in _modules():
        provider = getattr(module, "liens", None)
        if provider is not None:
            links.extend(provider(user))
    return links


def liens(user) -> list[Lien]:
    """The kernel's own tiles: the letters to post, for the teams that post them; a partner's
    bookings for people."""
    from .roles import Role, has_role

    tiles = []
    if has_role(user, Role.PARTENAIRE):
        tiles.append(
            Lien(
                "Mes réservations pour des personnes",
                reverse("partenaire_accueil"),
                "Réserver un guichet, un écrivain public ou un rappel pour une personne que vous "
                "accompagnez, avec son accord ; voir ce que vous avez réservé.",
                "Partenaires",
            )
        )
    if not has_role(user, Role.AGENT, Role.MEDIATEUR, Role.ADMIN):
        return tiles
    return tiles + [
        Lien(
            "Courriers à envoyer",
            reverse("courrier_liste"),
            "Imprimer en un seul PDF les courriers des personnes sans courriel ni mobile, puis les marquer postés.",
            "Courriers",
        )
    ]
