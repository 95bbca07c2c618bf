"""Forms of the écrivains publics module (validation and cleaning only)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nonrecours.enums import type_odenore_choices
from nonrecours.services import dispositif_choices
from pacte.forms import DateField
from pacte.francais import date_texte, heure, nombre
from pacte.models import Arrondissement

from .enums import Autonomie, Issue, Organisme
from .models import Langue, Theme


class RechercheForm(forms.Form):
    """The public finder's filters (GET): every field optional."""

    arrondissement = forms.TypedChoiceField(
        label=_("Arrondissement"), required=False, coerce=int, empty_value=None
    )
    theme = forms.ChoiceField(label=_("Votre question porte sur"), required=False)
    langue = forms.ChoiceField(label=_("Langue parlée"), required=False)
    date = DateField(
        label=_("Un jour précis"),
        required=False,
        not_past=True,
        error_messages={"past": _("Cette date est déjà passée. Choisissez aujourd'hui ou un jour à venir.")},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Facultatif : pour ne voir que les permanences ouvertes ce jour-là."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrondissement"].choices = [("", gettext("Tous les arrondissements"))] + [
            (a.numero, gettext("Lyon %(arrondissement)s") % {"arrondissement": a.ordinal})
            for a in Arrondissement.objects.all()
        ]
        self.fields["theme"].choices = [("", gettext("Tous les sujets"))] + [
            (t.code, str(t)) for t in Theme.objects.all()
        ]
        self.fields["langue"].choices = [("", gettext("Toutes les langues"))] + [
            (x.code, str(x)) for x in Langue.objects.all()
        ]


class PassageForm(forms.Form):
    """A walk-in recorded by the écrivain (name optional: the person is helped anyway)."""

    creneau = forms.ChoiceField(label="Créneau")
    nom = forms.CharField(
        label="Nom (facultatif)",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, creneaux=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creneau"].choices = [
            (
                c.cle,
                f"{date_texte(c.debut, 'l j F')} à {heure(c.debut)} ({nombre(c.places_restantes, 'place')})",
            )
            for c in creneaux
        ]


class FicheForm(forms.Form):
    """The 30-second anonymous session record."""

    date = DateField(
        label="Date de la séance",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    themes = forms.ModelMultipleChoiceField(
        label="Thèmes abordés",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        to_field_name="code",
    )
    issue = forms.ChoiceField(label="Issue", choices=Issue.choices, widget=forms.RadioSelect)
    organisme = forms.ChoiceField(
        label="Orienté vers",
        required=False,
        choices=[("", "—")] + Organisme.choices,
        help_text="Seulement si la personne est orientée vers un organisme.",
    )
    duree_minutes = forms.IntegerField(label="Durée (minutes)", min_value=1, max_value=240, initial=30)
    autonomie = forms.ChoiceField(
        label="Autonomie de la personne", choices=Autonomie.choices, widget=forms.RadioSelect
    )
    droit_non_reclame = forms.BooleanField(
        label="Droit non réclamé repéré",
        required=False,
        help_text="La personne pourrait avoir droit à une aide qu'elle ne touche pas.",
    )
    dispositif = forms.ChoiceField(label="Dispositif concerné", required=False)
    type_odenore = forms.ChoiceField(
        label="Type de non-recours",
        required=False,
        choices=type_odenore_choices("—", vide_en_tete=True),
        help_text="Non-connaissance : la personne ignorait ce droit ; non-demande : connu mais pas demandé ; "
        "non-réception : demandé mais pas obtenu ; non-proposition : jamais proposé à la personne.",
    )

    def __init__(self, *args, permanences=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permanence"] = forms.ChoiceField(
            label="Permanence", choices=[(str(p.uuid), str(p)) for p in permanences]
        )
        self.order_fields(["permanence", "date"])
        self.fields["dispositif"].choices = [("", "—"), *dispositif_choices()]

    def clean(self):
        data = super().clean()
        if data.get("issue") == Issue.ORIENTE and not data.get("organisme"):
            self.add_error("organisme", "Indiquez vers quel organisme la personne est orientée.")
        if data.get("droit_non_reclame"):
            if not data.get("type_odenore"):
                self.add_error("type_odenore", "Indiquez le type de non-recours.")
            if not data.get("dispositif"):
                self.add_error("dispositif", "Indiquez le dispositif concerné.")
        return data


class AnnulationSeanceForm(forms.Form):
    date = DateField(
        label="Date de la séance à annuler",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    motif = forms.CharField(label="Motif (communiqué aux personnes)", max_length=200)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value < timezone.localdate():
            raise forms.ValidationError("Choisissez une date à venir.")
        return value


class PeriodeForm(forms.Form):
    debut = DateField(
        label="Du",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
    fin = DateField(
        label="Au",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
    )
