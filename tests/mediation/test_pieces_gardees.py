"""A saisine's attachments survive a validation error (#15.5): kept with the form, listed, removable."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mediation.models import Saisine
from pacte.models import EnvoiTemporaire
from pacte.retention import envois_temporaires_purge
from tests.mediation.factories import saisine_form_data, upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _data(**extra):
    return saisine_form_data(**extra)


def _lot(html: str) -> str:
    return re.search(r'name="pieces_lot" value="([^"]+)"', html).group(1)


def test_files_are_kept_after_an_error_then_sent_with_the_saisine(client):
    """Attach a PDF, type a bad email: the page says « 1 fichier joint » with its name; fixing the
    email and adding a PNG sends both, and the temporary copies are gone."""
    url = reverse("mediation:saisir")
    first = client.post(url, _data(email="pas-une-adresse", pieces_jointes=[upload("avis.pdf")]))
    assert first.status_code == 200 and "adresse" in first.context["form"].errors["email"][0]
    assert "1 fichier joint" in first.text and "avis.pdf" in first.text
    assert EnvoiTemporaire.objects.count() == 1
    second = client.post(
        url,
        _data(pieces_lot=_lot(first.text), pieces_jointes=[upload("photo.png", PNG, "image/png")]),
    )
    assert second.status_code == 302
    saisine = Saisine.objects.get()
    assert sorted(saisine.documents.values_list("nom", flat=True)) == ["avis.pdf", "photo.png"]
    assert not EnvoiTemporaire.objects.exists()


def test_a_kept_file_can_be_removed_without_javascript(client):
    """Two files kept; « Retirer ce fichier » on one (a checkbox, sent with the form) leaves it out."""
    url = reverse("mediation:saisir")
    first = client.post(
        url, _data(recit="", pieces_jointes=[upload("a.pdf"), upload("b.png", PNG, "image/png")])
    )
    assert "2 fichiers joints" in first.text
    b = EnvoiTemporaire.objects.get(nom="b.png")
    assert f'name="retirer_piece" value="{b.uuid}"' in first.text
    again = client.post(url, _data(recit="", pieces_lot=_lot(first.text), retirer_piece=[str(b.uuid)]))
    assert "1 fichier joint" in again.text and "b.png" not in again.text
    sent = client.post(url, _data(pieces_lot=_lot(again.text)))
    assert sent.status_code == 302
    assert list(Saisine.objects.get().documents.values_list("nom", flat=True)) == ["a.pdf"]


def test_a_forged_or_foreign_lot_reaches_no_one_elses_files(client):
    """A made-up lot id is ignored (new lot, nothing attached); files go only with their own form."""
    url = reverse("mediation:saisir")
    client.post(url, _data(recit="", pieces_jointes=[upload("secret.pdf")]))
    lot = EnvoiTemporaire.objects.get().lot
    forged = client.post(url, _data(recit="", pieces_lot=lot))
    assert "secret.pdf" not in forged.text
    assert client.post(url, _data(pieces_lot=lot + ":forged")).status_code == 302
    assert not Saisine.objects.get().documents.exists()


def test_abandoned_files_are_purged_after_a_day(client, settings):
    """The beat purge deletes the kept files of forms never sent once UPLOADS_TEMPORAIRES_HEURES pass."""
    client.post(reverse("mediation:saisir"), _data(recit="", pieces_jointes=[upload("vieux.pdf")]))
    row = EnvoiTemporaire.objects.get()
    assert envois_temporaires_purge() == 0
    later = timezone.now() + dt.timedelta(hours=settings.UPLOADS_TEMPORAIRES_HEURES, minutes=1)
    assert envois_temporaires_purge(now=later) == 1
    assert not EnvoiTemporaire.objects.filter(pk=row.pk).exists()
