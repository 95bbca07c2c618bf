"""Fixtures of the tracker's tests: a fake live-indicator provider (feature apps are built elsewhere)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from pacte.tracker import registry
from pacte.tracker.registry import Indicateur


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_indicateurs(monkeypatch):
    """Register a fake indicator for A1 whose value the test controls via state["valeur"]."""
    state = {"valeur": 87.5, "calls": []}

    def calcul(debut=None, fin=None):
        state["calls"].append((debut, fin))
        return state["valeur"]

    fake = Indicateur(
        code="test_alternative_garantie",
        titre="Part des démarches en ligne avec une alternative garantie",
        unite="%",
        calcul=calcul,
        actions=("A1",),
        url_name="tracker:liste",
        description="Indicateur de test.",
    )
    real = registry.all_indicateurs()
    monkeypatch.setattr(registry, "all_indicateurs", lambda: {**real, fake.code: fake})
    return state
