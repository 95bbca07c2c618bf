"""Import closures from an iCalendar file: `import_fermetures_ics <lieu-slug|agenda-uuid> file.ics`.

Each VEVENT becomes a `Fermeture` of the lieu (all its agendas) or of one agenda. Idempotent by
the event's UID: importing the same file twice updates the closures instead of duplicating them.
All-day events close whole days (00:00 → 24:00, local time).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_mod

import icalendar
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pacte.models import Lieu

from ...models import Agenda, Fermeture
from ...selectors import local_tz


def _aware(value, *, end=False) -> dt.datetime:
    tz = local_tz()
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return dt.datetime.combine(value, dt.time.min, tzinfo=tz)


def import_ics(*, cible: str, content: bytes) -> tuple[int, int]:
    """Import VEVENTs of `content` as closures of the lieu (slug) or agenda (uuid) `cible`.
    Returns (created, updated)."""
    target: dict = {}
    try:
        target["agenda"] = Agenda.objects.get(uuid=uuid_mod.UUID(cible))
    except (ValueError, Agenda.DoesNotExist):
        lieu = Lieu.objects.filter(slug=cible).first()
        if lieu is None:
            raise CommandError(f"Aucun lieu ni agenda « {cible} ».") from None
        target["lieu"] = lieu
    try:
        calendar = icalendar.Calendar.from_ical(content)
    except ValueError as exc:
        raise CommandError(f"Fichier ICS illisible : {exc}") from exc
    created = updated = 0
    with transaction.atomic():
        for event in calendar.walk("VEVENT"):
            uid = str(event.get("uid") or "")
            start = event.get("dtstart")
            if not uid or start is None:
                continue
            debut = _aware(start.dt)
            end = event.get("dtend")
            if end is not None:
                fin = _aware(end.dt)
            elif isinstance(start.dt, dt.datetime):
                fin = debut + dt.timedelta(hours=1)
            else:
                fin = debut + dt.timedelta(days=1)
            if fin <= debut:
                continue
            motif = str(event.get("summary") or "Fermeture")[:200]
            _obj, was_created = Fermeture.objects.update_or_create(
                uid=uid, **target, defaults={"debut": debut, "fin": fin, "motif": motif}
            )
            created += was_created
            updated += not was_created
    return created, updated


class Command(BaseCommand):
    help = "Importe des fermetures depuis un fichier ICS (idempotent par UID)."

    def add_arguments(self, parser):
        parser.add_argument("cible", help="slug du lieu ou uuid de l'agenda")
        parser.add_argument("fichier", help="fichier .ics")

    def handle(self, *args, cible, fichier, **options):
        try:
            with open(fichier, "rb") as handle:
                content = handle.read()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        created, updated = import_ics(cible=cible, content=content)
        self.stdout.write(f"{created} fermeture(s) créée(s), {updated} mise(s) à jour.")
