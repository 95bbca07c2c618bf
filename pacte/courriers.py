"""Letters to post (G5): the day's pending « courrier à envoyer » tasks as one printable PDF.

`notify_person` queues a letter task with its printable body (see `pacte.notifications`). Here the
agents who handle them get the letters in their scope, print them all as ONE tagged A4 PDF (each
letter on its own pages, the City's return address at the top, the recipient's address placed in
the window of a French DL envelope, 45 × 100 mm at 20 mm from the right and 15 mm from the bottom,
the sheet folded in three; under it the date and the reference of the file the letter is about),
then mark them posted: each task moves to « envoyé » through
`tache_faite` (journaled) and its delivery log reads « Courrier envoyé le … ».

Scope: a letter belongs to the team that handles its object. The médiateur's team posts the
letters about saisines; the reception agents post every other letter.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.html import linebreaks
from django.utils.translation import get_language_info

from .encryption import decrypt
from .forms import ADRESSE_LIGNE_MAX, ADRESSE_LIGNES_MAX, adresse_lignes
from .models import Canal, Notification
from .notifications import tache_faite
from .pdf import render_pdf
from .roles import Role, has_role

# Objects whose letters the médiateur's team posts (confidential case files).
OBJETS_MEDIATION = ("mediation.saisine",)


def courriers_a_poster_for(user) -> QuerySet[Notification]:
    """The pending letters `user` may print and post, oldest first (empty outside these roles)."""
    qs = Notification.objects.taches_a_faire().filter(canal=Canal.COURRIER)
    mediation = has_role(user, Role.MEDIATEUR, Role.ADMIN)
    accueil = has_role(user, Role.AGENT, Role.ADMIN)
    if mediation and accueil:
        return qs
    if mediation:
        return qs.filter(object_type__in=OBJETS_MEDIATION)
    if accueil:
        return qs.exclude(object_type__in=OBJETS_MEDIATION)
    return qs.none()


def references(courriers) -> dict[int, str]:
    """The reference of the file each letter is about (booking, callback, saisine, demande d'appui…),
    by letter pk: one query per kind of object, whatever the app (its model's `reference` field)."""
    par_type = defaultdict(list)
    for notification in courriers:
        if notification.object_type and notification.object_id:
            par_type[notification.object_type].append(notification)
    found = {}
    for label, rows in par_type.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        if "reference" not in {field.name for field in model._meta.get_fields()}:
            continue
        refs = dict(
            model._default_manager.filter(pk__in=[n.object_id for n in rows]).values_list("pk", "reference")
        )
        for notification in rows:
            reference = refs.get(model._meta.pk.to_python(notification.object_id))
            if reference:
                found[notification.pk] = reference
    return found


def fenetre(destinataire: str) -> list[str]:
    """The lines the envelope window shows for `destinataire` (the name, then the address): each
    cut at ADRESSE_LIGNE_MAX characters, and, past the window's lines, the last ones kept (the
    street, the postcode and the town) after the first (the name) — never a hidden postcode."""
    lignes = []
    for ligne in adresse_lignes(destinataire).splitlines():
        lignes += textwrap.wrap(ligne, ADRESSE_LIGNE_MAX, break_long_words=True, break_on_hyphens=True)
    if len(lignes) > ADRESSE_LIGNES_MAX + 1:
        lignes = lignes[:1] + lignes[-ADRESSE_LIGNES_MAX:]
    return lignes


def _lettre(notification: Notification, reference: str) -> dict:
    html = decrypt(notification.corps_html) if notification.corps_html else ""
    if not html:  # a letter queued before letters had their printable body
        html = linebreaks(decrypt(notification.corps))
    return {
        "uuid": notification.uuid,
        "adresse": fenetre(notification.destinataire),
        "objet": notification.sujet,
        "reference": reference,
        "date": timezone.localdate(notification.created_at),
        "corps": html,
        "langue": notification.langue,
        "rtl": get_language_info(notification.langue)["bidi"],
    }


def courriers_pdf(*, courriers: QuerySet[Notification] | list[Notification]) -> bytes:
    """One tagged A4 PDF with every letter of `courriers`, each starting on a new page."""
    refs = references(courriers)
    return render_pdf(
        template="pacte/pdf/courriers.html",
        context={
            "lettres": [_lettre(n, refs.get(n.pk, "")) for n in courriers],
            "expediteur": settings.CITY_POSTAL_ADDRESS,
            "imprime_le": timezone.localdate(),
        },
    )


@transaction.atomic
def courriers_poster(*, courriers: QuerySet[Notification], uuids: list[str], actor) -> int:
    """Mark the letters `uuids` (among the caller's scoped `courriers`) as posted; return how many.

    Each one goes through `tache_faite` (status move, journal entry, body blanked). An unknown
    letter, or one outside the scope, is refused as a whole (ValidationError).
    """
    try:
        found = list(courriers.filter(uuid__in=uuids))
    except (ValidationError, ValueError):
        found = []
    if not uuids or len(found) != len(set(uuids)):
        raise ValidationError("Ces courriers n'existent pas ou ne sont pas à vous.")
    for notification in found:
        tache_faite(notification=notification, actor=actor)
    return len(found)
