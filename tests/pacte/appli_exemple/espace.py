NAV = [("Exemple", "accueil")]
NAV_RANG = 15
