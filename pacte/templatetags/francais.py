"""Built-in template filters for French dates, plurals and sizes (`pacte.francais`)."""

from django import template

from pacte import francais

register = template.Library()


@register.filter
def date_fr(value, fmt="j F Y"):
    """Like `date`, with « 1er » and no leading zero in dates written in words."""
    return francais.date_texte(value, fmt)


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
