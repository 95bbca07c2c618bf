"""Stored uploads: the extension on disk and in the shown name comes from the sniffed type, never
from the client's file name; the client's name is display metadata, cleaned and truncated."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mediation.models import Saisine
from pacte.uploads import DISPLAY_NAME_MAX, display_name, stored_name
from tests.mediation.factories import PDF, saisine_form_data, upload


@pytest.mark.parametrize(
    ("name", "mimetype", "expected"),
    [
        ("facture.html", "application/pdf", "facture.pdf"),
        ("photo.JPEG", "image/jpeg", "photo.jpg"),
        ("sans-extension", "image/png", "sans-extension.png"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\moi\\lettre.pdf", "application/pdf", "lettre.pdf"),
        ("a\x00b\r\n.pdf", "application/pdf", "ab.pdf"),
        ("", "application/pdf", "document.pdf"),
        (".pdf", "application/pdf", "document.pdf"),
        ("x." + "a" * 250, "application/pdf", "x.pdf"),
    ],
)
def test_display_name_keeps_the_stem_with_the_real_extension(name, mimetype, expected):
    """The shown name: no folders or control characters, the sniffed type's extension."""
    assert display_name(name, mimetype) == expected


def test_display_name_is_truncated_keeping_the_extension():
    """An overlong name is cut to the column's length and still ends with the real extension."""
    name = display_name("é" * 500 + ".pdf", "application/pdf")
    assert len(name) == DISPLAY_NAME_MAX and name.endswith("é.pdf")


def test_stored_name_is_random_with_the_real_extension():
    """The name on disk says nothing of the client's name."""
    first, second = stored_name("image/png"), stored_name("image/png")
    assert first != second and first.endswith(".png") and len(first) == 36


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    ["rapport.html", "lettre." + "x" * 120, "lettre." + "x" * 250],
    ids=["html", "ext-120", "ext-250"],
)
def test_a_saisine_with_a_hostile_file_name_is_filed_and_stored_as_pdf(client, name):
    """A PDF named .html or with a 120/250-character extension: the saisine is filed; on disk and
    on screen the file is a .pdf of bounded length."""
    data = saisine_form_data(pieces_jointes=[upload(name=name, content=PDF, content_type="text/html")])
    response = client.post(reverse("mediation:saisir"), data)
    assert response.status_code == 302, response.status_code
    document = Saisine.objects.get().documents.get()
    assert document.fichier.name.endswith(".pdf") and len(document.fichier.name) < 80
    assert document.nom.endswith(".pdf") and ".html" not in document.nom
    assert document.mimetype == "application/pdf"
