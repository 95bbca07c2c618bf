"""Built-in template filters for French dates, plurals and sizes (`pacte.francais`), and for the
messages written in the person's language (`ltr`, `sms_ou`)."""

from django import template
from django.utils import translation
from django.utils.html import conditional_escape, format_html

from pacte import francais, langues, sms

register = template.Library()


@register.filter
def date_fr(value, fmt="j F Y"):
    """Like `date`, with « 1er » and no leading zero in dates written in words."""
    return francais.date_texte(value, fmt)


@register.filter(needs_autoescape=True)
def ltr(value, autoescape=True):
    """`value` kept left to right inside a right-to-left text (a phone number, a date in figures,
    a reference in an Arabic message): in HTML a `<bdi dir="ltr">`, in plain text (autoescaping
    off: emails, SMS) the Unicode isolates LRI … PDI. Only when the active language runs right to
    left: a French or English message is left as it was."""
    if value in (None, ""):
        return ""
    if not translation.get_language_bidi():
        return value
    if autoescape:
        return format_html('<bdi dir="ltr">{}</bdi>', value)
    return f"\u2066{value}\u2069"


@register.filter(is_safe=True, needs_autoescape=True)
def en_francais(value, balise="span", autoescape=True):
    """HTML that stays French in a message written in another language (what the médiateur typed,
    his address): in a `<span>` (or `balise`, e.g. "div" around paragraphs) marked lang="fr",
    left to right; unchanged in French."""
    if value in (None, "") or translation.get_language() == langues.LANGUE_DEFAUT:
        return value
    contenu = conditional_escape(value) if autoescape else value
    return format_html('<{0} lang="fr" dir="ltr">{1}</{0}>', balise, contenu)


@register.filter
def langue_fr(code):
    """« arabe », « anglais »: the person's language named for the agents; "" for French."""
    return langues.nom_francais(code)


@register.filter
def sms_ou(texte, court):
    """The SMS `texte` if it fits its budget (`pacte.sms.tient`), else its shorter version `court`:
    a language whose words are longer (Arabic: UCS-2, 67 characters a segment) drops a value (the
    place, the title) only when that value is too long, and the same catalogue serves every one."""
    return texte if sms.tient(str(texte)) else court


@register.filter
def parle(code):
    """« parle arabe » for a person served in Arabic; "" in French (`pacte.langues.parle`)."""
    return langues.parle(code)


@register.filter
def heure_fr(value):
    """« 9 h », « 14 h 30 »."""
    return francais.heure(value)


@register.filter
def pluriel(value, arg="s"):
    """Like `pluralize` (same arguments: "s", "x", "a,ont"), with the French rule: 0 and 1 singular."""
    singulier, _, plur = arg.rpartition(",") if "," in arg else ("", "", arg)
    return francais.pluriel(value, singulier, plur)


@register.filter
def taille(value):
    """« 12 Ko », « 1,5 Mo » (never « Kio » nor « KB »)."""
    return francais.taille(value)


@register.filter
def pourcentage(value):
    """« 72,5 % », « — » when undefined."""
    return francais.pourcentage(value)
