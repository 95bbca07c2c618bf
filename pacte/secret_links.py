"""Secret links (G4): the one home of every link that opens a citizen's case without an account.

Used by the booking link (`pacte.booking`), the médiation follow-up (`mediation`), the
waiting-list offers (`ecrivains`) and the tracker subscriptions (`pacte.tracker`).

- **Token**: 256 random bits, URL-safe, given once to the citizen; only its SHA-256 hash is
  stored (`token_new`, `token_hash`). `lookup(queryset, token, expire_field=...)` finds the row
  of a live token; a malformed token (empty, too long, not ASCII) finds nothing. Reference codes
  for humans: `reference_new`.
- **Identity check**: the first letters of the surname, compared on folded forms (`fold`: Unicode
  NFKD, accents dropped, ligatures and stroked letters spelled out — œ→oe, ø→o, ł→l, đ→d, ß→ss —,
  case folded) encoded to bytes for `hmac.compare_digest`. Any input, in any script, is an
  answer: never an exception.
- **Limits** (one policy for every link type, the stricter of the copies it replaced: the booking
  link locked after 5 wrong answers, the médiation link never did): per link,
  `settings.RATELIMITS["lien"]` attempts (a wrong identity answer, or any use of a link without
  an identity question) through `pacte.ratelimit.hit`, counted in the database when Redis is
  down; per client IP, the views carry `@ratelimit("identite")`. Over the per-link limit the
  owner is not stuck for an hour: `renew` sends a fresh link to the contact on file (the old hash
  is replaced, so the counter starts again) and the page says the same thing whether or not a
  contact exists.
- **Exchange**: the emailed link lands on a view that calls `exchange`: the token's hash is
  replaced at once (the token in the mail, the access log or a Referer is dead after first use),
  the session remembers the case, and the view answers 303 to a token-less page. The same
  browser opening the used link again is sent back to that page (`exchanged_uuid`); any other
  gets the recovery page. Pages of a secret link answer with `Referrer-Policy: same-origin`
  (`private_referrer`).
- **Session memory**: `remember`, `state`, `mark_verified`, `forget` — the session holds, per
  link type and case, the hash it was given and whether the identity check passed; a renewed link
  (new hash) ends every older session's access.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from pacte.facile import gabarit
from pacte.ratelimit import exceeded, hit

SESSION_KEY = "liens_secrets"
SESSION_MAX = 20
TOKEN_MAX_LENGTH = 100

# Letters NFKD leaves whole (ligatures, stroked letters): spelled out as a French reader would.
_SPELLED_OUT = str.maketrans(
    {
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ß": "ss",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŀ": "l",
        "ŋ": "n",
        "ĸ": "k",
        "ſ": "s",
    }
)


# --- tokens -------------------------------------------------------------------------------------


def token_new() -> tuple[str, str]:
    """Return (token, token_hash): 256 random bits, URL-safe; store only the hash."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_valid_form(token: str | None) -> bool:
    """A token worth looking up: non-empty, short, ASCII (what `token_new` gives)."""
    return bool(token) and len(token) <= TOKEN_MAX_LENGTH and token.isascii()


def lookup(queryset, token: str | None, *, field: str = "token_hash", expire_field: str | None = None):
    """The row of `queryset` whose `field` is the hash of `token` (and `expire_field` is in the
    future when given), or None for an unknown, expired or malformed token."""
    if not token_valid_form(token):
        return None
    filters: dict[str, Any] = {field: token_hash(token)}
    if expire_field:
        filters[f"{expire_field}__gt"] = timezone.now()
    return queryset.filter(**filters).first()


def reference_new(prefix: str, length: int = 6) -> str:
    """A short human reference code (no ambiguous characters), e.g. RDV-7KQ2MX."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return f"{prefix}-" + "".join(secrets.choice(alphabet) for _ in range(length))


# --- identity check ------------------------------------------------------------------------------


def fold(text: str | None) -> str:
    """`text` reduced to what the identity check compares: letters and digits, accents dropped,
    ligatures spelled out, case folded (« Cœur-Ødegård » → « coeurodegard »). Other scripts
    stay themselves (« Иванов » → « иванов »)."""
    text = unicodedata.normalize("NFKD", text or "").casefold().translate(_SPELLED_OUT)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c))


def identity_matches(*, expected_name: str | None, given: str | None, letters: int = 3) -> bool:
    """The light identity check: the first `letters` letters of the surname, folded (see `fold`).

    An answer shorter than the folded name's first letters is refused; extra letters are ignored.
    """
    expected = fold(expected_name)[:letters]
    answer = fold(given)[:letters]
    return (
        bool(expected)
        and len(answer) >= min(letters, len(expected))
        and hmac.compare_digest(expected.encode(), answer.encode())
    )


# --- limits -------------------------------------------------------------------------------------


def locked(kind: str, hashed: str) -> bool:
    """True when the link has used up its attempts (read only), so a GET can say so at once."""
    return exceeded("lien", f"{kind}:{hashed}")


def attempt(kind: str, hashed: str) -> bool:
    """Count one attempt on the link `hashed` of type `kind`; False once over the per-link limit.

    Always on (it protects a case, unlike the load limits `RATELIMIT_ENABLED` switches off); the
    count survives Redis being down (`pacte.ratelimit.hit` falls back to the database).
    """
    return hit("lien", f"{kind}:{hashed}")


# --- session memory -----------------------------------------------------------------------------


def _entries(request) -> dict:
    return dict(request.session.get(SESSION_KEY, {}))


def _save(request, entries: dict) -> None:
    if len(entries) > SESSION_MAX:
        entries = dict(list(entries.items())[-SESSION_MAX:])
    request.session[SESSION_KEY] = entries


def _key(kind: str, obj) -> str:
    return f"{kind}:{obj.uuid}"


def remember(request, *, kind: str, obj, hashed: str, verified: bool = False, ancien: str = "") -> None:
    """This browser holds the case `obj` through the link whose current hash is `hashed`."""
    entries = _entries(request)
    entries.pop(_key(kind, obj), None)
    entries[_key(kind, obj)] = {"h": hashed, "ok": verified, "ancien": ancien}
    _save(request, entries)


def state(request, *, kind: str, obj, hashed: str) -> str | None:
    """None (this browser does not hold the case), "echange" (identity not yet checked) or
    "verifie". An entry for an older hash (the link was renewed since) counts as none."""
    entry = _entries(request).get(_key(kind, obj))
    if not entry or not hmac.compare_digest(entry.get("h", ""), hashed or ""):
        return None
    return "verifie" if entry.get("ok") else "echange"


def mark_verified(request, *, kind: str, obj) -> None:
    """The identity check passed for the case this browser holds."""
    entries = _entries(request)
    if _key(kind, obj) in entries:
        entries[_key(kind, obj)] = {**entries[_key(kind, obj)], "ok": True}
        _save(request, entries)


def forget(request, *, kind: str, obj) -> None:
    entries = _entries(request)
    if entries.pop(_key(kind, obj), None) is not None:
        _save(request, entries)


def exchanged_uuid(request, *, kind: str, token: str) -> str | None:
    """The case this browser got by exchanging `token` before (the link was used here), or None."""
    if not token_valid_form(token):
        return None
    hashed = token_hash(token)
    for key, entry in _entries(request).items():
        if key.startswith(f"{kind}:") and entry.get("ancien") == hashed:
            return key.partition(":")[2]
    return None


def _rotate(obj, *, field: str, ancien: str) -> tuple[str, str] | None:
    """Replace the stored hash `ancien` by a new one; None if another request did it first."""
    token, hashed = token_new()
    updates: dict[str, Any] = {field: hashed}
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        updates["updated_at"] = timezone.now()
    if not type(obj)._default_manager.filter(pk=obj.pk, **{field: ancien}).update(**updates):
        return None
    setattr(obj, field, hashed)
    return token, hashed


def exchange(request, *, kind: str, obj, field: str = "token_hash") -> bool:
    """Trade the link's token (already looked up into `obj`) for this session: the stored hash is
    replaced so the token is dead from now on. False if the token was used meanwhile."""
    ancien = getattr(obj, field)
    rotated = _rotate(obj, field=field, ancien=ancien)
    if rotated is None:
        return False
    remember(request, kind=kind, obj=obj, hashed=rotated[1], ancien=ancien)
    return True


def renew(*, obj, send, field: str = "token_hash") -> bool:
    """« Recevoir un nouveau lien »: a fresh token replaces the stored hash (older links and the
    sessions they opened stop working, the per-link counter starts again) and `send(obj, token)`
    sends it to the contact on file (through `pacte.notifications.notify_person`). The caller
    shows the same answer whether or not a contact exists."""
    rotated = _rotate(obj, field=field, ancien=getattr(obj, field))
    if rotated is None:
        return False
    send(obj, rotated[0])
    return True


def send_new_link(*, personne, objet: str, reference: str, lien: str, obj) -> None:
    """The « nouveau lien » message (email and/or SMS to a mobile; nothing else) for `renew`."""
    from pacte.notifications import notify_person

    notify_person(
        personne=personne,
        message="pacte/nouveau_lien",
        sujet=gettext_lazy("Votre nouveau lien personnel"),
        context={"objet": objet, "reference": reference, "lien": lien},
        obj=obj,
    )


def renewal_allowed(kind: str, ident: str) -> bool:
    """Count one « nouveau lien » request for a case (by reference or hash): the per-link limit."""
    return hit("lien", f"renvoi:{kind}:{ident}")


class NouveauLienForm(forms.Form):
    """The recovery form of a used or unknown link: the reference the citizen was given."""

    reference = forms.CharField(
        label=gettext_lazy("Votre référence"),
        max_length=20,
        help_text=gettext_lazy("Elle figure dans le courriel ou le SMS reçu, par exemple RDV-7KQ2MX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": gettext_lazy("Indiquez votre référence.")},
    )


def new_link_sent(request, *, retour: str = ""):
    """The same answer whether or not the case, or a contact for it, exists."""
    return render(request, gabarit(request, "pacte/nouveau_lien_envoye.html"), {"retour": retour})


# --- the steps every secret-link view shares ----------------------------------------------------


def open_link(request, *, kind: str, token: str, obj, page_url, invalid):
    """The body of a token URL view: exchange the live token (`obj`, looked up by the caller) and
    answer 303 to `page_url(uuid)`; the same browser reopening a used link goes back to its page;
    anything else (used elsewhere, unknown, a POST) gets `invalid()`, the recovery page."""
    if obj is None or request.method != "GET":
        deja = exchanged_uuid(request, kind=kind, token=token)
        if deja is not None and request.method == "GET":
            return _see_other(page_url(deja))
        return invalid()
    if not exchange(request, kind=kind, obj=obj):
        return invalid()
    return _see_other(page_url(obj.uuid))


def _see_other(url: str) -> HttpResponseRedirect:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # the next request is a GET, whatever brought the browser here
    return response


def new_link_by_reference(request, *, kind: str, find, send, invalid):
    """The body of a « Recevoir un nouveau lien » view reached from a used or unknown link: the
    reference typed, `find(reference)` the case, `send(obj, token)` the message; the answer is
    the same whether or not the case exists. `invalid(form, status)` renders the form page."""
    from pacte.ratelimit import refused

    if request.method != "POST":
        return invalid(NouveauLienForm(), 200)
    form = NouveauLienForm(request.POST)
    if refused(request) or not form.is_valid():
        return invalid(form, 400)
    reference = form.cleaned_data["reference"].strip().upper()
    if renewal_allowed(kind, reference):
        obj = find(reference)
        if obj is not None:
            renew(obj=obj, send=send)
    return new_link_sent(request)


def new_link_asked(request, *, kind: str, obj, send) -> bool:
    """On a page held through a link: the « Recevoir un nouveau lien » button was pressed (the
    owner locked out); the fresh link is sent, and the page then answers `new_link_sent`."""
    from pacte.ratelimit import refused

    if request.method != "POST" or request.POST.get("action") != "nouveau_lien" or refused(request):
        return False
    if renewal_allowed(kind, obj.token_hash):
        renew(obj=obj, send=send)
    return True


def identity_check(request, *, kind: str, obj, form, field: str, expected_name: str, error: str) -> bool:
    """The identity step on a page held through a link: on POST count one attempt, compare, mark
    the session verified. True when the session has just been verified (the view redirects);
    otherwise the view renders `form` with `form.bloque` (True: locked, a 429 with the recovery
    button)."""
    from pacte.ratelimit import refused

    form.bloque = request.method != "POST" and locked(kind, obj.token_hash)
    if request.method != "POST" or refused(request):
        return False
    form.bloque = not attempt(kind, obj.token_hash)
    if form.bloque or not form.is_valid():
        return False
    if identity_matches(expected_name=expected_name, given=form.cleaned_data[field]):
        mark_verified(request, kind=kind, obj=obj)
        return True
    form.add_error(field, error)
    return False


def private_referrer(view):
    """Pages of a secret link: no Referer leaves for another site, whatever the site-wide policy.

    `same-origin` rather than `no-referrer`: with `no-referrer` browsers post forms with
    `Origin: null`, which Django's CSRF check rightly refuses. Same-origin Referers only ever
    carry token-less URLs (the token URL answers a bare 303).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper
