"""The kernel's deliberately public views (no account needed). Feature apps list theirs as
`PUBLIC` in their urls.py; tests/test_project.py fails on any public view missing from these lists."""

PUBLIC = [
    ":accueil",
    ":accessibilite",
    ":mentions_legales",
    ":donnees_personnelles",
    ":plan_du_site",
    ":contact",
    ":connexion",
    ":password_reset",
    ":password_reset_done",
    ":password_reset_confirm",
    ":password_reset_complete",
]
