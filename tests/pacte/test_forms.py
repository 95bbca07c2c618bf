"""pacte.forms: PhoneField, ContactMixin (« téléphone ou courriel ») and apply_errors on every shape."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from pacte.forms import ContactMixin, PhoneField, apply_errors
from pacte.notifications import Personne
from pacte.phones import phone_is_mobile


class ContactForm(ContactMixin, forms.Form):
    nom = forms.CharField(required=False)
    telephone = PhoneField(required=False)
    email = forms.EmailField(required=False)


class PortableForm(forms.Form):
    portable = PhoneField(mobile_only=True)


# --- PhoneField -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("04 72 10 30 30", "+33472103030"),
        ("+596 696 12 34 56", "+596696123456"),  # Martinique mobile
        ("+49 151 23456789", "+4915123456789"),
    ],
)
def test_phone_field_normalises_to_e164(typed, e164):
    """French numbers in any usual spelling (and international ones with +) come out in E.164."""
    form = ContactForm({"telephone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["telephone"] == e164


@pytest.mark.parametrize("typed", ["12", "06 12 34", "téléphone", "+33 6 12 34 56 78 90 12"])
def test_phone_field_refuses_a_wrong_number_in_french_and_keeps_it(typed):
    """A wrong number: a French message next to the field, the typed value shown again."""
    form = ContactForm({"telephone": typed})
    assert not form.is_valid()
    assert form.errors["telephone"] == ["Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78."]
    assert form.has_error("telephone", "phone")
    assert f'value="{typed}"' in str(form["telephone"])
    assert 'type="tel"' in str(form["telephone"]) and 'autocomplete="tel"' in str(form["telephone"])


def test_mobile_only_refuses_a_landline_with_a_clear_message():
    """A landline cannot get an SMS: the form says so."""
    form = PortableForm({"portable": "04 72 10 30 30"})
    assert not form.is_valid() and form.has_error("portable", "not_mobile")
    assert "n'est pas celui d'un portable" in form.errors["portable"][0]
    assert PortableForm({"portable": "07 81 23 45 67"}).is_valid()


@pytest.mark.parametrize(
    "number",
    [
        "+33612345678",
        "+33781234567",
        "+33472103030",
        "+33912345678",
        "+33800123456",
        "+596696123456",
        "+12025550123",
    ],
)
def test_the_mobile_flag_is_the_outbox_policy(number):
    """PhoneField, pacte.phones and notify_person agree on what can receive an SMS."""
    assert PhoneField.is_mobile(number) == phone_is_mobile(number) == Personne(telephone=number).has_mobile
    field = PhoneField(mobile_only=True)
    try:
        field.clean(number)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == phone_is_mobile(number)


# --- ContactMixin -----------------------------------------------------------------------------


def test_contact_needs_a_phone_or_an_email():
    """Neither: one French message next to the phone field (code « contact »)."""
    form = ContactForm({"nom": "Martin"})
    assert not form.is_valid()
    assert form.has_error("telephone", "contact")
    assert "téléphone ou une adresse de courriel" in form.errors["telephone"][0]
    assert ContactForm({"telephone": "06 12 34 56 78"}).is_valid()
    assert ContactForm({"email": "nom@exemple.fr"}).is_valid()


def test_a_malformed_contact_is_told_as_malformed_not_as_missing():
    """A wrong number or address gets its own message, not « give a phone or an email »."""
    form = ContactForm({"telephone": "12"})
    assert not form.is_valid() and not form.has_error("telephone", "contact")
    form = ContactForm({"email": "pas-une-adresse"})
    assert not form.is_valid() and not form.has_error("telephone", "contact")


def test_contact_rule_can_be_switched_off_and_fields_chosen():
    """An agent's walk-in form may have no contact; a form may name its own contact fields."""

    class SansContact(ContactForm):
        contact_obligatoire = False

    class AvecAdresse(ContactForm):
        adresse = forms.CharField(required=False)
        contact_fields = ("email", "telephone", "adresse")
        contact_message = "Donnez au moins un moyen de vous répondre."

    assert SansContact({}).is_valid()
    form = AvecAdresse({})
    assert not form.is_valid() and form.errors["email"] == ["Donnez au moins un moyen de vous répondre."]
    assert AvecAdresse({"adresse": "1 place de la Comédie"}).is_valid()


# --- apply_errors -----------------------------------------------------------------------------


def _form():
    form = ContactForm({"nom": "Martin", "email": "nom@exemple.fr"})
    assert form.is_valid()
    return form


SHAPES = {
    "message": (ValidationError("Ce créneau est pris."), {NON_FIELD_ERRORS: ["Ce créneau est pris."]}),
    "message with params": (
        ValidationError("Pas plus de %(n)s fichiers.", code="max", params={"n": 5}),
        {NON_FIELD_ERRORS: ["Pas plus de 5 fichiers."]},
    ),
    "list": (
        ValidationError(["Un.", ValidationError("Deux %(x)s.", params={"x": "B"})]),
        {NON_FIELD_ERRORS: ["Un.", "Deux B."]},
    ),
    "dict of strings": (
        ValidationError({"nom": "Indiquez votre nom.", "email": ["Adresse refusée.", "Domaine inconnu."]}),
        {"nom": ["Indiquez votre nom."], "email": ["Adresse refusée.", "Domaine inconnu."]},
    ),
    "dict with a field the form does not show": (
        ValidationError({"token_hash": "Lien expiré.", "nom": "Trop long."}),
        {NON_FIELD_ERRORS: ["Lien expiré."], "nom": ["Trop long."]},
    ),
    "dict with __all__": (
        ValidationError({NON_FIELD_ERRORS: ["Incohérent."], "email": "Refusée."}),
        {NON_FIELD_ERRORS: ["Incohérent."], "email": ["Refusée."]},
    ),
    "nested": (
        ValidationError(
            {
                "telephone": ValidationError(
                    [
                        ValidationError("Numéro %(num)s inconnu.", code="phone", params={"num": "06"}),
                        "Autre.",
                    ]
                ),
                "ailleurs": [ValidationError(["Caché.", ValidationError("Code %(c)s.", params={"c": 7})])],
            }
        ),
        {"telephone": ["Numéro 06 inconnu.", "Autre."], NON_FIELD_ERRORS: ["Caché.", "Code 7."]},
    ),
    "list of dicts": (
        ValidationError([ValidationError({"nom": "A."}), ValidationError({"email": "B."})]),
        {NON_FIELD_ERRORS: ["A.", "B."]},  # Django flattens a list of dicts: the fields are lost
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_apply_errors_handles_every_shape(shape):
    """Each message lands next to its field when the form has it, else at the top; never a crash."""
    error, expected = SHAPES[shape]
    form = _form()
    apply_errors(form, error)
    assert not form.is_valid()
    assert {k: list(v) for k, v in form.errors.items()} == expected


def test_apply_errors_keeps_codes_and_removes_the_field_from_cleaned_data():
    """Codes survive (has_error works); a field in error leaves cleaned_data."""
    form = _form()
    apply_errors(form, ValidationError({"email": ValidationError("Refusée.", code="refus")}))
    assert form.has_error("email", "refus") and "email" not in form.cleaned_data


def test_apply_errors_on_an_unvalidated_or_unbound_form():
    """Before is_valid() (it runs the form's checks first, then adds) or on an unbound form."""
    form = ContactForm({"nom": "Martin"})
    apply_errors(form, ValidationError({"nom": "Refusé."}))
    assert form.has_error("nom") and form.has_error("telephone", "contact")
    unbound = ContactForm()
    apply_errors(unbound, ValidationError("Indisponible."))
    assert unbound.non_field_errors() == ["Indisponible."]


def test_the_old_copies_raised_where_apply_errors_does_not():
    """Why one helper: form.add_error(None, exc) raises on a dict naming a field the form lacks,
    exc.message_dict raises on a plain message."""
    error = ValidationError({"token_hash": "Lien expiré."})
    with pytest.raises(ValueError):
        _form().add_error(None, error)
    with pytest.raises(AttributeError):
        ValidationError("Un message.").message_dict  # noqa: B018
    apply_errors(_form(), error)
