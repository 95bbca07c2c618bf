"""The médiation's messages: letters to the requester, emails to the directions and the team.

Every message of the app is queued here, through the kernel outbox, so that `services` and
`workflows` both import this module and neither imports the other.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pacte.langues import dans_la_langue
from pacte.models import Canal
from pacte.notifications import Personne, notify_person
from pacte.roles import Role
from pacte.site import absolute_url

from .enums import StatutSaisine
from .models import DemandePosition, Message, Proposition, Saisine


def suivi_url(token: str) -> str:
    """The absolute follow-up link of a saisine for `token`."""
    return absolute_url(reverse("mediation:suivi", args=[token]))


def requerant(saisine: Saisine) -> Personne:
    """The requester's contacts, as the kernel's reaching policy reads them."""
    nom = " ".join(p for p in [saisine.prenom, saisine.nom] if p) or saisine.organisme_nom
    return Personne(
        nom=nom,
        email=saisine.email,
        telephone=saisine.telephone,
        adresse=saisine.adresse,
        langue=saisine.langue,
    )


def _notify_requerant(*, saisine: Saisine, template: str, sujet: str, context: dict, cle: str) -> list:
    """Email and/or SMS to the requester; without either, a letter to post for the team."""
    return notify_person(
        personne=requerant(saisine),
        message=f"mediation/{template}",
        context={"saisine": saisine, "mediateur_adresse": settings.MEDIATEUR_ADDRESS, **context},
        sujet=sujet,
        obj=saisine,
        cle=cle,
        repli=Canal.COURRIER,
    )


def accuse_queue(*, saisine: Saisine, token: str) -> list:
    """Queue the acknowledgement to the requester (reference + secret follow-up link); return the rows."""
    with dans_la_langue(saisine.langue):  # the link carries the requester's language
        lien = suivi_url(token)
    return _notify_requerant(
        saisine=saisine,
        template="accuse",
        sujet=format_lazy(
            _("Votre demande au médiateur de la Ville de Lyon — {reference}"), reference=saisine.reference
        ),
        context={"lien": lien},
        cle=f"mediation:accuse:{saisine.uuid}",
    )


def lettre_requerant_queue(*, saisine: Saisine, vers: str, motif: str = "") -> None:
    """The letter telling the requester a decision (irrecevable, réorientée, proposition, clôture)."""
    sujets = {
        StatutSaisine.IRRECEVABLE: _("Votre demande au médiateur ne peut pas être traitée"),
        StatutSaisine.REORIENTEE: _("Votre demande relève d'un autre organisme"),
        StatutSaisine.PROPOSITION: _("Le médiateur vous propose une solution"),
        StatutSaisine.CLOTUREE: _("Votre dossier de médiation est clôturé"),
    }
    n = saisine.transitions.count()
    _notify_requerant(
        saisine=saisine,
        template=f"lettre_{vers}",
        sujet=format_lazy("{} — {}", sujets[vers], saisine.reference),
        context={"motif": motif},
        cle=f"mediation:lettre:{saisine.uuid}:{vers}:{n}",
    )


def message_queue(*, message: Message) -> None:
    """Send the requester a message written by the médiateur's team."""
    saisine = message.saisine
    _notify_requerant(
        saisine=saisine,
        template="message",
        sujet=format_lazy(_("Un message du médiateur — {reference}"), reference=saisine.reference),
        context={"message": message},
        cle=f"mediation:message:{message.pk}",
    )


def referents_of(direction) -> list[str]:
    """Emails of the référents of a direction (role REFERENT with that direction)."""
    users = (
        get_user_model()
        .objects.filter(groups__name=Role.REFERENT, profil__direction=direction, is_active=True)
        .exclude(email="")
    )
    emails = sorted({u.email for u in users})
    if not emails and direction.email:
        emails = [direction.email]
    return emails


def demande_position_queue(*, demande: DemandePosition) -> None:
    """Email the direction's référents the médiateur's request for position."""
    for email in referents_of(demande.direction):
        notify_person(
            personne=Personne(email=email),
            message="mediation/demande_position",
            context={"demande": demande},
            sujet=f"Le médiateur demande la position de votre direction — {demande.saisine.reference}",
            obj=demande,
            cle=f"mediation:dp:{demande.uuid}:{email}",
        )


def position_recue_queue(*, demande: DemandePosition) -> None:
    """Tell the médiateur's team that a direction answered."""
    notify_person(
        personne=Personne(email=settings.MEDIATEUR_EMAIL),
        message="mediation/position_recue",
        context={"demande": demande},
        sujet=f"Réponse de {demande.direction.sigle} — {demande.saisine.reference}",
        obj=demande,
        cle=f"mediation:dp-reponse:{demande.uuid}",
    )


def relance_queue(*, demande: DemandePosition, today: dt.date) -> None:
    """Remind the référents of an overdue request for position (once per day and address)."""
    for email in referents_of(demande.direction):
        notify_person(
            personne=Personne(email=email),
            message="mediation/relance",
            context={"demande": demande},
            sujet=f"Relance : le médiateur attend votre réponse — {demande.saisine.reference}",
            obj=demande,
            cle=f"mediation:relance:{demande.uuid}:{today.isoformat()}:{email}",
        )


def proposition_queue(*, proposition: Proposition) -> None:
    """Tell the direction's référents about a proposal addressed to them."""
    for email in referents_of(proposition.direction):
        notify_person(
            personne=Personne(email=email),
            message="mediation/proposition",
            context={"proposition": proposition},
            sujet=f"Proposition d'amélioration du médiateur {proposition.numero}",
            obj=proposition,
            cle=f"mediation:proposition:{proposition.uuid}:{email}",
        )
