"""Shared fixtures: reference data in every database test, staff users by role, the SMS outbox."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from pacte import sms

# The browser layer (Chromium, axe, pages with and without JavaScript), one instance per session.
pytest_plugins = ["tests.browser_layer"]


def _needs_db(request) -> str | None:
    names = request.fixturenames
    if "live_server" in names or "transactional_db" in names:
        return "transactional_db"
    marker = request.node.get_closest_marker("django_db")
    if marker is not None:
        return "transactional_db" if marker.kwargs.get("transaction") else "db"
    if "db" in names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with the reference data (territory, catalogues) loaded."""
    kind = _needs_db(request)
    if kind is None:
        return
    request.getfixturevalue(kind)
    from pacte.models import Arrondissement

    if not Arrondissement.objects.exists():
        call_command("load_reference", stdout=io.StringIO(), verbosity=0)


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """SMS go to an in-memory outbox in tests (the provider lies outside the machine)."""
    settings.SMS_BACKEND = "pacte.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def sms_outbox(_sms_outbox):
    return _sms_outbox


@pytest.fixture
def make_user(db):
    """Create a staff user with a role and optional profile fields (direction, arrondissement, lieu)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from pacte.models import Profil
    from pacte.roles import ensure_groups

    counter = {"n": 0}

    def factory(role: str | None = None, *, username: str | None = None, **profile):
        ensure_groups()
        counter["n"] += 1
        user = get_user_model().objects.create_user(
            username=username or f"{role or 'user'}-{counter['n']}",
            password="motdepasse-de-test-123",
            email=f"{username or role or 'user'}-{counter['n']}@example.org",
            first_name="Prénom",
            last_name=f"Nom{counter['n']}",
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        Profil.objects.create(user=user, **profile)
        return user

    return factory
