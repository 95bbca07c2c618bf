"""Choices with French labels for the démarches app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TypeAlternative(models.TextChoices):
    GUICHET = "guichet", _("Au guichet")
    TELEPHONE = "telephone", _("Par téléphone")
    RAPPEL = "rappel", _("Être rappelé")
    COURRIER = "courrier", _("Par courrier")


class CanalRappel(models.TextChoices):
    EN_LIGNE = "en_ligne", _("En ligne (par l'usager)")
    AGENT = "agent", _("Par un agent (appel ou guichet)")
    PARTENAIRE = "partenaire", _("Par un partenaire, pour la personne")


class StatutRappel(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente")
    EN_COURS = "en_cours", _("En cours")
    JOINT = "joint", _("Rappel fait")
    ABANDONNEE = "abandonnee", _("Non joint : solution de repli envoyée")


class ResultatAppel(models.TextChoices):
    JOINT = "joint", _("Joint")
    INJOIGNABLE = "injoignable", _("Injoignable")
    MESSAGE_LAISSE = "message_laisse", _("Message laissé")


class Repli(models.TextChoices):
    AUCUN = "", _("Aucun")
    SMS = "sms", _("SMS envoyé")
    EMAIL = "email", _("Courriel envoyé")
    COURRIER = "courrier", _("Courrier à envoyer par l'agent")


JOURS = [("lun", "Lundi"), ("mar", "Mardi"), ("mer", "Mercredi"), ("jeu", "Jeudi"), ("ven", "Vendredi")]
MOMENTS = [("matin", "matin"), ("apres_midi", "après-midi")]
# The moments a callback can be asked for, each label a whole phrase for the catalogues (#17).
CRENEAUX = [
    ("lun_matin", _("Lundi matin")),
    ("lun_apres_midi", _("Lundi après-midi")),
    ("mar_matin", _("Mardi matin")),
    ("mar_apres_midi", _("Mardi après-midi")),
    ("mer_matin", _("Mercredi matin")),
    ("mer_apres_midi", _("Mercredi après-midi")),
    ("jeu_matin", _("Jeudi matin")),
    ("jeu_apres_midi", _("Jeudi après-midi")),
    ("ven_matin", _("Vendredi matin")),
    ("ven_apres_midi", _("Vendredi après-midi")),
]
assert [code for code, _label in CRENEAUX] == [f"{j}_{m}" for j, _j in JOURS for m, _m in MOMENTS]
CRENEAUX_LABELS = dict(CRENEAUX)

# What blocked the citizen → the observatory's reasons (nonrecours raisons codes).
BLOCAGES = [
    ("numerique", "numerique", _("Je n'ai pas d'ordinateur ou je ne suis pas à l'aise avec Internet")),
    ("compte", "numerique", _("Je n'arrive pas à créer un compte ou à me connecter")),
    ("pieces", "complexite", _("Je ne sais pas quels documents fournir, ou je ne peux pas les envoyer")),
    ("comprendre", "complexite", _("Le formulaire est trop compliqué")),
    ("information", "information", _("Je ne trouve pas l'information dont j'ai besoin")),
    ("langue", "langue", _("Je ne comprends pas bien le français écrit")),
    ("autre", "autre", _("Autre chose")),
]
BLOCAGE_RAISON = {code: raison for code, raison, _label in BLOCAGES}
