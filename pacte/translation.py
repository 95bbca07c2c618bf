"""What citizens read of a lieu d'accueil, in their language (#17.4)."""

from .models import Lieu
from .traductions import traduire

traduire(Lieu, ("nom", "horaires", "accessibilite_notes"))
