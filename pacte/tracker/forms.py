"""Forms of the tracker: filters, following an action (citizens: gettext), the back office and the
CSV import (pilot directions: French only, pacte.langues)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .enums import Statut
from .models import IndicateurSaisi, Jalon, MesureIndicateur


class FiltresForm(forms.Form):
    orientation = forms.ChoiceField(label=_("Orientation"), required=False)
    statut = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous les statuts")), *Statut.choices]
    )
    direction = forms.ChoiceField(label=_("Direction pilote"), required=False)

    def __init__(self, *args, orientations=(), directions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orientation"].choices = [("", _("Toutes les orientations"))] + [
            (o.code, o.titre) for o in orientations
        ]
        self.fields["direction"].choices = [("", _("Toutes les directions"))] + [
            (d.sigle, d.nom) for d in directions
        ]


class AbonnementForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        help_text=_("Nous vous écrirons seulement quand cette action avance. Désabonnement en un clic."),
        error_messages={
            "required": _("Indiquez votre adresse électronique."),
            "invalid": _(
                "Cette adresse électronique n'est pas valide : vérifiez-la (exemple : nom@exemple.fr)."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AvancementForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=Statut.choices)
    avancement = forms.IntegerField(
        label="Avancement (en %)",
        min_value=0,
        max_value=100,
        error_messages={
            "required": "Indiquez l'avancement, de 0 à 100.",
            "min_value": "L'avancement ne peut pas être négatif.",
            "max_value": "L'avancement ne peut pas dépasser 100 %.",
            "invalid": "Indiquez un nombre entier de 0 à 100.",
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("statut") == Statut.REALISEE and data.get("avancement") not in (None, 100):
            self.add_error("avancement", "Une action réalisée est avancée à 100 %.")
        return data


class JalonForm(forms.ModelForm):
    class Meta:
        model = Jalon
        fields = ["date_on", "titre", "note", "preuve_url", "is_published"]
        widgets = {"date_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"preuve_url": "Lien vers une preuve (page web, délibération…)"}
        help_texts = {"note": "Visible par tous : en langage clair, sans nom d'agent."}
        error_messages = {
            "date_on": {
                "required": "Indiquez la date du jalon.",
                "invalid": "Date invalide (JJ/MM/AAAA).",
            },
            "titre": {"required": "Donnez un titre au jalon."},
            "preuve_url": {"invalid": "Indiquez une adresse web complète, commençant par https://."},
        }


class MesureForm(forms.ModelForm):
    indicateur = forms.ModelChoiceField(label="Indicateur", queryset=IndicateurSaisi.objects.none())

    class Meta:
        model = MesureIndicateur
        fields = ["indicateur", "periode_on", "cible", "realise", "commentaire"]
        widgets = {"periode_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        error_messages = {
            "periode_on": {"required": "Indiquez la date de la mesure.", "invalid": "Date invalide."},
        }

    def __init__(self, *args, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicateur"].queryset = IndicateurSaisi.objects.filter(action=action)

    # A second measure at the same date corrects the first one (see services.mesure_record).
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass

    def clean(self):
        data = super().clean()
        if data.get("cible") is None and data.get("realise") is None:
            raise forms.ValidationError("Indiquez au moins une cible ou une valeur réalisée.")
        return data


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier CSV des actions",
        help_text="Encodage UTF-8, séparateur virgule ou point-virgule, première ligne = noms des colonnes.",
        error_messages={"required": "Choisissez un fichier CSV."},
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > settings.TRACKER_IMPORT_MAX_OCTETS:
            raise forms.ValidationError("Le fichier est trop gros (1 Mo au plus).")
        if not fichier.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Le fichier doit être au format CSV (.csv).")
        return fichier
