"""Forms of the demandes d'appui: validation and cleaning only."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from pacte.forms import DateField
from pacte.models import Direction
from pacte.uploads import PiecesJointesField

from .enums import Action, CanalOrigine, Categorie, Statut, Urgence
from .models import ReponseType

TEXTE_LABELS = {
    Action.PRENDRE_EN_CHARGE: "Message à l'élu (facultatif)",
    Action.ASSIGNER: "Note (facultatif)",
    Action.DEMANDER_PRECISIONS: "Votre question à l'élu",
    Action.TRANSFERER: "Motif du transfert",
    Action.REPONDRE: "Votre réponse",
    Action.CLOTURER: "Réponse de clôture",
    Action.COMPLETER: "Vos précisions",
    Action.ROUVRIR: "Ce qui manque dans la réponse",
}


class DemandeForm(forms.Form):
    objet = forms.CharField(label="Objet de la demande", max_length=200)
    direction = forms.ModelChoiceField(
        label="Direction sollicitée",
        queryset=Direction.objects.filter(is_active=True),
        empty_label="Choisissez une direction",
    )
    categorie = forms.ChoiceField(
        label="Catégorie", choices=[("", "Choisissez une catégorie"), *Categorie.choices]
    )
    urgence = forms.ChoiceField(
        label="Urgence",
        choices=Urgence.choices,
        initial=Urgence.NORMALE,
        widget=forms.RadioSelect,
        help_text="Délai de réponse : urgente 2 jours ouvrés, prioritaire 5, normale 10.",
    )
    localisation = forms.CharField(
        label="Lieu concerné (adresse ou équipement)",
        max_length=250,
        required=False,
    )
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 6}))
    canal_origine = forms.ChoiceField(
        label="La demande vous est parvenue par",
        choices=CanalOrigine.choices,
        initial=CanalOrigine.PORTAIL,
        help_text="« Portail » si vous la saisissez directement ici.",
    )
    pieces = PiecesJointesField(
        label="Pièces jointes (photo JPEG ou PNG, ou PDF)",
        max_files=settings.ARRONDISSEMENTS_MAX_FICHIERS,
        help_text=f"Facultatif. Au plus {settings.ARRONDISSEMENTS_MAX_FICHIERS} fichiers de 5 Mo chacun.",
    )
    reponse_par_courrier = forms.BooleanField(
        label="Recevoir aussi la réponse par courrier",
        required=False,
        help_text="La réponse de la direction vous arrive toujours par courriel et ici ; cochez pour la "
        "recevoir aussi sur papier, à la mairie d'arrondissement.",
    )

    def __init__(self, *args, delais: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if delais:
            self.fields["urgence"].help_text = (
                f"Délai de réponse : urgente {delais['urgente'][0]} jours ouvrés, "
                f"prioritaire {delais['prioritaire'][0]}, normale {delais['normale'][0]}."
            )


class ActionForm(forms.Form):
    texte = forms.CharField(label="Message", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    reponse_type = forms.ModelChoiceField(
        label="Réponse type",
        queryset=ReponseType.objects.none(),
        required=False,
        empty_label="Aucune",
        to_field_name="uuid",
        help_text="Si vous laissez le message vide, le texte de la réponse type est envoyé.",
    )
    assignee = forms.ModelChoiceField(
        label="Collègue",
        queryset=get_user_model().objects.none(),
        empty_label="Choisissez un ou une collègue",
    )
    direction = forms.ModelChoiceField(
        label="Nouvelle direction", queryset=Direction.objects.none(), empty_label="Choisissez une direction"
    )
    pieces = PiecesJointesField(
        label="Pièces jointes (PDF, JPEG ou PNG)", max_files=settings.ARRONDISSEMENTS_MAX_FICHIERS
    )

    def __init__(
        self, *args, action: str, demande, needs_text: bool, collegues=None, reponses=None, **kwargs
    ):
        kwargs.setdefault("prefix", action)
        super().__init__(*args, **kwargs)
        self.action = action
        self.needs_text = needs_text
        self.fields["texte"].label = TEXTE_LABELS[action]
        self.fields["texte"].required = needs_text
        if action in (Action.REPONDRE, Action.CLOTURER) and reponses:
            self.fields["reponse_type"].queryset = reponses
            self.fields["texte"].required = False
        else:
            del self.fields["reponse_type"]
        if action == Action.ASSIGNER:
            self.fields["assignee"].queryset = collegues
            self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        else:
            del self.fields["assignee"]
        if action == Action.TRANSFERER:
            self.fields["direction"].queryset = Direction.objects.filter(is_active=True).exclude(
                pk=demande.direction_id
            )
        else:
            del self.fields["direction"]
        if action not in (Action.DEMANDER_PRECISIONS, Action.REPONDRE, Action.CLOTURER, Action.COMPLETER):
            del self.fields["pieces"]

    def clean(self):
        data = super().clean()
        if "reponse_type" in self.fields and not (data.get("texte") or "").strip():
            if data.get("reponse_type"):
                data["texte"] = data["reponse_type"].texte
            else:
                self.add_error("texte", "Écrivez votre réponse ou choisissez une réponse type.")
        return data


class MessageForm(forms.Form):
    texte = forms.CharField(label="Votre message", widget=forms.Textarea(attrs={"rows": 4}))
    pieces = PiecesJointesField(
        label="Pièces jointes (PDF, JPEG ou PNG)", max_files=settings.ARRONDISSEMENTS_MAX_FICHIERS
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "message")
        super().__init__(*args, **kwargs)


class ReponseTypeForm(forms.Form):
    titre = forms.CharField(label="Titre", max_length=120)
    texte = forms.CharField(label="Texte", widget=forms.Textarea(attrs={"rows": 6}))


class FiltresForm(forms.Form):
    q = forms.CharField(label="Recherche (objet ou référence)", required=False)
    statut = forms.ChoiceField(label="Statut", choices=[("", "Tous"), *Statut.choices], required=False)
    categorie = forms.ChoiceField(
        label="Catégorie", choices=[("", "Toutes"), *Categorie.choices], required=False
    )
    urgence = forms.ChoiceField(label="Urgence", choices=[("", "Toutes"), *Urgence.choices], required=False)
    direction = forms.ModelChoiceField(
        label="Direction",
        queryset=Direction.objects.filter(is_active=True),
        required=False,
        empty_label="Toutes",
    )
    arrondissement = forms.TypedChoiceField(
        label="Arrondissement",
        choices=[("", "Tous"), *[(n, "1er" if n == 1 else f"{n}e") for n in range(1, 10)]],
        coerce=int,
        required=False,
        empty_value=None,
    )
    en_retard = forms.BooleanField(label="En retard seulement", required=False)

    def filtres(self) -> dict:
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        if data.get("direction"):
            data["direction"] = data["direction"].pk
        return data


class PeriodeForm(forms.Form):
    debut = DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    fin = DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("debut") and data.get("fin"):
            if data["fin"] < data["debut"]:
                self.add_error("fin", "La date de fin doit suivre la date de début.")
            elif data["fin"] - data["debut"] > dt.timedelta(days=3 * 366):
                self.add_error("fin", "Choisissez une période de trois ans au plus.")
        return data
