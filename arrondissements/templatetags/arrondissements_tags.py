from django import template

from ..rapport import duree as _duree

register = template.Library()


@register.filter
def duree(heures):
    """'5 h', '2,5 j' or '—'."""
    return _duree(heures)


@register.filter
def pourcent(value):
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")
