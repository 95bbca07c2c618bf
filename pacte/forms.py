"""Form helpers every app uses: the sign-in form, `DateField`, `PhoneField`, `AdressePostaleField`,
`ContactMixin`, `HoneypotMixin`, `apply_errors`, `blank_fields`."""

from __future__ import annotations

import logging
import re

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .parsing import DATE_MAX, DATE_MIN
from .phones import phone_is_mobile, phone_normalize
from .rendu import rendered_once

logger = logging.getLogger(__name__)


class DateField(forms.DateField):
    """A date field bounded to the dates the portal computes with (pacte.parsing): a year 9999 or 1
    is a French message next to the field, never an overflow further on. Use it instead of
    forms.DateField (tests/test_hostile_input.py checks no form uses the unbounded one)."""

    default_validators = [
        MinValueValidator(
            DATE_MIN,
            message=format_lazy(_("Saisissez une date après le {date}."), date=f"{DATE_MIN:%d/%m/%Y}"),
        ),
        MaxValueValidator(
            DATE_MAX,
            message=format_lazy(_("Saisissez une date avant le {date}."), date=f"{DATE_MAX:%d/%m/%Y}"),
        ),
    ]
    default_error_messages = {
        "past": _("Cette date est déjà passée. Choisissez aujourd'hui ou une date à venir."),
        "future": _("Cette date n'est pas encore arrivée. Indiquez une date passée ou celle d'aujourd'hui."),
    }

    def __init__(self, *, not_past: bool = False, not_future: bool = False, **kwargs):
        """`not_past` refuses a date before today (a deadline, a date to look for), `not_future` a
        date after today (something that already happened); today is the portal's local date."""
        self.not_past = not_past
        self.not_future = not_future
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        today = timezone.localdate()
        if self.not_past and value < today:
            raise ValidationError(self.error_messages["past"], code="past")
        if self.not_future and value > today:
            raise ValidationError(self.error_messages["future"], code="future")


class ConnexionForm(AuthenticationForm):
    # Bounded like the account's own field: an overlong value is a message, not a failed-login record
    # too long for the lockout table.
    username = forms.CharField(
        label="Identifiant",
        max_length=get_user_model()._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect. Vérifiez votre saisie et réessayez.",
        "inactive": "Ce compte est désactivé.",
    }


class PhoneField(forms.CharField):
    """A telephone number, French by default (« 06 12 34 56 78 », « +33 6… », overseas, foreign with
    +), checked and normalised to E.164 by `pacte.phones.phone_normalize` (phonenumbers).

    `mobile_only=True` refuses a number that cannot receive an SMS; the test is the one
    `pacte.notifications.notify_person` applies (`pacte.phones.phone_is_mobile`), so a number the
    form accepts as a mobile is one the outbox will text. `is_mobile(value)` tells a caller the same.
    """

    default_error_messages = {
        "not_mobile": _(
            "Ce numéro n'est pas celui d'un portable : il ne peut pas recevoir de SMS. "
            "Indiquez un numéro de portable (06 ou 07)."
        ),
    }

    def __init__(self, *, mobile_only: bool = False, **kwargs):
        self.mobile_only = mobile_only
        kwargs.setdefault("label", _("Téléphone"))
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return phone_normalize(value) if value else ""

    def validate(self, value):
        super().validate(value)
        if value and self.mobile_only and not phone_is_mobile(value):
            raise ValidationError(self.error_messages["not_mobile"], code="not_mobile")

    @staticmethod
    def is_mobile(value: str) -> bool:
        """True when `value` can receive an SMS (the outbox's own test)."""
        return phone_is_mobile(value)


#: What the window of a DL envelope shows (`pacte.courriers`), by the French postal norm (NF Z10-011):
#: 38 characters a line, 6 lines, the recipient's name being the first one.
ADRESSE_LIGNE_MAX = 38
ADRESSE_LIGNES_MAX = 5


class AdressePostaleField(forms.CharField):
    """A postal address a letter can be posted to (`pacte.courriers`): a few lines, with a French
    postcode (5 digits) and the town, else a French message next to the field.

    Cleaned to one line per address line, blank lines dropped; one typed line « 12 rue de la Paix,
    69003 Lyon » is cut before the postcode so that the envelope window shows two lines. What the
    window would hide is refused: a line over ADRESSE_LIGNE_MAX characters, more than
    ADRESSE_LIGNES_MAX lines. Optional by default (the person has an email or a mobile most of the
    time).
    """

    default_error_messages = {
        "adresse": _(
            "Indiquez l'adresse complète avec le code postal et la ville. "
            "Exemple : 12 rue de la Paix, 69003 Lyon."
        ),
        "ligne": _(
            "Une ligne de l'adresse fait au plus %(max)s caractères, sinon elle ne tient pas "
            "dans la fenêtre de l'enveloppe : passez à la ligne. Ligne trop longue : « %(ligne)s »."
        ),
        "lignes": _(
            "L'adresse tient en %(max)s lignes au plus (le nom est ajouté au-dessus) : "
            "regroupez des lignes, avec le code postal et la ville sur la dernière."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Adresse postale (facultatif)"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        return adresse_lignes(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not re.search(r"\b\d{5}\b", value):
            raise ValidationError(self.error_messages["adresse"], code="adresse")
        lignes = value.splitlines()
        for ligne in lignes:
            if len(ligne) > ADRESSE_LIGNE_MAX:
                raise ValidationError(
                    self.error_messages["ligne"],
                    code="ligne",
                    params={"max": ADRESSE_LIGNE_MAX, "ligne": ligne[: ADRESSE_LIGNE_MAX + 10] + "…"},
                )
        if len(lignes) > ADRESSE_LIGNES_MAX:
            raise ValidationError(
                self.error_messages["lignes"], code="lignes", params={"max": ADRESSE_LIGNES_MAX}
            )


class SelectFrancais(forms.Select):
    """A select whose choices are French data with no translation (a City direction's name): each
    option is marked `lang="fr"`, so a page in another language says which words are French (#17)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, ""):
            option["attrs"]["lang"] = "fr"
        return option


def adresse_lignes(adresse: str) -> str:
    """`adresse` as the envelope reads it: one address line per line, no blank line, and a single
    line cut before its postcode (« 12 rue de la Paix, 69003 Lyon » → two lines)."""
    lignes = [" ".join(line.split()) for line in (adresse or "").splitlines() if line.strip()]
    if len(lignes) == 1:
        lignes = [part.strip(" ,") for part in re.split(r",?\s+(?=\d{5}\b)", lignes[0], maxsplit=1)]
    return "\n".join(line for line in lignes if line)


class ContactMixin:
    """« Téléphone ou courriel » : at least one way to reach the person.

    Put it before `forms.Form`. `contact_fields` are the fields of which one is needed (the first
    one carries the message, in French, next to it); `contact_obligatoire = False` turns the rule
    off (an agent booking for a walk-in). Nothing is added when one of the fields already has an
    error (a malformed number is told as such, not as missing).
    """

    contact_fields: tuple[str, ...] = ("telephone", "email")
    contact_message = _(
        "Indiquez un numéro de téléphone ou une adresse de courriel (au moins l'un des deux)."
    )
    contact_obligatoire = True

    def clean(self):
        cleaned = super().clean()
        fields = self.contact_fields
        if (
            self.contact_obligatoire
            and not any(name in self.errors for name in fields)
            and not any(cleaned.get(name) for name in fields)
        ):
            self.add_error(fields[0], ValidationError(self.contact_message, code="contact"))
        return cleaned


HONEYPOT_FIELD = "site_web"
HONEYPOT_MESSAGE = _(
    "Votre demande n'a pas pu être enregistrée. Vérifiez vos informations et envoyez-la à nouveau, "
    "ou appelez Lyon en direct."
)


class HoneypotMixin:
    """A field people never see and bots fill: the public forms' defence against robots, with the
    rate limits (no captcha, no JavaScript). Put it before `forms.Form` and render
    `{{ form.site_web.as_field_group }}` inside the form.

    The field is off-screen and hidden from assistive technologies (`aria-hidden` on its wrapper,
    `tabindex="-1"`, `autocomplete="off"`, a label saying to leave it empty:
    templates/components/pot_de_miel.html). Filled, the form is refused with a neutral message at
    its top that never names the field; the field comes back empty (a person whose browser filled
    it just sends again) and the catch is journaled (`pacte.pot_de_miel`, the form's name: the
    counter agents and the burst benchmark read) and logged.
    """

    pot_de_miel = True  # False in a staff subclass of a public form (agents are no robots)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.pot_de_miel:
            return
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label=_("Laissez ce champ vide (il sert à repérer les robots)"),
            required=False,
            max_length=200,
            template_name="components/pot_de_miel.html",
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.pop(HONEYPOT_FIELD, ""):  # never handed to a service with the form's data
            honeypot_caught(type(self).__name__)
            if hasattr(self.data, "_mutable"):  # shown again empty, whatever was in it
                self.data = self.data.copy()
                self.data[HONEYPOT_FIELD] = ""
            raise ValidationError(HONEYPOT_MESSAGE, code="pot_de_miel")
        return cleaned


def honeypot_caught(form_name: str) -> None:
    """Record one filled honeypot (journal `pacte.pot_de_miel` and a log line)."""
    from .journal import journal_record

    logger.warning("Honeypot filled on %s: refused", form_name)
    journal_record(
        action="pacte.pot_de_miel", message=form_name, actor_label="robot présumé", data={"form": form_name}
    )


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's `ValidationError` on `form`, whatever its shape, and never raise.

    A message, a list, a dict (field → message, list or `ValidationError`, nested or with
    `params`/`code`): each message goes next to its field when the form has that field, otherwise
    at the top of the form (non-field errors, e.g. a model field the form does not show). Codes and
    params are kept, so `form.has_error(field, code)` works and « %(value)s » is filled in.
    """
    if not isinstance(error, ValidationError):
        error = ValidationError(error)
    if form._errors is None:  # the form's own checks first: running them later would reset these
        form.full_clean()
    if not hasattr(form, "cleaned_data"):  # an unbound form
        form.cleaned_data = {}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        for item in error.error_list:
            form.add_error(None, item)


def blank_fields(form_class: type[forms.BaseForm], template_name: str, **kwargs) -> SafeString:
    """The fields of a blank `form_class(**kwargs)` as `template_name` renders them (its context:
    `form`), rendered once per process (#18.2, `pacte.rendu.rendered_once`).

    An unbound form's fields are the same HTML for every visitor (labels, help, widgets: nothing
    from the request), and rendering them through the form templates was half the server time of
    the booking form. The page includes the same template itself when the form is bound (input
    kept, errors next to the fields); fields whose value differs per visitor (a hidden
    idempotency key) stay out of `template_name`.
    """
    return rendered_once(
        template_name,
        ("blank", form_class, tuple(sorted(kwargs.items()))),
        lambda: {"form": form_class(**kwargs)},
    )
