"""The reference démarches in « français facile » (#17.5): one idea a line, short sentences,
common words, numbers in digits, no abbreviations (tests/pacte/test_facile.py checks them).

Written for the portal, à relire par la Ville (Demarche.texte_facile_relu stays unchecked until
the City has read them). Loaded by demarches.reference.load into Demarche.texte_facile.
"""

TEXTES_FACILES = {
    "titres_identite": (
        "Cette démarche sert à avoir une carte d'identité ou un passeport.\n"
        "Vous pouvez commencer la demande sur internet.\n"
        "Ensuite, vous devez aller à la mairie.\n"
        "Vous devez prendre un rendez-vous avant d'y aller.\n"
        "À la mairie, une personne prend vos empreintes.\n"
        "Vous revenez plus tard pour chercher votre carte.\n"
        "Attention : il faut souvent attendre plusieurs semaines."
    ),
    "actes_etat_civil": (
        "Cette démarche sert à avoir un papier officiel de naissance, de mariage ou de décès.\n"
        "La naissance, le mariage ou le décès doit avoir eu lieu à Lyon.\n"
        "Ce papier est gratuit.\n"
        "Vous pouvez l'avoir tout de suite au guichet de la mairie.\n"
        "Par courrier, il faut attendre quelques jours."
    ),
    "listes_electorales": (
        "Cette démarche sert à pouvoir voter à Lyon.\n"
        "Vous devez avoir 18 ans ou plus.\n"
        "Vous devez vous inscrire si vous venez d'arriver à Lyon.\n"
        "Apportez un papier avec votre photo et votre nom.\n"
        "Apportez aussi un papier qui prouve votre adresse à Lyon.\n"
        "C'est gratuit."
    ),
    "recensement_citoyen": (
        "À 16 ans, chaque jeune français doit se faire recenser.\n"
        "Se faire recenser, c'est dire à la mairie que vous avez 16 ans.\n"
        "La mairie vous donne ensuite un papier.\n"
        "Ce papier est important pour passer des examens.\n"
        "C'est gratuit."
    ),
    "attestation_accueil": (
        "Cette démarche sert à recevoir chez vous une personne étrangère.\n"
        "La personne vient d'un pays hors de l'Europe.\n"
        "Vous devez aller à la mairie.\n"
        "Vous devez prendre un rendez-vous avant d'y aller.\n"
        "Attention : cette démarche coûte de l'argent."
    ),
    "legalisation_signature": (
        "Cette démarche sert à prouver que votre signature est bien la vôtre.\n"
        "Vous signez le papier devant une personne de la mairie.\n"
        "Apportez le papier à signer.\n"
        "Apportez aussi un papier avec votre photo et votre nom."
    ),
    "pacs": (
        "Cette démarche sert à faire un pacte civil de solidarité.\n"
        "Le pacte civil de solidarité unit 2 personnes qui vivent ensemble.\n"
        "Vous devez aller à la mairie tous les 2.\n"
        "Vous devez prendre un rendez-vous avant d'y aller."
    ),
    "mariage": (
        "Cette démarche sert à préparer votre mariage à la mairie.\n"
        "Vous devez donner des papiers à la mairie avant le mariage.\n"
        "Vous devez prendre un rendez-vous pour donner ces papiers.\n"
        "Attention : commencez plusieurs mois avant la date du mariage."
    ),
    "inscription_scolaire": (
        "Cette démarche sert à inscrire votre enfant à l'école.\n"
        "Cela concerne l'école maternelle et l'école élémentaire.\n"
        "Vous pouvez le faire sur internet.\n"
        "Vous pouvez aussi aller au guichet de la mairie."
    ),
    "periscolaire_restauration": (
        "Cette démarche sert à inscrire votre enfant à la cantine.\n"
        "Elle sert aussi pour les activités avant et après l'école.\n"
        "Le prix dépend des revenus de votre famille.\n"
        "Vous pouvez le faire sur internet."
    ),
    "place_creche": (
        "Cette démarche sert à demander une place dans une crèche de la Ville.\n"
        "Une crèche garde les jeunes enfants pendant la journée.\n"
        "Vous devez prendre un rendez-vous à la mairie.\n"
        "Attention : il y a souvent beaucoup de demandes."
    ),
    "occupation_domaine_public": (
        "Cette démarche sert à utiliser la rue ou le trottoir pour un temps.\n"
        "Par exemple pour un camion de déménagement.\n"
        "Ou pour une terrasse de café.\n"
        "Vous devez demander l'accord de la Ville avant."
    ),
    "concession_funeraire": (
        "Cette démarche sert à avoir une place dans un cimetière de Lyon.\n"
        "Elle sert aussi à garder cette place plus longtemps.\n"
        "Vous devez prendre un rendez-vous avant d'y aller.\n"
        "Attention : cette démarche coûte de l'argent."
    ),
    "salle_municipale": (
        "Cette démarche sert à louer une salle de la Ville.\n"
        "Elle est pour les associations.\n"
        "Vous pouvez faire la demande sur internet."
    ),
}
