"""What citizens read of the Pacte's orientations, axes and actions, in their language (#17.4)."""

from pacte.traductions import traduire

from .models import Action, Axe, Orientation

traduire(Orientation, ("titre", "description"))
traduire(Axe, ("titre",))
traduire(Action, ("titre", "description"))
