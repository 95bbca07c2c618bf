"""Kernel helpers: business days, tokens, phone numbers, uploads, PDF fetcher, charts, roles."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from pacte.calendrier import add_business_days, business_days_between, is_business_day
from pacte.charts import bar_chart
from pacte.pdf import StaticOnlyURLFetcher, render_pdf
from pacte.phones import phone_display, phone_normalize
from pacte.secret_links import identity_matches, token_hash, token_new
from pacte.uploads import PiecesJointesField, validate_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_business_days_skip_weekends_and_french_holidays():
    """Friday 24 Dec 2027 + 1 business day is Monday 27; 14 July and 25 Dec are holidays."""
    assert not is_business_day(dt.date(2026, 7, 14))
    assert not is_business_day(dt.date(2026, 12, 25))
    assert add_business_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
    assert add_business_days(dt.date(2026, 5, 13), 1) == dt.date(2026, 5, 15)  # Ascension 14 May 2026
    assert business_days_between(dt.date(2026, 12, 24), dt.date(2026, 12, 28)) == 1


def test_tokens_are_long_and_stored_hashed():
    """Tokens carry at least 128 bits and only their SHA-256 is stored."""
    token, digest = token_new()
    assert len(token) >= 22 and digest == token_hash(token) and token not in digest
    assert token_new()[0] != token


def test_identity_check_ignores_accents_and_case():
    """The light check compares the first letters of the surname."""
    assert identity_matches(expected_name="Éléonore Dupré", given="ele")
    assert identity_matches(expected_name="Dupré", given="DUP")
    assert not identity_matches(expected_name="Dupré", given="dur")
    assert not identity_matches(expected_name="Dupré", given="")


def test_phone_numbers_are_validated_and_formatted():
    """French numbers normalise to E.164; invalid ones give a French message."""
    assert phone_normalize("06 12 34 56 78") == "+33612345678"
    assert phone_display("+33612345678") == "06 12 34 56 78"
    with pytest.raises(ValidationError, match="pas valide"):
        phone_normalize("12345")


def test_uploads_are_checked_by_content_not_name():
    """A PNG named .pdf is a PNG; a text file named .pdf is refused; oversize is refused."""
    assert validate_upload(SimpleUploadedFile("photo.pdf", PNG)) == "image/png"
    with pytest.raises(ValidationError, match="n'est pas un PDF"):
        validate_upload(SimpleUploadedFile("faux.pdf", b"MZ\x90\x00 executable"))
    with pytest.raises(ValidationError, match="dépasse"):
        validate_upload(SimpleUploadedFile("gros.png", PNG + b"0" * 100), max_size=50)
    field = PiecesJointesField(max_files=2)
    with pytest.raises(ValidationError, match="au plus 2"):
        field.clean([SimpleUploadedFile(f"{i}.png", PNG) for i in range(3)])


def test_pdf_fetcher_refuses_anything_but_static_files():
    """The WeasyPrint fetcher serves our static CSS and refuses http, file and traversal URLs."""
    fetcher = StaticOnlyURLFetcher()
    assert fetcher.fetch("portail-static:css/portail.css").read().startswith(b"/*")
    for url in ("http://example.org/x.css", "file:///etc/passwd", "portail-static:../../etc/passwd"):
        with pytest.raises(ValueError, match="refusée"):
            fetcher.fetch(url)


def test_render_pdf_produces_a_tagged_pdf(tmp_path):
    """render_pdf gives a PDF/UA document with a structure tree and French language."""
    from django.template import engines
    from pypdf import PdfReader

    template = tmp_path / "doc.html"
    template.write_text(
        '<html lang="fr"><head><title>Essai</title><meta name="author" content="Ville de Lyon"></head>'
        "<body><h1>Titre</h1><p>{{ texte }}</p></body></html>"
    )
    engine = engines["django"]
    engine.engine.dirs.append(str(tmp_path))
    try:
        pdf = render_pdf(template="doc.html", context={"texte": "<script>x</script>"})
    finally:
        engine.engine.dirs.remove(str(tmp_path))
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "fr"
    assert reader.metadata.title == "Essai"
    assert "<script>x</script>" in reader.pages[0].extract_text()


def test_bar_chart_geometry():
    """The longest bar fills the area; a None value draws no bar but keeps its text."""
    chart = bar_chart("Saisines", [("A", 10), ("B", 5), ("C", None, "< 11")])
    assert [r["width"] for r in chart.rows] == [330, 165, 0]
    assert chart.rows[2]["display"] == "< 11"


@pytest.mark.django_db
def test_mon_espace_requires_login(client, make_user):
    """Anonymous visitors are sent to the login page; staff see their roles."""
    response = client.get("/espace/")
    assert response.status_code == 302 and "/espace/connexion/" in response["Location"]
    user = make_user("mediateur")
    client.force_login(user)
    assert "Médiateur" in client.get("/espace/").content.decode()
