"""Every SMS, in every language, fits its budget with the longest realistic values (#17.3).

There was no SMS budget in the code: it is set here, and in `pacte.sms`, at 2 segments for a GSM-7
message (306 characters) and 3 for a UCS-2 one (201 characters: Arabic, « ê », « œ », « »»…).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from pacte.langues import langue_choices
from pacte.notifications import _templates, render_text
from pacte.sms import encodage, segments, segments_max

TEMPLATES = Path(settings.BASE_DIR) / "templates"
SMS = sorted(
    f"{path.parent.parent.name}/{path.stem}"
    for path in TEMPLATES.glob("*/sms/*.txt")
    if path.stem.count(".") == 0
)
LANGUES = [code for code, _nom in langue_choices()]

# The longest realistic values: the longest démarche title of the reference data, a long place
# name, long names, the longest subject that reaches the SMS fallback, a real secret link.
TITRE = "Inscription à la restauration scolaire et au périscolaire (tarif selon quotient familial)"
LIEU = "Maison de la Métropole pour les solidarités de Lyon 8e Mermoz"
TOKEN = "x" * 43  # secrets.token_urlsafe(32)
SITE = "https://pacte.lyon.fr"  # .env.example
DEBUT = timezone.make_aware(dt.datetime(2026, 12, 28, 16, 30))


def lien(langue: str, name: str) -> str:
    """A full link with the language's prefix and a token (the prefix added if the URLs lack it)."""
    with translation.override(langue):
        path = reverse(name, args=[TOKEN])
    if langue != settings.LANGUAGE_CODE and not path.startswith(f"/{langue}/"):
        path = f"/{langue}{path}"
    return SITE + path


def sujet_le_plus_long(langue: str) -> str:
    """The longest subject of the médiation's letters, in `langue` (mediation.notifications)."""
    with translation.override(langue):
        return max(
            (
                gettext("Votre demande au médiateur ne peut pas être traitée"),
                gettext("Votre demande relève d'un autre organisme"),
                gettext("Votre dossier de médiation est clôturé"),
            ),
            key=len,
        )


def contexte(langue: str) -> dict:
    agenda = SimpleNamespace(titre=TITRE, lieu=SimpleNamespace(nom=LIEU), uuid="0" * 32)
    return {
        "site_url": SITE,
        "lyon_en_direct": settings.LYON_EN_DIRECT_PHONE,
        "horaires": gettext_lazy(settings.LYON_EN_DIRECT_HOURS),  # as demarches.services gives it
        "telephone": settings.LYON_EN_DIRECT_PHONE,
        "agenda": agenda,
        "lieu": agenda.lieu,
        "permanence": SimpleNamespace(agenda=agenda),
        "debut": DEBUT,
        "expire_at": DEBUT - dt.timedelta(hours=20),
        "date": DEBUT.date(),
        "motif": "absence de l'écrivain public pour raison de santé",
        "reservation": SimpleNamespace(
            reference="RDV-7KQ2MX", prenom="Marie-Christine", nom="Dupont-Fernandez"
        ),
        "demande": SimpleNamespace(
            reference="RAP-7KQ2MX", promesse_at=DEBUT, promesse_texte="mercredi 30 décembre, dans la matinée"
        ),
        "reference": "MED-7KQ2MX",
        "objet": "votre demande au médiateur",
        # mediation/sms/defaut: the longest subject (in the person's language), with the follow-up link
        "sujet": f"{sujet_le_plus_long(langue)} — MED-7KQ2MX",
    }


# The page each SMS's link opens (the others carry none, or the booking's).
LIENS = {
    "booking/attente_offre": "booking:attente_offre",
    "ecrivains/offre": "ecrivains:offre",
    "mediation/defaut": "mediation:suivi",
    "pacte/nouveau_lien": "mediation:suivi",
}


@pytest.mark.parametrize("langue", LANGUES)
def test_every_sms_fits_its_budget_in_every_language(langue):
    """Each SMS template × language, rendered with the longest realistic values, fits 2 GSM-7 or
    3 UCS-2 segments."""
    trop_longs = []
    for message in SMS:
        context = {**contexte(langue), "lien": lien(langue, LIENS.get(message, "booking:gerer"))}
        with translation.override(langue):
            texte = render_text(_templates(message, "sms"), context)
        if segments(texte) > segments_max(texte):
            trop_longs.append(f"{message} [{langue}] {encodage(texte)} {len(texte)} car. : {texte}")
    assert not trop_longs, "\n".join(trop_longs)


def test_an_arabic_sms_keeps_the_place_when_it_fits_and_drops_it_only_when_too_long():
    """`sms_ou`: the full SMS (with the place) whenever it fits the budget, its shorter version
    otherwise — in French the full one always fits; an Arabic SMS names a short place."""
    context = {**contexte("ar"), "lien": lien("ar", "booking:gerer")}
    with translation.override("ar"):
        long = render_text(_templates("booking/confirmation", "sms"), context)
        court = render_text(
            _templates("booking/confirmation", "sms"),
            {**context, "lieu": SimpleNamespace(nom="Mairie du 1er")},
        )
    assert LIEU not in long and segments(long) <= segments_max(long)
    assert "Mairie du 1er" in court and segments(court) <= segments_max(court)
    context = {**contexte("fr"), "lien": lien("fr", "booking:gerer")}
    with translation.override("fr"):
        assert LIEU in render_text(_templates("booking/confirmation", "sms"), context)


def test_segment_counter():
    """GSM-7 160/153 (extension characters count two), UCS-2 70/67 for anything outside GSM-7."""
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("a" * 307) == 3
    assert encodage("é à è ù") == "GSM-7" and encodage("vous êtes") == "UCS-2" and encodage("œ") == "UCS-2"
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extension table: two septets each
    assert segments("س" * 70) == 1 and segments("س" * 71) == 2 and segments("س" * 201) == 3
    assert segments("س" * 202) == 4
