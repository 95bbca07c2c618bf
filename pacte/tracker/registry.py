"""Live indicators of the Pacte's actions, computed from the portal's own data.

The tracker (kernel) never imports feature apps. Each app may define `<app>/indicateurs.py` with
`INDICATEURS = [Indicateur(...), ...]`; `all_indicateurs()` collects them. An indicator's `calcul`
takes an optional period (`debut`, `fin` dates, inclusive; None = all time) and returns a number
(or None when it cannot be computed yet, or `SECRET_STATISTIQUE` when a small count is withheld).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from pacte.discovery import app_modules


class _SecretStatistique:
    """What `calcul` returns when the value exists but is withheld by the statistical secret."""

    def __repr__(self) -> str:
        return "SECRET_STATISTIQUE"


SECRET_STATISTIQUE = _SecretStatistique()


@dataclass(frozen=True)
class Indicateur:
    code: str  # unique, e.g. "demarches_alternative_garantie"
    titre: str  # plain French, e.g. "Part des démarches en ligne avec une alternative garantie"
    unite: str  # "%", "personnes", "demandes", "jours"…
    calcul: Callable[..., float | int | None]  # calcul(debut: date | None = None, fin: date | None = None)
    actions: tuple[str, ...] = field(default=())  # Pacte action codes it evidences, e.g. ("A1",)
    url_name: str = ""  # the portal feature that delivers it, e.g. "demarches:engagement"
    description: str = ""
    # False when the value is a snapshot that a period cannot change (e.g. a share of actions today):
    # the tracker then shows only the current value, not the last quarters.
    periodique: bool = True

    def valeur(self, debut: dt.date | None = None, fin: dt.date | None = None):
        return self.calcul(debut, fin)


@cache
def all_indicateurs() -> dict[str, Indicateur]:
    found: dict[str, Indicateur] = {}
    for module in app_modules("indicateurs"):
        for indicateur in getattr(module, "INDICATEURS", []):
            if indicateur.code in found:
                raise ValueError(f"Duplicate indicator code {indicateur.code}")
            found[indicateur.code] = indicateur
    return found


def indicateurs_for_action(code: str) -> list[Indicateur]:
    return [i for i in all_indicateurs().values() if code in i.actions]


def indicateurs_globaux() -> list[Indicateur]:
    """Indicators about the Pacte as a whole (linked to no particular action)."""
    return [i for i in all_indicateurs().values() if not i.actions]
