"""`seed_demo` (the start of `make run`): cheap hashes for the public demo passwords, one transaction."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.core.management import call_command

from pacte import demo
from pacte.roles import Role

pytestmark = pytest.mark.django_db


def _iterations(user) -> int:
    return identify_hasher(user.password).decode(user.password)["iterations"]


def test_demo_password_is_cheap_to_seed_and_raised_to_full_strength_at_first_login(client, settings):
    """A demo account's hash uses the light work factor; its first login re-hashes it at the full one."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = demo.demo_user("demo-hash", "demo-mot-de-passe-2026", "Demo", "Hash", Role.AGENT)
    other = demo.demo_user("demo-hash-2", "demo-mot-de-passe-2026", "Demo", "Hash", Role.AGENT)
    assert _iterations(user) == demo.DEMO_HASH_ITERATIONS < PBKDF2PasswordHasher.iterations
    assert user.password != other.password  # salted per account
    response = client.post(
        "/espace/connexion/", {"username": "demo-hash", "password": "demo-mot-de-passe-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert _iterations(user) == PBKDF2PasswordHasher.iterations
    assert user.check_password("demo-mot-de-passe-2026")


def test_seed_demo_is_one_transaction(monkeypatch):
    """A seeder that fails leaves nothing behind: the accounts seeded before it are rolled back too."""

    def broken_seed(*, scale, stdout):
        assert get_user_model().objects.filter(username="agent").exists()
        raise RuntimeError("seeder en panne")

    monkeypatch.setattr(
        "pacte.management.commands.seed_demo.app_modules",
        lambda name: [demo, SimpleNamespace(seed=broken_seed)],
    )
    with pytest.raises(RuntimeError, match="seeder en panne"):
        call_command("seed_demo", force=True, stdout=io.StringIO())
    assert not get_user_model().objects.filter(username="agent").exists()
