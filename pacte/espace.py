"""The registry through which feature apps present themselves, without the kernel importing them.

Each app may define an `espace.py` module with:
- `NAV`: a list of (label, url_name) for the public main navigation (short, 1–2 items per app);
- `PLAN`: a list of (label, url_name) for the public site map;
- `liens(user) -> list[Lien]`: the tiles "Mon espace" shows to a signed-in staff member.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class Lien:
    titre: str
    url: str
    description: str = ""
    section: str = ""


@cache
def _modules():
    modules = []
    for config in apps.get_app_configs():
        try:
            modules.append(import_module(f"{config.name}.espace"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.espace":
                raise
    return modules


# The main menu follows the citizen's needs, not the order of INSTALLED_APPS.
NAV_ORDER = ["demarches", "ecrivains", "mediation", "pacte.tracker", "nonrecours"]


def nav_items() -> list[tuple[str, str]]:
    def rank(module):
        app = module.__name__.rsplit(".espace", 1)[0]
        return NAV_ORDER.index(app) if app in NAV_ORDER else len(NAV_ORDER)

    return [
        (label, reverse(name))
        for module in sorted(_modules(), key=rank)
        for label, name in getattr(module, "NAV", [])
    ]


def plan_items() -> list[tuple[str, str]]:
    return [(label, reverse(name)) for module in _modules() for label, name in getattr(module, "PLAN", [])]


def liens_for(user) -> list[Lien]:
    links: list[Lien] = []
    for module in _modules():
        provider = getattr(module, "liens", None)
        if provider is not None:
            links.extend(provider(user))
    return links
