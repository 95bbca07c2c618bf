"""Forms of the médiation app: validation and cleaning only."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nonrecours.enums import Raison, type_odenore_choices
from nonrecours.services import dispositif_choices
from pacte.forms import (
    AdressePostaleField,
    ContactMixin,
    DateField,
    HoneypotMixin,
    PhoneField,
    SelectFrancais,
)
from pacte.langues import langue_form_field
from pacte.models import Arrondissement, Direction
from pacte.roles import Role
from pacte.uploads import PiecesJointesField

from .enums import (
    CANAUX_AGENT,
    CanalSaisine,
    Issue,
    MotifIrrecevabilite,
    Niveau,
    OrganismeReorientation,
    RequerantType,
    StatutSaisine,
    Theme,
)
from .models import Saisine

OUI_NON = [("oui", _("Oui")), ("non", _("Non"))]


def _directions():
    return Direction.objects.filter(is_active=True).order_by("nom")


class ArrondissementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return gettext("Lyon %(arrondissement)s") % {"arrondissement": obj.ordinal}


class _ContactMixin(ContactMixin):
    contact_fields = ("email", "telephone", "adresse")
    contact_message = _("Donnez au moins un moyen de vous répondre : courriel, téléphone ou adresse.")

    def _check_identity(self, cleaned):
        kind = cleaned.get("requerant_type")
        if kind in (RequerantType.ASSOCIATION, RequerantType.ENTREPRISE) and not cleaned.get("organisme_nom"):
            self.add_error("organisme_nom", _("Indiquez le nom de l'association ou de l'entreprise."))
        if not cleaned.get("nom") and "nom" not in self.errors:
            self.add_error("nom", _("Indiquez votre nom."))


class SaisinePubliqueForm(HoneypotMixin, _ContactMixin, forms.Form):
    """The public online form (no account, no JavaScript)."""

    requerant_type = forms.ChoiceField(
        label=_("Vous écrivez en tant que"),
        choices=RequerantType.choices,
        widget=forms.RadioSelect,
        initial=RequerantType.PARTICULIER,
    )
    organisme_nom = forms.CharField(
        label=_("Nom de l'association ou de l'entreprise"),
        required=False,
        max_length=200,
        help_text=_("Seulement si vous écrivez pour une association ou une entreprise."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    prenom = forms.CharField(
        label=_("Prénom"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    nom = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label=_("Adresse électronique"),
        required=False,
        help_text=_("Pour recevoir l'accusé de réception et le lien de suivi. Exemple : nom@exemple.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    telephone = PhoneField(required=False, help_text=_("Exemple : 06 12 34 56 78."))
    adresse = AdressePostaleField(
        label=_("Adresse postale"),
        help_text=_("Facultatif, si vous préférez recevoir un courrier. Numéro, rue, code postal et ville."),
    )
    arrondissement = ArrondissementChoiceField(
        label=_("Votre arrondissement"),
        queryset=Arrondissement.objects.all(),
        required=False,
        empty_label=_("Je ne sais pas / hors de Lyon"),
    )
    direction = forms.ModelChoiceField(
        label=_("Service de la Ville concerné"),
        queryset=_directions(),
        required=False,
        empty_label=_("Je ne sais pas"),
        widget=SelectFrancais,
    )
    service_concerne = forms.CharField(
        label=_("Précisez le service si vous le connaissez"),
        required=False,
        max_length=200,
        help_text=_("Par exemple : mairie du 3e, piscine, école, cimetière…"),
    )
    theme = forms.ChoiceField(label=_("De quoi s'agit-il ?"), choices=Theme.choices, initial=Theme.AUTRE)
    recit = forms.CharField(
        label=_("Que s'est-il passé ?"),
        max_length=8000,
        help_text=_(
            "Racontez avec vos mots : ce que vous avez demandé, ce qui s'est passé, ce que vous souhaitez."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    demarche_prealable = forms.ChoiceField(
        label=_("Avez-vous déjà contacté le service concerné ?"), choices=OUI_NON, widget=forms.RadioSelect
    )
    demarche_prealable_detail = forms.CharField(
        label=_("Qu'avez-vous déjà fait auprès du service ?"),
        required=False,
        max_length=4000,
        help_text=_("Par exemple : un courrier, un appel, un courriel, une visite. Et la réponse reçue."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    demarche_prealable_on = DateField(
        label=_("À quelle date ?"),
        required=False,
        not_future=True,
        error_messages={
            "future": _("Cette date n'est pas encore arrivée. Indiquez quand vous avez contacté le service.")
        },
        help_text=_("Format : jj/mm/aaaa. Même approximative."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decision_justice = forms.ChoiceField(
        label=_("Un tribunal a-t-il déjà jugé cette affaire ?"), choices=OUI_NON, widget=forms.RadioSelect
    )
    pieces_jointes = PiecesJointesField(
        label=_("Documents utiles (facultatif)"),
        max_files=settings.MEDIATION_MAX_FICHIERS,
        max_size=settings.MEDIATION_MAX_TAILLE,
        help_text=format_lazy(
            _(
                "Courriers, photos, décisions… Fichiers PDF, JPEG ou PNG, {fichiers} au plus, {taille} Mo chacun au plus."
            ),
            fichiers=settings.MEDIATION_MAX_FICHIERS,
            taille=settings.MEDIATION_MAX_TAILLE // (1024 * 1024),
        ),
    )
    consentement = forms.BooleanField(
        label=_("J'accepte que la Ville de Lyon utilise ces informations pour traiter ma demande."),
        help_text=_(
            'Voir <a href="/donnees-personnelles/">comment la Ville protège vos données personnelles</a>.'
        ),
        error_messages={
            "required": _("Cochez cette case pour que le médiateur puisse traiter votre demande.")
        },
    )

    def clean(self):
        cleaned = super().clean()
        self._check_identity(cleaned)
        return cleaned

    def saisine_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in {"pieces_jointes", "consentement"}}
        data["demarche_prealable"] = data.get("demarche_prealable") == "oui"
        data["decision_justice"] = data.get("decision_justice") == "oui"
        return data


class SaisineAgentForm(_ContactMixin, forms.Form):
    """Entry by an agent or the team of a saisine received by phone, letter, email or permanence."""

    canal = forms.ChoiceField(
        label="Reçue par", choices=CANAUX_AGENT, initial=CanalSaisine.TELEPHONE, widget=forms.RadioSelect
    )
    requerant_type = forms.ChoiceField(
        label="Requérant",
        choices=RequerantType.choices,
        initial=RequerantType.PARTICULIER,
        widget=forms.RadioSelect,
    )
    nom = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True})
    )
    prenom = forms.CharField(
        label="Prénom", required=False, max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    organisme_nom = forms.CharField(label="Association ou entreprise", required=False, max_length=200)
    telephone = PhoneField(
        required=False, widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"})
    )
    email = forms.EmailField(
        label="Courriel", required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    adresse = AdressePostaleField(
        label="Adresse postale",
        help_text="Numéro, rue, code postal et ville.",
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
    )
    langue = langue_form_field()
    arrondissement = ArrondissementChoiceField(
        label="Arrondissement", queryset=Arrondissement.objects.all(), required=False, empty_label="—"
    )
    theme = forms.ChoiceField(label="Thème", choices=Theme.choices, initial=Theme.AUTRE)
    direction = forms.ModelChoiceField(
        label="Direction concernée", queryset=_directions(), required=False, empty_label="Inconnue"
    )
    recit = forms.CharField(
        label="Objet de la demande", max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    demarche_prealable = forms.BooleanField(
        label="Démarche préalable déjà faite auprès du service", required=False
    )
    decision_justice = forms.BooleanField(label="Un tribunal a déjà jugé l'affaire", required=False)
    elu_implique = forms.BooleanField(label="Un élu est intervenu ou a transmis la demande", required=False)

    def clean(self):
        cleaned = super().clean()
        self._check_identity(cleaned)
        return cleaned

    def saisine_data(self) -> dict:
        return dict(self.cleaned_data)


class FiltresForm(forms.Form):
    """GET filters of the case list (no JavaScript)."""

    q = forms.CharField(
        label="Rechercher", required=False, help_text="Référence, nom, courriel, mot du récit…"
    )
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), ("ouvertes", "En cours (non terminés)"), *StatutSaisine.choices],
    )
    theme = forms.ChoiceField(label="Thème", required=False, choices=[("", "Tous"), *Theme.choices])
    canal = forms.ChoiceField(label="Canal", required=False, choices=[("", "Tous"), *CanalSaisine.choices])
    assignee = forms.ChoiceField(
        label="Suivi par",
        required=False,
        choices=[("", "Toute l'équipe"), ("moi", "Moi"), ("personne", "Personne")],
    )
    arrondissement = forms.ChoiceField(
        label="Arrondissement",
        required=False,
        choices=[("", "Tous")] + [(str(n), f"Lyon {n}{'er' if n == 1 else 'e'}") for n in range(1, 10)],
    )
    retard = forms.BooleanField(label="En retard seulement", required=False)


def equipe_queryset():
    return get_user_model().objects.filter(groups__name=Role.MEDIATEUR, is_active=True).order_by("last_name")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class QualificationForm(forms.ModelForm):
    prefix = "q"

    assignee = UserChoiceField(
        label="Suivi par", queryset=equipe_queryset(), required=False, empty_label="Personne"
    )
    arrondissement = ArrondissementChoiceField(
        label="Arrondissement", queryset=Arrondissement.objects.all(), required=False, empty_label="—"
    )

    class Meta:
        model = Saisine
        fields = [
            "assignee",
            "theme",
            "direction",
            "arrondissement",
            "service_concerne",
            "elu_implique",
            "elu_detail",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = equipe_queryset()
        self.fields["direction"].queryset = _directions()
        self.fields["direction"].empty_label = "Inconnue"


class TransitionForm(forms.Form):
    vers = forms.ChoiceField(choices=StatutSaisine.choices, widget=forms.HiddenInput)
    motif = forms.CharField(
        label="Explication (envoyée au requérant pour une décision)",
        required=False,
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    motif_irrecevabilite = forms.ChoiceField(
        label="Motif", choices=[("", "—"), *MotifIrrecevabilite.choices], required=False
    )
    organisme_reorientation = forms.ChoiceField(
        label="Organisme compétent", choices=[("", "—"), *OrganismeReorientation.choices], required=False
    )
    niveau = forms.ChoiceField(label="Niveau", choices=[("", "—"), *Niveau.choices], required=False)
    issue = forms.ChoiceField(label="Issue", choices=[("", "—"), *Issue.choices], required=False)


class MessageForm(forms.Form):
    prefix = "msg"

    corps = forms.CharField(label="Message", max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))
    is_interne = forms.BooleanField(
        label="Note interne (le requérant ne la voit pas)", required=False, initial=True
    )


class DocumentForm(forms.Form):
    prefix = "doc"

    pieces_jointes = PiecesJointesField(
        label="Ajouter des documents",
        required=True,
        max_files=settings.MEDIATION_MAX_FICHIERS,
        max_size=settings.MEDIATION_MAX_TAILLE,
        help_text="PDF, JPEG ou PNG.",
    )


class DemandePositionForm(forms.Form):
    prefix = "dp"

    direction = forms.ModelChoiceField(label="Direction", queryset=_directions())
    question = forms.CharField(
        label="Question posée au service", max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )
    echeance = DateField(
        label="Réponse attendue le",
        required=False,
        not_past=True,
        error_messages={"past": "Cette date est déjà passée. Choisissez une échéance à venir."},
        help_text=f"Par défaut : {settings.MEDIATION_DELAI_POSITION_JOURS} jours ouvrés.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReponsePositionForm(forms.Form):
    reponse = forms.CharField(
        label="Position de la direction", max_length=8000, widget=forms.Textarea(attrs={"rows": 6})
    )


class PropositionForm(forms.Form):
    titre = forms.CharField(label="Titre", max_length=200)
    texte = forms.CharField(label="Proposition", max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    direction = forms.ModelChoiceField(label="Direction destinataire", queryset=_directions())
    references = forms.CharField(
        label="Dossiers à l'origine",
        required=False,
        help_text="Références séparées par des virgules, par exemple MED-7KQ2MX, MED-P3ZT8A.",
    )

    def clean_references(self):
        refs = [
            r.strip().upper()
            for r in self.cleaned_data["references"].replace(";", ",").split(",")
            if r.strip()
        ]
        found = list(Saisine.objects.filter(reference__in=refs))
        missing = sorted(set(refs) - {s.reference for s in found})
        if missing:
            raise ValidationError("Dossier introuvable : %(refs)s.", params={"refs": ", ".join(missing)})
        return found


class PropositionReponseForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision de la direction",
        choices=[("acceptee", "Acceptée"), ("refusee", "Refusée")],
        widget=forms.RadioSelect,
    )
    reponse_direction = forms.CharField(
        label="Réponse de la direction", max_length=8000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MiseEnOeuvreForm(forms.Form):
    mise_en_oeuvre_on = DateField(
        label="Mise en œuvre le",
        help_text="Format : jj/mm/aaaa.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    preuve = forms.CharField(
        label="Preuve (texte ou lien)", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SuiviIdentiteForm(forms.Form):
    nom_debut = forms.CharField(
        label=_("Les 3 premières lettres de votre nom"),
        max_length=40,
        help_text=_("Pour vérifier qu'il s'agit bien de vous. Exemple : pour « Martin », écrivez « Mar »."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class SuiviMessageForm(forms.Form):
    corps = forms.CharField(
        label=_("Votre message au médiateur"),
        max_length=8000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    pieces_jointes = PiecesJointesField(
        label=_("Ajouter des documents (facultatif)"),
        max_files=settings.MEDIATION_MAX_FICHIERS,
        max_size=settings.MEDIATION_MAX_TAILLE,
        help_text=_("PDF, JPEG ou PNG."),
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("corps") or "").strip() and not cleaned.get("pieces_jointes") and not self.errors:
            self.add_error("corps", _("Écrivez un message ou ajoutez un document."))
        return cleaned


class NonRecoursForm(forms.Form):
    prefix = "nr"

    type_odenore = forms.ChoiceField(
        label="Type de non-recours", required=False, choices=type_odenore_choices(vide_en_tete=True)
    )
    dispositifs = forms.MultipleChoiceField(
        label="Droits non demandés", choices=(), widget=forms.CheckboxSelectMultiple
    )
    raisons = forms.MultipleChoiceField(
        label="Raisons",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Raison.choices,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read at each form, from the observatory's catalogue (a new dispositif shows at once).
        self.fields["dispositifs"].choices = dispositif_choices()
