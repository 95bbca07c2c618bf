"""G1: a published e-service always has at least one active alternative."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from demarches import services
from demarches.enums import TypeAlternative
from demarches.models import Alternative, Demarche

pytestmark = pytest.mark.django_db


def _demarche(**kwargs):
    defaults = {"slug": "essai", "code": "essai", "titre": "Démarche d'essai", "categorie": "essais"}
    defaults.update(kwargs)
    return Demarche.objects.create(**defaults)


def test_reference_data_is_published_with_alternatives():
    """The seeded catalogue is published, indicative, and every e-service has its 4 alternatives."""
    demarches = Demarche.objects.all()
    assert demarches.count() == 14
    for demarche in demarches:
        assert demarche.is_published and demarche.is_indicative
        assert set(demarche.alternatives.values_list("type", flat=True)) == set(TypeAlternative.values)
    titres = Demarche.objects.get(code="titres_identite").alternatives.get(type="guichet")
    assert titres.lieux.count() == 10
    assert Demarche.objects.get(code="pacs").alternatives.get(type="guichet").lieux.count() == 9


def test_reference_load_is_idempotent():
    """Loading the reference twice creates no duplicate démarche or alternative."""
    before = Alternative.objects.count()
    call_command("load_reference", stdout=io.StringIO())
    assert Alternative.objects.count() == before
    assert Demarche.objects.count() == 14


def test_model_clean_refuses_publication_without_alternative():
    """Model level: clean() refuses is_published without an active alternative."""
    demarche = _demarche()
    demarche.is_published = True
    with pytest.raises(ValidationError) as exc:
        demarche.full_clean()
    assert "is_published" in exc.value.message_dict
    Alternative.objects.create(demarche=demarche, type=TypeAlternative.TELEPHONE, is_active=False)
    with pytest.raises(ValidationError):
        demarche.full_clean()
    Alternative.objects.create(demarche=demarche, type=TypeAlternative.TELEPHONE)
    demarche.full_clean()


def test_service_publish_requires_active_alternative():
    """Service level: demarche_publish refuses without an active alternative, then accepts."""
    demarche = _demarche()
    with pytest.raises(ValidationError, match="aucune alternative active"):
        services.demarche_publish(demarche=demarche)
    demarche.refresh_from_db()
    assert not demarche.is_published
    Alternative.objects.create(demarche=demarche, type=TypeAlternative.RAPPEL)
    services.demarche_publish(demarche=demarche)
    demarche.refresh_from_db()
    assert demarche.is_published


def test_deactivating_last_alternative_of_published_demarche_is_refused():
    """Deactivating the last active alternative of a published e-service is refused; others are fine."""
    demarche = Demarche.objects.get(code="pacs")
    alternatives = list(demarche.alternatives.all())
    for alternative in alternatives[:-1]:
        services.alternative_deactivate(alternative=alternative)
    with pytest.raises(ValidationError, match="dernière alternative"):
        services.alternative_deactivate(alternative=alternatives[-1])
    alternatives[-1].refresh_from_db()
    assert alternatives[-1].is_active
    services.demarche_unpublish(demarche=demarche)
    services.alternative_deactivate(alternative=alternatives[-1])


def test_check_alternatives_passes_on_reference_data():
    """Command: exit 0 on the reference data."""
    out = io.StringIO()
    call_command("check_alternatives", stdout=out)
    assert "14 démarches publiées" in out.getvalue()


def test_check_alternatives_fails_and_lists_violation():
    """Command: a published e-service without active alternative is listed and the command fails."""
    demarche = Demarche.objects.get(code="mariage")
    demarche.alternatives.update(is_active=False)  # a bypass (bulk update) the check must catch
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 démarche"):
        call_command("check_alternatives", stdout=io.StringIO(), stderr=err)
    assert "Dossier de mariage" in err.getvalue()


@pytest.mark.lent(5)
@pytest.mark.django_db(transaction=True)
def test_check_alternatives_process_exit_codes():
    """manage.py check_alternatives exits 0 on the reference data and 1 once a violation exists (CI)."""
    import os
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    env["DEBUG"] = "1"
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "check_alternatives"]
    ok = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    Demarche.objects.get(code="mariage").alternatives.update(is_active=False)
    ko = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert ko.returncode == 1
    assert "Dossier de mariage" in ko.stderr


@pytest.fixture
def admin_client_g1(client):
    user = get_user_model().objects.create_superuser("admin-g1", "a@example.org", "motdepasse-de-test-123")
    client.force_login(user)
    return client


def _admin_post(demarche, alternatives, publish=True):
    data = {
        "slug": demarche.slug,
        "code": demarche.code,
        "titre_fr": demarche.titre,  # translated fields: one per language (pacte.traductions)
        "categorie": demarche.categorie,
        "url_en_ligne": "",
        "direction": "",
        "is_indicative": "on",
        "alternatives-TOTAL_FORMS": str(len(alternatives)),
        "alternatives-INITIAL_FORMS": str(sum(1 for a in alternatives if a.get("id"))),
        "alternatives-MIN_NUM_FORMS": "0",
        "alternatives-MAX_NUM_FORMS": "1000",
    }
    if publish:
        data["is_published"] = "on"
    for i, alt in enumerate(alternatives):
        for key, value in alt.items():
            data[f"alternatives-{i}-{key}"] = value
        data[f"alternatives-{i}-demarche"] = str(demarche.pk) if demarche.pk else ""
        data.setdefault(f"alternatives-{i}-ordre", "0")
    return data


def test_admin_refuses_publication_without_alternative(admin_client_g1):
    """Admin: publishing with no active alternative shows the G1 message and saves nothing published."""
    demarche = _demarche()
    response = admin_client_g1.post(
        f"/admin/demarches/demarche/{demarche.pk}/change/",
        _admin_post(demarche, [{"type": "telephone", "ordre": "1"}]),  # not active
    )
    assert response.status_code == 200
    assert "G1" in response.text
    demarche.refresh_from_db()
    assert not demarche.is_published


def test_admin_publishes_with_an_alternative_added_inline(admin_client_g1):
    """Admin: an alternative added in the same form lets the e-service be published."""
    demarche = _demarche()
    response = admin_client_g1.post(
        f"/admin/demarches/demarche/{demarche.pk}/change/",
        _admin_post(demarche, [{"type": "telephone", "is_active": "on", "ordre": "1"}]),
    )
    assert response.status_code == 302, response.text[:2000]
    demarche.refresh_from_db()
    assert demarche.is_published
    assert demarche.alternatives.filter(is_active=True).count() == 1


def test_admin_refuses_deactivating_the_last_alternative(admin_client_g1):
    """Admin: unticking the last active alternative of a published e-service is refused."""
    demarche = _demarche()
    alt = Alternative.objects.create(demarche=demarche, type=TypeAlternative.RAPPEL)
    services.demarche_publish(demarche=demarche)
    response = admin_client_g1.post(
        f"/admin/demarches/demarche/{demarche.pk}/change/",
        _admin_post(demarche, [{"id": str(alt.pk), "type": "rappel", "ordre": "1"}]),
    )
    assert response.status_code == 200
    assert "G1" in response.text
    alt.refresh_from_db()
    assert alt.is_active


def test_admin_save_related_guard_unpublishes_with_message(rf, admin_client_g1):
    """Admin: save_related re-validates after the inlines and refuses publication with a message."""
    from django.contrib.admin.sites import site
    from django.contrib.messages.storage.fallback import FallbackStorage

    from demarches.admin import DemarcheAdmin

    demarche = _demarche(is_published=True)  # inserted directly, bypassing the checks
    request = rf.post("/")
    request.user = get_user_model().objects.get(username="admin-g1")
    request.session = {}
    request._messages = FallbackStorage(request)

    class FakeForm:
        instance = demarche

        def save_m2m(self):
            pass

    DemarcheAdmin(Demarche, site).save_related(request, FakeForm(), [], change=True)
    demarche.refresh_from_db()
    assert not demarche.is_published
    assert "ne peut pas être publiée" in str(list(request._messages)[0])
