"""`{% traduit obj "champ" %}`: a translated field in the page's language (pacte.traductions); `|libelle`: a
fixed label from the code.

- `{% traduit demarche "titre" %}` writes the text; a text shown in French for lack of a
  translation is wrapped in `<span lang="fr">`.
- `{% traduit demarche "description" as d %}` gives the passage to the template: `{{ d }}` as
  above, `{{ d.texte }}` the bare text (for filters: `{{ d.texte|truncatewords:24 }}`), `{{ d.attr }}`
  ` lang="fr"` or nothing, for the element that holds it: `<p class="chapo"{{ d.attr }}>`.
"""

from django import template

from pacte.traductions import libelle as libelle_traduit
from pacte.traductions import traduction

register = template.Library()


@register.simple_tag
def traduit(obj, champ):
    return traduction(obj, champ)


@register.filter
def libelle(texte):
    """A fixed French label from the code, in the page's language if the catalogues have it, else
    French marked lang="fr" (`pacte.traductions.libelle`): `{{ row.label|libelle }}`, or
    `{% with l=row.label|libelle %}<th{{ l.attr }}>{{ l.texte }}</th>{% endwith %}`."""
    return libelle_traduit(texte)
