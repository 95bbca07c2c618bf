from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxValueValidator, MinValueValidator

from .parsing import DATE_MAX, DATE_MIN


class DateField(forms.DateField):
    """A date field bounded to the dates the portal computes with (pacte.parsing): a year 9999 or 1
    is a French message next to the field, never an overflow further on. Use it instead of
    forms.DateField (tests/test_hostile_input.py checks no form uses the unbounded one)."""

    default_validators = [
        MinValueValidator(DATE_MIN, message=f"Saisissez une date après le {DATE_MIN:%d/%m/%Y}."),
        MaxValueValidator(DATE_MAX, message=f"Saisissez une date avant le {DATE_MAX:%d/%m/%Y}."),
    ]


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
