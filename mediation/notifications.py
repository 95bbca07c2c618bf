"""The médiation's messages: letters to the requester, emails to the directions and the team.

Every message of the app is queued here, through the kernel outbox, so that `services` and
`workflows` both import this module and neither imports the other.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model

from pacte.notifications import notification_queue_template
from pacte.phones import phone_is_mobile
from pacte.roles import Role

from .enums import StatutSaisine
from .models import DemandePosition, Message, Proposition, Saisine


def suivi_url(token: str) -> str:
    """The absolute follow-up link of a saisine for `token`."""
    return f"{settings.SITE_URL}/mediateur/suivi/{token}/"


def _notify_requerant(*, saisine: Saisine, template: str, sujet: str, context: dict, cle: str) -> None:
    """Email the requester if we have an address, otherwise a short SMS if we have a mobile."""
    context = {"saisine": saisine, "mediateur_adresse": settings.MEDIATEUR_ADDRESS, **context}
    if saisine.email:
        notification_queue_template(
            canal="email",
            destinataire=saisine.email,
            template=f"mediation/emails/{template}.txt",
            context=context,
            sujet=sujet,
            obj=saisine,
            cle=cle,
        )
    elif saisine.telephone and phone_is_mobile(saisine.telephone):
        notification_queue_template(
            canal="sms",
            destinataire=saisine.telephone,
            template="mediation/emails/sms.txt",
            context={**context, "sujet": sujet},
            obj=saisine,
            cle=cle,
        )


def accuse_queue(*, saisine: Saisine, token: str) -> None:
    """Queue the acknowledgement to the requester (reference + secret follow-up link)."""
    _notify_requerant(
        saisine=saisine,
        template="accuse",
        sujet=f"Votre demande au médiateur de la Ville de Lyon — {saisine.reference}",
        context={"lien": suivi_url(token)},
        cle=f"mediation:accuse:{saisine.uuid}",
    )


def lettre_requerant_queue(*, saisine: Saisine, vers: str, motif: str = "") -> None:
    """The letter telling the requester a decision (irrecevable, réorientée, proposition, clôture)."""
    sujets = {
        StatutSaisine.IRRECEVABLE: "Votre demande au médiateur ne peut pas être traitée",
        StatutSaisine.REORIENTEE: "Votre demande relève d'un autre organisme",
        StatutSaisine.PROPOSITION: "Le médiateur vous propose une solution",
        StatutSaisine.CLOTUREE: "Votre dossier de médiation est clôturé",
    }
    n = saisine.transitions.count()
    _notify_requerant(
        saisine=saisine,
        template=f"lettre_{vers}",
        sujet=f"{sujets[vers]} — {saisine.reference}",
        context={"motif": motif},
        cle=f"mediation:lettre:{saisine.uuid}:{vers}:{n}",
    )


def message_queue(*, message: Message) -> None:
    """Send the requester a message written by the médiateur's team."""
    saisine = message.saisine
    _notify_requerant(
        saisine=saisine,
        template="message",
        sujet=f"Un message du médiateur — {saisine.reference}",
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
        notification_queue_template(
            canal="email",
            destinataire=email,
            template="mediation/emails/demande_position.txt",
            context={"demande": demande},
            sujet=f"Le médiateur demande la position de votre direction — {demande.saisine.reference}",
            obj=demande,
            cle=f"mediation:dp:{demande.uuid}:{email}",
        )


def position_recue_queue(*, demande: DemandePosition) -> None:
    """Tell the médiateur's team that a direction answered."""
    notification_queue_template(
        canal="email",
        destinataire=settings.MEDIATEUR_EMAIL,
        template="mediation/emails/position_recue.txt",
        context={"demande": demande},
        sujet=f"Réponse de {demande.direction.sigle} — {demande.saisine.reference}",
        obj=demande,
        cle=f"mediation:dp-reponse:{demande.uuid}",
    )


def relance_queue(*, demande: DemandePosition, today: dt.date) -> None:
    """Remind the référents of an overdue request for position (once per day and address)."""
    for email in referents_of(demande.direction):
        notification_queue_template(
            canal="email",
            destinataire=email,
            template="mediation/emails/relance.txt",
            context={"demande": demande},
            sujet=f"Relance : le médiateur attend votre réponse — {demande.saisine.reference}",
            obj=demande,
            cle=f"mediation:relance:{demande.uuid}:{today.isoformat()}:{email}",
        )


def proposition_queue(*, proposition: Proposition) -> None:
    """Tell the direction's référents about a proposal addressed to them."""
    for email in referents_of(proposition.direction):
        notification_queue_template(
            canal="email",
            destinataire=email,
            template="mediation/emails/proposition.txt",
            context={"proposition": proposition},
            sujet=f"Proposition d'amélioration du médiateur {proposition.numero}",
            obj=proposition,
            cle=f"mediation:proposition:{proposition.uuid}:{email}",
        )
