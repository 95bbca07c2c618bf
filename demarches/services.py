"""Writes of the démarches app: publication under G1, alternatives, callback requests and attempts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pacte.forms import adresse_lignes
from pacte.journal import journal_record
from pacte.langues import langue_active, langue_valide
from pacte.models import Canal, Notification
from pacte.notifications import Personne, canaux_phrase, notify_person, tache_faite
from pacte.phones import phone_display, phone_normalize
from pacte.secret_links import reference_new
from pacte.verrous import xact_lock
from pacte.workflows import TransitionInterdite, transition

from . import ligne
from .enums import CanalRappel, Repli, ResultatAppel, StatutRappel
from .models import Alternative, DemandeRappel, Demarche, TentativeAppel
from .selectors import rappel_doublon_recent
from .workflows import OUVERTS, TABLE

G1_MESSAGE = (
    "« {titre} » ne peut pas être publiée : elle n'a aucune alternative active "
    "(guichet, téléphone, rappel ou courrier). Ajoutez ou réactivez une alternative d'abord."
)
G1_DERNIERE_MESSAGE = (
    "Impossible de désactiver la dernière alternative active de « {titre} », qui est publiée : "
    "ajoutez d'abord une autre alternative, ou retirez la démarche de la publication."
)


def demarche_g1_guard(demarche: Demarche) -> None:
    """Raise a French ValidationError when `demarche` is published without an active alternative (G1).

    Used by `demarche_publish`, by the admin after its inlines are saved, and by
    `alternative_deactivate`.
    """
    if demarche.is_published and not Alternative.objects.filter(demarche=demarche, is_active=True).exists():
        raise ValidationError(G1_MESSAGE.format(titre=demarche.titre), code="g1_sans_alternative")


@transaction.atomic
def demarche_publish(*, demarche: Demarche, actor=None) -> Demarche:
    """Publish an e-service; refused (ValidationError) unless it has ≥ 1 active alternative (G1)."""
    demarche = Demarche.objects.select_for_update().get(pk=demarche.pk)
    if not Alternative.objects.filter(demarche=demarche, is_active=True).exists():
        raise ValidationError(G1_MESSAGE.format(titre=demarche.titre), code="g1_sans_alternative")
    if not demarche.is_published:
        demarche.is_published = True
        demarche.full_clean()
        demarche.save(update_fields=["is_published", "updated_at"])
        journal_record(action="demarche.publiee", actor=actor, obj=demarche, message=demarche.titre)
    return demarche


@transaction.atomic
def demarche_unpublish(*, demarche: Demarche, actor=None) -> Demarche:
    """Withdraw an e-service from the public catalogue."""
    if demarche.is_published:
        demarche.is_published = False
        demarche.save(update_fields=["is_published", "updated_at"])
        journal_record(action="demarche.depubliee", actor=actor, obj=demarche, message=demarche.titre)
    return demarche


@transaction.atomic
def alternative_deactivate(*, alternative: Alternative, actor=None) -> Alternative:
    """Deactivate an alternative. Refused for the last active alternative of a published e-service.

    Decision (G1): refusing is safer than silently unpublishing, because unpublishing would hide
    the e-service's page (and its remaining help) from citizens who rely on it.
    """
    demarche = Demarche.objects.select_for_update().get(pk=alternative.demarche_id)
    if not alternative.is_active:
        return alternative
    others = Alternative.objects.filter(demarche=demarche, is_active=True).exclude(pk=alternative.pk)
    if demarche.is_published and not others.exists():
        raise ValidationError(
            G1_DERNIERE_MESSAGE.format(titre=demarche.titre), code="g1_derniere_alternative"
        )
    alternative.is_active = False
    alternative.save(update_fields=["is_active"])
    journal_record(action="alternative.desactivee", actor=actor, obj=alternative, message=str(alternative))
    return alternative


def rappel_promesse(created_at: dt.datetime) -> dt.datetime:
    """The deadline promised to the citizen: the end of the line's half-day N business days
    (holidays skipped) after its next opening (`demarches.ligne.promesse`)."""
    return ligne.promesse(created_at)


@transaction.atomic
def demande_rappel_create(
    *,
    nom: str,
    telephone: str,
    objet: str,
    creneaux_preferes: list[str] | tuple[str, ...] = (),
    demarche: Demarche | None = None,
    email: str = "",
    adresse_postale: str = "",
    canal: str = CanalRappel.EN_LIGNE,
    actor=None,
    now: dt.datetime | None = None,
    langue: str | None = None,
) -> DemandeRappel:
    """Record a callback request, compute its promise and confirm it by SMS (mobile) and/or email.

    `adresse_postale` (optional) is where the fallback letter goes when the person has neither email
    nor mobile and cannot be reached by phone (`_repli`).

    The same request sent again within minutes (double click, second tab) is not recorded twice:
    the first one is returned, nothing more is sent (`selectors.rappel_doublon_recent`, checked
    under a lock on the phone number so two simultaneous sends see each other).

    `langue`: the person's language (`pacte.langues`; the request's by default), their messages'."""
    now = now or timezone.now()
    telephone = phone_normalize(telephone)
    xact_lock(f"demarches.rappel:{telephone}")
    doublon = rappel_doublon_recent(
        canal=canal,
        actor=actor,
        nom=nom,
        telephone=telephone,
        email=email,
        objet=objet,
        adresse_postale=adresse_lignes(adresse_postale),
        creneaux_preferes=list(creneaux_preferes),
        demarche=demarche,
        now=now,
    )
    if doublon is not None:
        return doublon
    demande = DemandeRappel(
        reference=reference_new("RAP"),
        demarche=demarche,
        nom=nom.strip(),
        telephone=telephone,
        email=email.strip(),
        adresse_postale=adresse_lignes(adresse_postale),
        objet=objet.strip(),
        creneaux_preferes=list(creneaux_preferes),
        canal=canal,
        created_at=now,
        created_by=actor,
        promesse_at=rappel_promesse(now),
        langue=langue_valide(langue) if langue else langue_active(),
    )
    demande.full_clean()
    demande.save()
    journal_record(
        action="rappel.demande",
        actor=actor,
        obj=demande,
        message=f"Demande de rappel {demande.reference} ({demande.get_canal_display()})",
    )
    notify_person(
        personne=personne(demande),
        message="demarches/rappel_confirmation",
        context={"demande": demande, "telephone": phone_display(demande.telephone)},
        sujet=format_lazy(_("Votre demande de rappel {reference}"), reference=demande.reference),
        obj=demande,
        cle=f"rappel-confirmation-{demande.uuid}",
    )
    return demande


@transaction.atomic
def demande_rappel_take(*, demande: DemandeRappel, agent) -> DemandeRappel:
    """An agent takes an open request (en attente → en cours); taking it again re-assigns it.

    A closed request raises a French ValidationError (code « close »).
    """
    try:
        return transition(
            demande,
            StatutRappel.EN_COURS,
            TABLE,
            agent,
            fields={"agent": agent, "pris_at": timezone.now()},
            journal="rappel.pris",
            message=demande.reference,
        )
    except TransitionInterdite:
        raise ValidationError("Cette demande est déjà close.", code="close") from None


@transaction.atomic
def tentative_record(
    *, demande: DemandeRappel, agent, resultat: str, note: str = "", at: dt.datetime | None = None
) -> TentativeAppel:
    """Log a call attempt. Joint closes the request; after N counted failures (inside the line's
    hours, spaced by `RAPPEL_ECART_MIN_MINUTES`: `comptes`) the fallback is triggered.

    Fallback, by the kernel's policy (`pacte.notifications.notify_person`): an SMS when the
    number is a mobile and/or an email when an address was given; otherwise a letter task for
    the agents (`repli = courrier`, shown in the queue until marked posted). The request is then
    closed as « abandonnée » (non joint, repli fait).
    """
    # Locked first: the outcome depends on the attempts already logged.
    demande = DemandeRappel.objects.select_for_update().get(pk=demande.pk)
    if demande.statut not in OUVERTS:
        raise ValidationError(
            "Cette demande est déjà close : aucune tentative ne peut être ajoutée.", code="close"
        )
    if resultat not in ResultatAppel.values:
        raise ValidationError("Résultat d'appel inconnu.", code="resultat")
    at = at or timezone.now()
    tentative = TentativeAppel(demande=demande, agent=agent, at=at, resultat=resultat, note=note.strip())
    tentative.full_clean()
    tentative.save()
    fields = {"agent": agent, "pris_at": at} if demande.agent_id is None else {}
    apply = None
    if resultat == ResultatAppel.JOINT:
        vers, fields["clos_at"] = StatutRappel.JOINT, at
    elif comptes(demande) >= settings.RAPPEL_TENTATIVES_MAX:
        vers, apply = StatutRappel.ABANDONNEE, lambda locked, de: _repli(locked, at)
    else:
        vers = StatutRappel.EN_COURS
    transition(
        demande,
        vers,
        TABLE,
        agent,
        fields=fields,
        apply=apply,
        journal="rappel.tentative",
        message=lambda de, vers: f"{tentative.get_resultat_display()} — statut : {TABLE.label(vers)}",
        data={"resultat": resultat},
    )
    return tentative


def comptes(demande: DemandeRappel) -> int:
    """Failed calls that count towards the fallback: inside the line's hours and spaced by
    `RAPPEL_ECART_MIN_MINUTES` (`demarches.ligne.echecs_comptes`)."""
    return sum(1 for _t, raison in ligne.echecs_comptes(demande.tentatives.all()) if not raison)


def personne(demande: DemandeRappel) -> Personne:
    """The person of a callback request, as the kernel's reaching policy reads them."""
    return Personne(
        nom=demande.nom,
        email=demande.email,
        telephone=demande.telephone,
        adresse=demande.adresse_postale,
        langue=demande.langue,
    )


def repli_annonce(demande: DemandeRappel) -> str:
    """How the fallback would reach the person, in the page's language for their confirmation page (« par SMS au
    06 … », « par courrier à l'adresse 5 rue Mercière, 69002 Lyon »); "" when it would be a letter
    to an address nobody gave (the page then points to Lyon en direct instead)."""
    qui = personne(demande)
    if not (qui.email or qui.has_mobile or qui.adresse):
        return ""
    phrase = canaux_phrase(qui, repli=Canal.COURRIER)
    if not (qui.email or qui.has_mobile):
        phrase += _(" à l'adresse %(adresse)s") % {"adresse": ", ".join(qui.adresse.splitlines())}
    return phrase


def _repli(demande: DemandeRappel, at: dt.datetime) -> list[str]:
    """Close the request (being moved to « abandonnée ») with its fallback; returns the fields set.

    Not reached: tell the person by SMS (mobile) and/or email, else a letter for the agents.
    """
    demande.clos_at = at
    demande.repli_at = at
    rows = notify_person(
        personne=personne(demande),
        message="demarches/rappel_repli",
        context={
            "demande": demande,
            "telephone": settings.LYON_EN_DIRECT_PHONE,
            "horaires": _(settings.LYON_EN_DIRECT_HOURS),  # in the person's language (the catalogue)
            "numero": phone_display(demande.telephone),
        },
        sujet=format_lazy(
            _("Nous n'avons pas réussi à vous joindre ({reference})"), reference=demande.reference
        ),
        obj=demande,
        cle=f"rappel-repli-{demande.uuid}",
        repli=Canal.COURRIER,
    )
    canaux_utilises = {row.canal for row in rows}
    if Canal.SMS in canaux_utilises:
        demande.repli = Repli.SMS
    elif Canal.EMAIL in canaux_utilises:
        demande.repli = Repli.EMAIL
    else:
        demande.repli = Repli.COURRIER
    return ["clos_at", "repli_at", "repli"]


def courrier_repli_mark_sent(*, demande: DemandeRappel, agent) -> DemandeRappel:
    """The agent confirms the fallback letter was posted (the kernel task is done, journaled)."""
    tache = Notification.objects.taches_a_faire().about(demande).filter(canal=Canal.COURRIER).first()
    if demande.repli != Repli.COURRIER or tache is None:
        raise ValidationError("Aucun courrier de repli n'est à envoyer pour cette demande.", code="repli")
    tache_faite(notification=tache, actor=agent)
    return demande


def difficulte_record(
    *, demarche: Demarche, blocages: list[str], dispositif: str = "", arrondissement=None
) -> object:
    """Record an anonymous difficulty with an e-service in the non-recours observatory (no identity)."""
    from nonrecours.services import observation_record

    from .enums import BLOCAGE_RAISON

    raisons = sorted({BLOCAGE_RAISON[code] for code in blocages if code in BLOCAGE_RAISON})
    return observation_record(
        source="usager_demarche",
        demarche_slug=demarche.slug,
        demarche_titre=demarche.titre,
        raisons=raisons,
        dispositifs=[dispositif] if dispositif else [],
        arrondissement=arrondissement,
    )
