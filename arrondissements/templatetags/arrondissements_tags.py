from django import template

from ..rapport import jours_ouvres as _jours_ouvres

register = template.Library()


@register.filter
def jours_ouvres(jours):
    """'0', '2,5' (business days; the unit is in the column header) or '—'."""
    return _jours_ouvres(jours)


@register.filter
def pourcent(value):
    return "—" if value is None else f"{value:.1f} %".replace(".", ",")
