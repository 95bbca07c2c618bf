"""Template filters of `pacte.formats`: `{% load formats_fr %}` then `{{ n|taille_fichier }}`."""

from django import template

from pacte import formats

register = template.Library()

register.filter("taille_fichier", formats.taille_fichier)
register.filter("pourcentage", formats.pourcentage)
