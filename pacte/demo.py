"""Demo accounts, one per role (embedded default only; refused in production)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import get_hasher, make_password
from django.contrib.auth.models import Group

from .models import Arrondissement, Direction, Lieu, Profil
from .roles import Role

# (username, password, first name, last name, role, extra profile fields)
DEMO_ACCOUNTS = [
    ("agent", "demo-agent-2026", "Amina", "Benali", Role.AGENT, {"lieu": "mairie-du-6e-arrondissement"}),
    ("ecrivain", "demo-ecrivain-2026", "Louis", "Perret", Role.ECRIVAIN, {}),
    ("mediateur", "demo-mediateur-2026", "Claire", "Vasseur", Role.MEDIATEUR, {}),
    ("referent", "demo-referent-2026", "Marc", "Delorme", Role.REFERENT, {"direction": "DEV"}),
    ("elu", "demo-elu-2026", "Sophie", "Garnier", Role.ELU, {"arrondissement": 6, "fonction_elu": "maire"}),
    ("coordination", "demo-coordination-2026", "Hugo", "Martel", Role.COORDINATION, {}),
    ("analyste", "demo-analyste-2026", "Inès", "Roussel", Role.ANALYSTE, {}),
    ("conseiller", "demo-conseiller-2026", "Paul", "Lambert", Role.CONSEILLER, {}),
    (
        "partenaire",
        "demo-partenaire-2026",
        "Julie",
        "Moreau",
        Role.PARTENAIRE,
        {"organisation": "CCAS de Lyon — antenne du 8e", "type_organisation": "ccas"},
    ),
    ("admin", "demo-admin-2026", "Nora", "Chevalier", Role.ADMIN, {}),
]


# The demo passwords are public (README, `seed_demo`'s output). Hashing each of the ~50 demo accounts
# at the production work factor (PBKDF2, 1.5 million iterations) was most of `make run`'s start, so
# they are stored with a light one; Django raises it to the full one at the account's first login
# (the hasher's `must_update`), like any hash made under older settings.
DEMO_HASH_ITERATIONS = 1000


def demo_password(password: str) -> str:
    """A salted hash of a public demo password, cheap to compute (see DEMO_HASH_ITERATIONS)."""
    hasher = get_hasher()
    if not hasattr(hasher, "iterations"):
        return make_password(password)
    return hasher.encode(password, hasher.salt(), iterations=DEMO_HASH_ITERATIONS)


def demo_user(
    username,
    password,
    first_name,
    last_name,
    role,
    *,
    direction=None,
    arrondissement=None,
    fonction_elu="",
    lieu=None,
    email=None,
    organisation="",
    type_organisation="",
):
    """Create or update one demo staff account with its role group and profile."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    user.first_name, user.last_name = first_name, last_name
    user.email = email or f"{username}@demo.pacte.lyon.fr"
    user.is_staff = role == Role.ADMIN
    user.is_superuser = role == Role.ADMIN
    user.password = demo_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    Profil.objects.update_or_create(
        user=user,
        defaults={
            "direction": direction,
            "arrondissement": arrondissement,
            "fonction_elu": fonction_elu,
            "lieu": lieu,
            "organisation": organisation,
            "type_organisation": type_organisation,
        },
    )
    return user


def seed(*, scale: int = 1, stdout=None) -> None:
    """Create the demo accounts listed in the README."""
    for username, password, first, last, role, extra in DEMO_ACCOUNTS:
        demo_user(
            username,
            password,
            first,
            last,
            role,
            direction=Direction.objects.get(sigle=extra["direction"]) if "direction" in extra else None,
            arrondissement=(
                Arrondissement.objects.get(numero=extra["arrondissement"])
                if "arrondissement" in extra
                else None
            ),
            fonction_elu=extra.get("fonction_elu", ""),
            lieu=Lieu.objects.filter(slug=extra["lieu"]).first() if "lieu" in extra else None,
            organisation=extra.get("organisation", ""),
            type_organisation=extra.get("type_organisation", ""),
        )
    if stdout:
        stdout.write("Comptes de démonstration (développement uniquement) :")
        stdout.write(f"  {'Rôle':<42} {'Identifiant':<14} Mot de passe")
        from .roles import ROLE_LABELS

        for username, password, _first, _last, role, _extra in DEMO_ACCOUNTS:
            stdout.write(f"  {ROLE_LABELS[role]:<42} {username:<14} {password}")
