"""What citizens read of the écrivains publics' themes and languages, in their language (#17.4); a
permanence's own text is its agenda's (pacte/booking/translation.py)."""

from pacte.traductions import traduire

from .models import Langue, Theme

traduire(Theme, ("libelle",))
traduire(Langue, ("libelle",))
