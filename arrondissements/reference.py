"""Default response commitments (idempotent; existing rows edited in the admin are kept)."""

from django.conf import settings

from .models import Engagement


def load(stdout=None) -> None:
    for urgence, jours in settings.ARRONDISSEMENTS_DELAIS.items():
        Engagement.objects.get_or_create(
            urgence=urgence,
            defaults={"jours_ouvres": jours, "rappel_jours_avant": settings.ARRONDISSEMENTS_RAPPEL_JOURS},
        )
    if stdout:
        stdout.write("Engagements de délai des demandes d'appui : OK")
