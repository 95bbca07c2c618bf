"""Default response commitments (idempotent; existing rows edited in the admin are kept)."""

from . import conf
from .models import Engagement


def load(stdout=None) -> None:
    for urgence, jours in conf.DELAIS_DEFAUT.items():
        Engagement.objects.get_or_create(
            urgence=urgence, defaults={"jours_ouvres": jours, "rappel_jours_avant": conf.RAPPEL_JOURS_DEFAUT}
        )
    if stdout:
        stdout.write("Engagements de délai des demandes d'appui : OK")
