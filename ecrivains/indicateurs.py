"""Live indicators of the écrivains publics permanences for the Pacte tracker (actions A2, A12)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from pacte.booking.models import Reservation, Statut
from pacte.booking.selectors import local_tz
from pacte.tracker.registry import Indicateur

from .models import AGENDA_KIND


def _periode(qs, debut, fin):
    tz = local_tz()
    if debut:
        qs = qs.filter(debut__gte=dt.datetime.combine(debut, dt.time.min, tzinfo=tz))
    if fin:
        qs = qs.filter(debut__lt=dt.datetime.combine(fin + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs


def permanences_tenues(debut: dt.date | None = None, fin: dt.date | None = None) -> int:
    """Sessions held: distinct (permanence, day) where at least one person was received."""
    qs = _periode(Reservation.objects.filter(agenda__kind=AGENDA_KIND, statut=Statut.HONOREE), debut, fin)
    return (
        qs.annotate(jour=TruncDate("debut", tzinfo=local_tz())).values("agenda_id", "jour").distinct().count()
    )


def personnes_aidees(debut: dt.date | None = None, fin: dt.date | None = None) -> int:
    """People received by an écrivain public (appointments marked arrived, walk-ins included)."""
    qs = _periode(Reservation.objects.filter(agenda__kind=AGENDA_KIND, statut=Statut.HONOREE), debut, fin)
    return qs.aggregate(n=Count("id"))["n"]


INDICATEURS = [
    Indicateur(
        code="ecrivains_permanences_tenues",
        titre=_("Permanences d'écrivains publics tenues"),
        unite=_("demi-journées"),
        calcul=permanences_tenues,
        actions=("A2", "A12"),
        url_name="ecrivains:recherche",
        description=_(
            "Nombre de séances (une permanence un jour donné) où au moins une personne a été reçue."
        ),
    ),
    Indicateur(
        code="ecrivains_personnes_aidees",
        titre=_("Personnes aidées par un écrivain public"),
        unite=_("personnes"),
        calcul=personnes_aidees,
        actions=("A2", "A12"),
        url_name="ecrivains:recherche",
        description=_("Rendez-vous honorés et passages sans rendez-vous."),
    ),
]
