"""What citizens read of an agenda (a démarche's counter, an écrivain public permanence), in their
language (#17.4)."""

from pacte.traductions import traduire

from .models import Agenda

traduire(Agenda, ("titre", "description", "a_apporter"))
