"""Forms of the observatory: the agent quick form, the follow-up, the rights catalogue."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from pacte.forms import DateField
from pacte.models import Arrondissement

from .enums import (
    AgeTranche,
    DroitOuvert,
    Menage,
    Orientation,
    Raison,
    Situation,
    Source,
    TypeOdenore,
    type_odenore_choices,
)
from .models import Dispositif


class SignalementForm(forms.Form):
    """The 30-second form: radio groups and checkboxes, every field but the right has a default."""

    dispositifs = forms.ModelMultipleChoiceField(
        label="Droit ou aide concerné",
        queryset=Dispositif.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text="Cochez un ou plusieurs droits.",
        error_messages={"required": "Cochez au moins un droit ou une aide."},
    )
    type_odenore = forms.ChoiceField(
        label="Type de non-recours",
        choices=type_odenore_choices(),
        widget=forms.RadioSelect,
        required=False,
        initial=TypeOdenore.NON_CONNAISSANCE,
    )
    raisons = forms.MultipleChoiceField(
        label="Raisons (facultatif)",
        choices=Raison.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.ChoiceField(
        label="Où avez-vous rencontré la personne ?",
        choices=Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez où vous avez rencontré la personne."},
    )
    arrondissement = forms.ModelChoiceField(
        label="Arrondissement",
        queryset=Arrondissement.objects.all(),
        to_field_name="numero",
        required=False,
        empty_label="Non précisé",
    )
    orientation = forms.ChoiceField(label="Orientation donnée", choices=Orientation.choices, required=False)
    age_tranche = forms.ChoiceField(
        label="Âge (estimé)", choices=AgeTranche.choices, widget=forms.RadioSelect, required=False, initial=""
    )
    menage = forms.ChoiceField(
        label="Ménage", choices=Menage.choices, widget=forms.RadioSelect, required=False, initial=""
    )
    situation = forms.ChoiceField(
        label="Situation", choices=Situation.choices, widget=forms.RadioSelect, required=False, initial=""
    )
    observed_on = DateField(
        label="Date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Laissez la date du jour si la situation est d'aujourd'hui.",
        error_messages={"invalid": "Saisissez une date valide, par exemple 15/03/2026."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispositifs"].queryset = Dispositif.objects.actifs()
        self.fields["observed_on"].initial = timezone.localdate()

    def clean_observed_on(self):
        day = self.cleaned_data.get("observed_on") or timezone.localdate()
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if (timezone.localdate() - day).days > 366:
            raise forms.ValidationError("La date doit dater de moins d'un an.")
        return day


class SuiviForm(forms.Form):
    droit_ouvert = forms.ChoiceField(
        label="Droit ouvert ?",
        choices=[c for c in DroitOuvert.choices if c[0]],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez oui, non ou en cours."},
    )


class DispositifForm(forms.ModelForm):
    class Meta:
        model = Dispositif
        fields = ["code", "nom", "porteur", "lien", "source", "is_active"]
        help_texts = {
            "code": "Identifiant court, en minuscules (lettres, chiffres, tirets bas). Ne change plus ensuite.",
            "lien": "Page officielle où l'usager trouve l'information (service-public.fr, CAF…).",
        }
        error_messages = {
            "code": {
                "unique": "Un dispositif porte déjà ce code.",
                "invalid": "Utilisez des minuscules sans accent.",
            },
            "lien": {"invalid": "Saisissez une adresse web complète (https://…)."},
            "source": {"invalid": "Saisissez une adresse web complète (https://…)."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nom"].error_messages["required"] = "Indiquez le nom du dispositif."
        self.fields["code"].error_messages["required"] = "Indiquez un code."
        if self.instance.pk:
            self.fields["code"].disabled = True
