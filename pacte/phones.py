"""French phone numbers, parsed and formatted with `phonenumbers`."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALIDE = _("Ce numéro de téléphone n'est pas valide. Exemple : 06 12 34 56 78.")


def phone_normalize(value: str) -> str:
    """Return the E.164 form of a French (or international) number, or raise a ValidationError (in
    the active language: a citizen's form in English or Arabic tells it in that language)."""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(INVALIDE, code="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(INVALIDE, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """National format for display, e.g. 06 12 34 56 78."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 33:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_is_mobile(value: str) -> bool:
    """True when `phonenumbers` knows `value` to be a mobile number (it can receive an SMS).

    French 06/07 and +33 6/7 (overseas too), and mobiles of other countries. A landline, a VoIP
    (09) or special-rate number, or a number whose type cannot be told from its digits (North
    America: FIXED_LINE_OR_MOBILE) is not: an SMS there could be lost without anyone knowing.
    """
    if not value:
        return False
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
