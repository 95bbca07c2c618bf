"""What citizens read of a démarche and of its human alternatives, in their language (#17.4)."""

from pacte.traductions import traduire

from .models import Alternative, Demarche

traduire(Demarche, ("titre", "description", "qui_peut", "pieces", "cout", "delai"))
traduire(Alternative, ("horaires", "precisions"))
