"""The observatory's closed vocabularies (codes are the public contract of `observation_record`).

Every field of an observation is a code from a closed list: nothing typed freely can end up in the
statistics, so no name, address or story can identify a person (see `models.Observation`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    ACCUEIL_MAIRIE = "accueil_mairie", _("Accueil en mairie")
    TELEPHONE = "telephone", _("Téléphone")
    ECRIVAIN_PUBLIC = "ecrivain_public", _("Écrivain public")
    MEDIATION = "mediation", _("Médiation")
    CCAS = "ccas", _("CCAS")
    USAGER_DEMARCHE = "usager_demarche", _("Usager : « je n'arrive pas à faire cette démarche »")
    PARTENAIRE = "partenaire", _("Partenaire")


class TypeOdenore(models.TextChoices):
    """ODENORE typology (data/reference/odenore-typologie.csv); "" = not qualified (citizen difficulty)."""

    NON_CONNAISSANCE = "non_connaissance", _("Non-connaissance")
    NON_DEMANDE = "non_demande", _("Non-demande")
    NON_RECEPTION = "non_reception", _("Non-réception")
    NON_PROPOSITION = "non_proposition", _("Non-proposition")
    NON_QUALIFIE = "", _("Non qualifié")


def type_odenore_choices(
    vide: str = "Je ne sais pas", *, vide_en_tete: bool = False
) -> list[tuple[str, str]]:
    """The ODENORE types for another app's form field: the four qualified types and "" labelled
    `vide` (last for radio buttons, first for a select: `vide_en_tete=True`)."""
    qualifies = [(code, label) for code, label in TypeOdenore.choices if code]
    return [("", vide), *qualifies] if vide_en_tete else [*qualifies, ("", vide)]


class Raison(models.TextChoices):
    COMPLEXITE = "complexite", _("Complexité de la démarche")
    NUMERIQUE = "numerique", _("Difficulté numérique")
    LANGUE = "langue", _("Langue")
    STIGMATISATION = "stigmatisation", _("Peur d'être stigmatisé")
    INFORMATION = "information", _("Manque d'information")
    DECOURAGEMENT = "decouragement", _("Découragement")
    ERREUR_DELAI = "erreur_delai", _("Erreur ou délai de traitement")
    AUTRE = "autre", _("Autre raison")


class AgeTranche(models.TextChoices):
    NON_PRECISE = "", _("Non précisé")
    MOINS_25 = "moins_25", _("Moins de 25 ans")
    DE_25_39 = "25_39", _("25 à 39 ans")
    DE_40_59 = "40_59", _("40 à 59 ans")
    DE_60_74 = "60_74", _("60 à 74 ans")
    PLUS_75 = "75_plus", _("75 ans et plus")


class Menage(models.TextChoices):
    NON_PRECISE = "", _("Non précisé")
    SEUL = "seul", _("Personne seule")
    COUPLE_SANS_ENFANT = "couple_sans_enfant", _("Couple sans enfant")
    COUPLE_AVEC_ENFANTS = "couple_avec_enfants", _("Couple avec enfant(s)")
    MONOPARENTALE = "monoparentale", _("Famille monoparentale")
    AUTRE = "autre", _("Autre situation de ménage")


class Situation(models.TextChoices):
    NON_PRECISE = "", _("Non précisé")
    EMPLOI = "emploi", _("En emploi")
    SANS_EMPLOI = "sans_emploi", _("Sans emploi")
    RETRAITE = "retraite", _("Retraité ou retraitée")
    ETUDIANT = "etudiant", _("Étudiant ou étudiante")
    HANDICAP = "handicap", _("Handicap ou invalidité")
    AUTRE = "autre", _("Autre situation")


class Orientation(models.TextChoices):
    """Where the person was sent. A closed list, not free text: a free note invites names and stories."""

    AUCUNE = "", _("Aucune orientation")
    CCAS = "ccas", _("CCAS")
    MDMS = "mdms", _("Maison de la Métropole pour les solidarités")
    CAF = "caf", _("CAF")
    CPAM = "cpam", _("CPAM")
    CARSAT = "carsat", _("CARSAT")
    FRANCE_SERVICES = "france_services", _("France services")
    ECRIVAIN_PUBLIC = "ecrivain_public", _("Écrivain public")
    MEDIATION = "mediation", _("Médiateur de la Ville")
    ASSOCIATION = "association", _("Association")
    AUTRE = "autre", _("Autre orientation")


class DroitOuvert(models.TextChoices):
    """Follow-up recorded later by the agent: was the right finally opened?"""

    INCONNU = "", _("Pas encore connu")
    OUI = "oui", _("Oui")
    NON = "non", _("Non")
    EN_COURS = "en_cours", _("En cours")
