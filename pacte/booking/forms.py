"""Forms of the booking journey: validation and cleaning only."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from pacte.forms import HONEYPOT_FIELD, AdressePostaleField, ContactMixin, HoneypotMixin, PhoneField
from pacte.francais import date_texte
from pacte.langues import langue_form_field

from .models import BESOINS_AGENT, Besoin, Canal, CanalInscription


def _courriel(help_text: str) -> forms.EmailField:
    """The optional email field of the citizen's forms."""
    return forms.EmailField(
        label=_("Adresse de courriel"),
        required=False,
        max_length=254,
        help_text=help_text,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Cette adresse de courriel n'est pas valide. Exemple : nom@exemple.fr.")
        },
    )


class ReservationForm(HoneypotMixin, ContactMixin, forms.Form):
    """The citizen's short form: who, how to reach them, what they need (and the honeypot)."""

    nom = forms.CharField(
        label=_("Nom de famille"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Indiquez votre nom de famille.")},
    )
    prenom = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Indiquez votre prénom.")},
    )
    telephone = PhoneField(
        required=False,
        help_text=_("Par exemple 06 12 34 56 78. Un portable reçoit la confirmation et le rappel par SMS."),
    )
    email = _courriel(
        _("Par exemple nom@exemple.fr. Vous recevrez la confirmation et le rendez-vous pour votre agenda.")
    )
    besoins = forms.MultipleChoiceField(
        label=_("Avez-vous besoin de quelque chose pour ce rendez-vous ?"),
        required=False,
        choices=Besoin.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Facultatif. Cela nous aide à bien vous accueillir."),
    )
    besoins_precision = forms.CharField(
        label=_("Précisions (facultatif)"),
        required=False,
        max_length=500,
        help_text=_("Par exemple la langue que vous parlez."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cle_idempotence = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, pour_une_personne: bool = False, **kwargs):
        """`pour_une_personne`: a partner fills it for the person they help (`pacte.partenaires`):
        the same fields and checks, the words addressed to the partner."""
        super().__init__(*args, **kwargs)
        if pour_une_personne:
            fields = self.fields
            fields["nom"].label = _("Nom de famille de la personne")
            fields["nom"].error_messages["required"] = _("Indiquez le nom de famille de la personne.")
            fields["prenom"].label = _("Prénom de la personne")
            fields["prenom"].error_messages["required"] = _("Indiquez le prénom de la personne.")
            fields["telephone"].label = _("Téléphone de la personne")
            fields["telephone"].help_text = _(
                "Son numéro à elle, pas le vôtre. Un portable reçoit la confirmation, le rappel et "
                "son lien personnel par SMS. Par exemple 06 12 34 56 78."
            )
            fields["email"].label = _("Adresse de courriel de la personne")
            fields["email"].help_text = _(
                "Son adresse à elle, pas la vôtre. Facultatif si elle a un portable."
            )
            fields["besoins"].label = _("La personne a-t-elle besoin de quelque chose pour ce rendez-vous ?")
            for name in ("nom", "prenom", "telephone", "email"):
                fields[name].widget.attrs["autocomplete"] = "off"
            fields["langue"] = langue_form_field()
        self.pour_une_personne = pour_une_personne

    def clean(self):
        """For a partner (`pour_une_personne`), the person must get the confirmation and their
        link: a landline alone (no SMS) and no email is refused next to the phone field."""
        cleaned = super().clean()
        telephone, email = cleaned.get("telephone"), cleaned.get("email")
        if (
            self.pour_une_personne
            and telephone
            and not email
            and not self.fields["telephone"].is_mobile(telephone)
        ):
            self.add_error(
                "telephone",
                forms.ValidationError(
                    _(
                        "Un téléphone fixe ne reçoit pas de SMS : la personne n'aurait ni la confirmation ni "
                        "son lien personnel. Indiquez son portable ou son courriel. Sans l'un ni l'autre, "
                        "appelez Lyon en direct : un agent réserve et lui écrit par courrier."
                    ),
                    code="fixe",
                ),
            )
        return cleaned


class AgentReservationForm(ReservationForm):
    """The agent books for a caller or a walk-in: channel recorded, contact recommended."""

    canal = forms.ChoiceField(
        label="Canal",
        choices=[(c, label) for c, label in Canal.choices if c != Canal.EN_LIGNE],
        initial=Canal.TELEPHONE,
        widget=forms.RadioSelect,
    )
    adresse_postale = AdressePostaleField(
        help_text=(
            "Seulement si la personne n'a ni courriel ni téléphone portable : elle recevra la "
            "confirmation et le rappel par courrier. Numéro, rue, code postal et ville."
        ),
    )
    depasser_plafond = forms.BooleanField(
        label="Réserver au-delà du maximum de rendez-vous par personne",
        required=False,
        help_text="Seulement si la personne a vraiment besoin d'un rendez-vous de plus.",
    )
    plafond_motif = forms.CharField(
        label="Pourquoi ce rendez-vous de plus ?",
        required=False,
        max_length=300,
        help_text="Par exemple : un rendez-vous pour chaque enfant. Ce motif est gardé dans le journal.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    langue = langue_form_field()
    contact_obligatoire = False
    pot_de_miel = False

    field_order = [
        "canal",
        "nom",
        "prenom",
        "telephone",
        "email",
        "langue",
        "adresse_postale",
        "besoins",
        "besoins_precision",
    ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("depasser_plafond") and not cleaned.get("plafond_motif", "").strip():
            self.add_error(
                "plafond_motif", "Indiquez pourquoi la personne a besoin d'un rendez-vous de plus."
            )
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prenom"].required = False
        self.fields["nom"].error_messages["required"] = "Indiquez le nom de la personne."
        self.fields[
            "telephone"
        ].help_text = "Recommandé : la personne reçoit la confirmation, le rappel et le lien pour gérer son rendez-vous."
        self.fields["besoins"].label = "Besoins de la personne"
        self.fields["besoins"].choices = list(BESOINS_AGENT.items())
        self.fields["besoins"].help_text = "Facultatif. Ce que la personne signale pour être bien accueillie."


class IdentiteForm(forms.Form):
    """The light identity check before any personal data is shown (G4)."""

    debut_nom = forms.CharField(
        label=_("Les 3 premières lettres de votre nom de famille"),
        max_length=50,
        help_text=_("Par exemple BER pour Bernard. Majuscules et accents n'ont pas d'importance."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Indiquez les 3 premières lettres de votre nom de famille.")},
    )


class AnnulationForm(forms.Form):
    """An agent cancels on someone's behalf: the reason is asked (it stays in the booking's record)."""

    motif = forms.CharField(
        label="Motif de l'annulation",
        max_length=300,
        help_text="Par exemple : la personne a appelé pour annuler, le guichet est fermé ce jour-là.",
        error_messages={"required": "Indiquez pourquoi le rendez-vous est annulé."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class RechercheForm(forms.Form):
    q = forms.CharField(
        label="Référence, nom ou téléphone",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class InscriptionAttenteForm(HoneypotMixin, ContactMixin, forms.Form):
    """Waiting-list registration of any agenda (by the person, or by an agent for a caller).

    The phone goes through `PhoneField` (pacte.phones): a mobile gets the offer by SMS, a landline
    an agent's call; the page says which before and after."""

    nom = forms.CharField(
        label=_("Votre nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    telephone = PhoneField(
        required=False,
        help_text=(
            _(
                "Un portable reçoit la proposition par SMS ; à un fixe, un agent vous appelle. "
                "Exemple : 06 12 34 56 78."
            )
        ),
    )
    email = forms.EmailField(
        label=_("Adresse de courriel"),
        required=False,
        help_text=_("Facultatif si vous donnez un téléphone."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": _("Cette adresse de courriel n'est pas valide. Exemple : nom@exemple.fr.")
        },
    )
    date_souhaitee = forms.TypedChoiceField(
        label=_("Quel jour ?"), required=False, coerce=dt.date.fromisoformat, empty_value=None
    )

    def __init__(self, *args, dates=(), par_agent=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date_souhaitee"].choices = [("", _("N'importe quelle date"))] + [
            (d.isoformat(), date_texte(d, "l j F Y")) for d in dates
        ]
        if par_agent:
            self.fields.pop(HONEYPOT_FIELD)  # agents are no robots
            self.fields["nom"].label = _("Nom de la personne")
            self.fields["telephone"].label = _("Téléphone de la personne")
            self.fields["email"].label = _("Courriel de la personne")
            self.fields["canal"] = forms.ChoiceField(
                label=_("La personne est"),
                choices=[
                    (CanalInscription.TELEPHONE, "Au téléphone"),
                    (CanalInscription.GUICHET, "Au guichet"),
                ],
                widget=forms.RadioSelect,
                initial=CanalInscription.TELEPHONE,
            )
            self.fields["langue"] = langue_form_field()


class RetrouverForm(HoneypotMixin, ContactMixin, forms.Form):
    """« Retrouver mon rendez-vous »: the phone or email given when booking (a new link goes there)."""

    telephone = PhoneField(
        required=False, help_text=_("Celui donné pour le rendez-vous. Par exemple 06 12 34 56 78.")
    )
    email = _courriel(_("Celle donnée pour le rendez-vous. Par exemple nom@exemple.fr."))
