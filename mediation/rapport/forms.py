"""Forms of the annual report: validation and cleaning only."""

from __future__ import annotations

from django import forms

from mediation.enums import Issue, Theme

from .services import vignette_check


class EditorialForm(forms.Form):
    editorial = forms.CharField(
        label="Éditorial du médiateur",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Quelques paragraphes, séparés par une ligne vide. Le texte est imprimé tel quel.",
        max_length=20000,
    )


class SaisineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        theme = Theme(obj.theme).label if obj.theme in Theme.values else obj.theme
        issue = Issue(obj.issue).label if obj.issue in Issue.values else "—"
        return f"{obj.reference} — {theme} — {issue}"


class VignetteForm(forms.Form):
    saisine = SaisineChoiceField(
        label="Dossier illustré",
        queryset=None,
        empty_label="Choisir un dossier clôturé",
        help_text="Les dossiers clôturés de l'année.",
    )
    titre = forms.CharField(label="Titre de la vignette", max_length=200)
    texte = forms.CharField(
        label="Texte anonymisé",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=5000,
        help_text="Racontez le cas sans nom, prénom, adresse électronique, téléphone ni adresse : "
        "le portail refuse un texte qui reprend ceux du dossier.",
    )

    def __init__(self, *args, saisines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["saisine"].queryset = saisines

    def clean(self):
        cleaned = super().clean()
        saisine = cleaned.get("saisine")
        if saisine is not None:
            errors = vignette_check(
                saisine=saisine, titre=cleaned.get("titre", ""), texte=cleaned.get("texte", "")
            )
            for field, message in errors.items():
                self.add_error(field, message)
        return cleaned


class GenerationForm(forms.Form):
    cle = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)


class LienPublicForm(forms.Form):
    actif = forms.BooleanField(required=False)
