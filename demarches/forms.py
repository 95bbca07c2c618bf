"""Forms of the démarches app: search, callback request, call attempt, difficulty."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pacte.forms import AdressePostaleField, HoneypotMixin, PhoneField
from pacte.langues import langue_form_field
from pacte.models import Arrondissement

from .enums import BLOCAGES, CRENEAUX, ResultatAppel


class RechercheForm(forms.Form):
    q = forms.CharField(
        label=_("Mots-clés"),
        required=False,
        max_length=100,
        help_text=_("Par exemple : passeport, crèche, mariage."),
        widget=forms.SearchInput,
    )
    categorie = forms.ChoiceField(label=_("Catégorie"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", "Toutes les catégories")] + [
            (c, c.capitalize()) for c in categories
        ]


class DemandeRappelForm(HoneypotMixin, forms.Form):
    nom = forms.CharField(
        label=_("Votre nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    telephone = PhoneField(
        label=_("Votre numéro de téléphone"),
        help_text=_("Nous vous appellerons à ce numéro. Exemple : 06 12 34 56 78."),
    )
    email = forms.EmailField(
        label=_("Votre adresse électronique"),
        required=False,
        help_text=_("Facultatif : pour recevoir une confirmation par courriel."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    adresse_postale = AdressePostaleField(
        label=_("Votre adresse postale (facultatif)"),
        help_text=(
            _(
                "Seulement si vous n'avez ni adresse électronique ni téléphone portable : si nous "
                "n'arrivons pas à vous joindre, nous vous écrirons. Numéro, rue, code postal et ville."
            )
        ),
    )
    objet = forms.CharField(
        label=_("Pour quoi voulez-vous être rappelé ?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Quelques mots suffisent."),
    )
    creneaux_preferes = forms.MultipleChoiceField(
        label=_("Quand préférez-vous être appelé ?"),
        required=False,
        choices=CRENEAUX,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Facultatif. Cochez un ou plusieurs moments."),
    )

    def __init__(self, *args, pour_une_personne: bool = False, par_agent: bool = False, **kwargs):
        """`pour_une_personne`: a partner fills it for the person they help (`pacte.partenaires`):
        the same fields and checks, the words addressed to the partner. Both a partner and an agent
        (`par_agent`) say the person's language (« Langue de la personne »)."""
        super().__init__(*args, **kwargs)
        if pour_une_personne or par_agent:
            self.fields["langue"] = langue_form_field()
        if pour_une_personne:
            fields = self.fields
            fields["nom"].label = _("Nom de la personne")
            fields["telephone"].label = _("Numéro de téléphone de la personne")
            fields["telephone"].help_text = _(
                "Son numéro à elle, pas le vôtre : l'agent l'appellera à ce numéro. Exemple : 06 12 34 56 78."
            )
            fields["email"].label = _("Adresse électronique de la personne")
            fields["email"].help_text = _(
                "Facultatif : son adresse à elle, pour qu'elle reçoive la confirmation."
            )
            fields["adresse_postale"].label = _("Adresse postale de la personne (facultatif)")
            fields["adresse_postale"].help_text = _(
                "Seulement si elle n'a ni adresse électronique ni téléphone portable : si l'agent "
                "n'arrive pas à la joindre, la Ville lui écrit. Numéro, rue, code postal et ville."
            )
            fields["objet"].label = _("Pour quoi la personne veut-elle être rappelée ?")
            fields["creneaux_preferes"].label = _("Quand préfère-t-elle être appelée ?")
            for name in ("nom", "telephone", "email", "adresse_postale"):
                fields[name].widget.attrs["autocomplete"] = "off"


class TentativeForm(forms.Form):
    resultat = forms.ChoiceField(
        label="Résultat de l'appel", choices=ResultatAppel.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Note", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DifficulteForm(forms.Form):
    blocages = forms.MultipleChoiceField(
        label=_("Qu'est-ce qui vous a bloqué ?"),
        choices=[(code, label) for code, _raison, label in BLOCAGES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cochez une ou plusieurs réponses."),
        error_messages={"required": _("Cochez au moins une réponse.")},
    )
    dispositif = forms.ChoiceField(
        label=_("Cette démarche concernait-elle une aide ou un droit ?"),
        required=False,
        help_text=_("Facultatif."),
    )
    arrondissement = forms.ModelChoiceField(
        label=_("Dans quel arrondissement habitez-vous ?"),
        required=False,
        queryset=Arrondissement.objects.all(),
        empty_label=_("Je préfère ne pas le dire"),
        help_text=_("Facultatif."),
    )

    def __init__(self, *args, dispositifs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispositif"].choices = [("", _("Non, ou je ne sais pas"))] + list(dispositifs)
        self.fields["arrondissement"].label_from_instance = lambda a: f"Lyon {a.ordinal}"

    def clean_blocages(self):
        value = self.cleaned_data["blocages"]
        if not value:
            raise ValidationError(_("Cochez au moins une réponse."))
        return value
