"""Reads for the démarches screens (public catalogue, callback queue, measures)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from pacte.booking.models import Agenda
from pacte.models import Canal, Lieu, Notification
from pacte.traductions import recherche_q

from . import ligne
from .enums import StatutRappel
from .models import Alternative, DemandeRappel, Demarche, TentativeAppel

# The name of the démarche pages' rendered content in pacte.cache_reference (demarches.apps).
DETAIL_PAGE = "demarches-detail"


def _alternatives_actives():
    return Prefetch(
        "alternatives",
        queryset=Alternative.objects.actives().prefetch_related(
            Prefetch("lieux", queryset=Lieu.objects.actifs().select_related("arrondissement")),
            Prefetch(
                "agendas",
                queryset=Agenda.objects.filter(is_active=True).select_related("lieu").order_by("lieu__nom"),
                to_attr="agendas_reservables",
            ),
        ),
        to_attr="alternatives_actives",
    )


def demarche_list_public(*, q: str = "", categorie: str = "") -> QuerySet[Demarche]:
    """Published e-services matching words (title/description, any order) and a category."""
    qs = Demarche.objects.publiees()
    for word in q.split()[:8]:
        qs = qs.filter(recherche_q(("titre", "description"), word) | Q(categorie__icontains=word))
    if categorie:
        qs = qs.filter(categorie=categorie)
    return qs.order_by("categorie", "titre")


def demarche_categories() -> list[str]:
    return list(
        Demarche.objects.publiees().order_by("categorie").values_list("categorie", flat=True).distinct()
    )


def demarche_detail_public(slug: str) -> QuerySet[Demarche]:
    """The queryset to fetch one published e-service with its active alternatives and their lieux."""
    return (
        Demarche.objects.publiees()
        .filter(slug=slug)
        .select_related("direction")
        .prefetch_related(_alternatives_actives())
    )


def demarche_engagement_lignes() -> list[dict]:
    """One row per published e-service: its active alternatives by type (engagement table).

    Two queries whatever the catalogue size; lieux are counted in SQL, not loaded.
    """
    demarches = list(Demarche.objects.publiees().order_by("categorie", "titre").only("slug", "titre"))
    alternatives = (
        Alternative.objects.actives()
        .filter(demarche__in=demarches)
        .annotate(nb_lieux=Count("lieux", filter=Q(lieux__is_active=True)))
        .order_by("ordre", "id")
    )
    par_demarche: dict[int, dict] = {d.pk: {} for d in demarches}
    for alternative in alternatives:
        par_demarche[alternative.demarche_id].setdefault(alternative.type, alternative)
    return [{"demarche": d, **par_demarche[d.pk]} for d in demarches]


def demande_rappel_file(
    *, inclure_closes: bool = False, now: dt.datetime | None = None, langue: str = ""
) -> QuerySet[DemandeRappel]:
    """The callback queue, with attempt counts: open requests, those who prefer the current moment
    of the line (« mardi matin », `ligne.moment_de(now)`) first, then by deadline (overdue first)
    and age. Outside the line's hours, by deadline and age only. `langue`: only the people served
    in that language (an agent who speaks it calls them back)."""
    qs = DemandeRappel.objects.select_related("demarche", "agent").with_tentatives()
    if langue:
        qs = qs.filter(langue=langue)
    if inclure_closes:
        return qs.order_by("-created_at")
    return qs.file(moment=ligne.moment_de(now or timezone.now()))


def courriers_a_envoyer() -> QuerySet[DemandeRappel]:
    """Callback requests whose fallback letter (a kernel task) is still to be posted."""
    taches = Notification.objects.taches_a_faire().filter(canal=Canal.COURRIER)
    return DemandeRappel.objects.filter(pk__in=taches.ids_of(DemandeRappel)).order_by("repli_at")


def demande_rappel_detail(uuid) -> QuerySet[DemandeRappel]:
    return (
        DemandeRappel.objects.select_related("demarche", "agent")
        .prefetch_related(Prefetch("tentatives", queryset=TentativeAppel.objects.select_related("agent")))
        .filter(uuid=uuid)
    )


def rappel_promesse_mesure(debut: dt.date | None = None, fin: dt.date | None = None) -> dict:
    """Callbacks whose promise is due in the period (or that are closed): how many kept the promise.

    Counted: requests created in [debut, fin] that are closed, or whose promised deadline has passed.
    Kept: « joint » at or before the promised deadline.
    """
    now = timezone.now()
    qs = DemandeRappel.objects.all()
    if debut:
        qs = qs.filter(created_at__date__gte=debut)
    if fin:
        qs = qs.filter(created_at__date__lte=fin)
    echeance = Q(statut__in=[StatutRappel.JOINT, StatutRappel.ABANDONNEE]) | Q(promesse_at__lt=now)
    return qs.aggregate(
        total=Count("id", filter=echeance),
        tenues=Count("id", filter=Q(statut=StatutRappel.JOINT, clos_at__lte=F("promesse_at"))),
        en_retard=Count(
            "id", filter=Q(statut__in=[StatutRappel.EN_ATTENTE, StatutRappel.EN_COURS], promesse_at__lt=now)
        ),
        replis=Count("id", filter=Q(statut=StatutRappel.ABANDONNEE)),
        ouvertes=Count("id", filter=Q(statut__in=[StatutRappel.EN_ATTENTE, StatutRappel.EN_COURS])),
    )


#: The same callback form sent again (a double click, a second tab, « Envoyer » pressed twice on a
#: slow line) within this delay asks once.
RAPPEL_DOUBLON = dt.timedelta(minutes=10)


def rappel_doublon_recent(
    *,
    canal: str,
    actor,
    nom: str,
    telephone: str,
    email: str,
    objet: str,
    adresse_postale: str,
    creneaux_preferes: list[str],
    demarche,
    now: dt.datetime,
) -> DemandeRappel | None:
    """The same callback (same channel and author, name, phone, email and subject) asked a moment
    ago and still waiting (every field the same), or None (`services.demande_rappel_create` then answers with it instead
    of a second request: one call, one SMS). Everything must match, so a citizen sent back to the
    confirmation learns nothing they did not type."""
    return (
        DemandeRappel.objects.filter(
            created_by=actor if actor is not None and actor.is_authenticated else None,
            canal=canal,
            statut=StatutRappel.EN_ATTENTE,
            nom=nom.strip(),
            telephone=telephone,
            email=email.strip(),
            objet=objet.strip(),
            adresse_postale=adresse_postale,
            creneaux_preferes=creneaux_preferes,
            demarche=demarche,
            created_at__range=(now - RAPPEL_DOUBLON, now),
        )
        .order_by("-created_at")
        .first()
    )


PLAFONDS = "demarches-plafonds"  # the per-person caps of each agenda, in pacte.cache_reference


def plafonds_of_agenda(agenda: Agenda) -> list:
    """The per-person booking caps of `agenda` for the engine (`pacte.booking.hooks`): one per
    démarche that offers it (through a counter alternative) and sets `rdv_max_par_personne`,
    over every agenda of that démarche's alternatives. Reference content: from the cache (no
    query on a hit), invalidated when a démarche, an alternative or their agendas change (apps)."""
    from pacte.cache_reference import cached

    return cached(PLAFONDS, str(agenda.pk), lambda: _plafonds_of_agenda(agenda))


def _plafonds_of_agenda(agenda: Agenda) -> list:
    from pacte.booking.hooks import Plafond

    lignes = (
        Alternative.objects.filter(
            demarche__rdv_max_par_personne__isnull=False,
            demarche__alternatives__agendas=agenda,
            agendas__isnull=False,
        )
        .values_list("demarche_id", "demarche__titre", "demarche__rdv_max_par_personne", "agendas")
        .distinct()
    )
    plafonds: dict[int, tuple[str, int, set[int]]] = {}
    for demarche_id, titre, maximum, agenda_id in lignes:
        plafonds.setdefault(demarche_id, (titre, maximum, set()))[2].add(agenda_id)
    return [
        Plafond(maximum=maximum, agendas=frozenset(agendas), libelle=titre)
        for titre, maximum, agendas in plafonds.values()
    ]
