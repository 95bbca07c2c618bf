"""One non-recours vocabulary: the observatory's enums and its rights catalogue (database), read by
the médiation, écrivains publics and démarches forms through nonrecours.enums / nonrecours.services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ecrivains.models import EcrivainPublic, Langue, Theme
from ecrivains.services import Regle, permanence_create
from mediation.forms import NonRecoursForm
from nonrecours.enums import Raison, TypeOdenore
from nonrecours.models import Dispositif
from nonrecours.services import dispositif_choices
from pacte.models import Lieu
from pacte.roles import Role
from tests.mediation.factories import saisine_new

pytestmark = pytest.mark.django_db

NOUVEAU = {
    "code": "aide_velo_cargo",
    "nom": "Aide au vélo-cargo solidaire",
    "porteur": "Métropole",
    "is_active": "on",
}


def _pages(client, make_user):
    """The forms that list the rights catalogue, as each role sees them."""
    mediateur = make_user(Role.MEDIATEUR)
    saisine = saisine_new()
    ecrivain = make_user(Role.ECRIVAIN)
    EcrivainPublic.objects.create(user=ecrivain, structure="Association test")
    permanence_create(
        lieu=Lieu.objects.get(slug="mairie-du-5e-arrondissement"),
        titre="Permanence du vocabulaire",
        regles=[Regle(dt.time(10), dt.time(12), jour=2)],
        capacite=1,
        places_agents=0,
        langues=Langue.objects.filter(code="francais"),
        themes=Theme.objects.filter(code="caf"),
        ecrivains=[ecrivain.ecrivain_public],
    )

    def pages():
        client.force_login(mediateur)
        yield "médiation", client.get(reverse("mediation:saisine_detail", args=[saisine.uuid])).text
        client.force_login(ecrivain)
        yield "écrivains", client.get(reverse("ecrivains:fiche_create")).text
        client.logout()
        yield "démarches", client.get(reverse("demarches:difficulte", args=["place-creche"])).text

    return pages


def test_a_dispositif_added_by_an_analyst_shows_in_every_form_at_once(client, make_user):
    """An analyst adds a right in the observatory's UI: the médiation, écrivain and démarches forms
    offer it on their next display; deactivated, it leaves them all."""
    pages = _pages(client, make_user)
    option = f'value="{NOUVEAU["code"]}"'
    for app, html in pages():
        assert option not in html, app
    analyste = make_user(Role.ANALYSTE)
    client.force_login(analyste)
    response = client.post(reverse("nonrecours:dispositif_ajouter"), NOUVEAU)
    assert response.status_code == 302
    for app, html in pages():
        assert NOUVEAU["nom"] in html and option in html, app
    client.force_login(analyste)
    dispositif = Dispositif.objects.get(code=NOUVEAU["code"])
    client.post(reverse("nonrecours:dispositif_activer", args=[dispositif.pk]))
    for app, html in pages():
        assert option not in html, app


def test_forms_use_the_observatory_vocabulary():
    """Types and reasons in the médiation form are the observatory's codes, labels included."""
    form = NonRecoursForm()
    assert [c for c, _label in form.fields["type_odenore"].choices] == [
        "",
        *[c for c in TypeOdenore.values if c],
    ]
    assert form.fields["raisons"].choices == Raison.choices
    assert form.fields["dispositifs"].choices == dispositif_choices()


def test_dispositif_choices_by_name_active_only():
    """The catalogue as choices: active rights by name; all of them on request."""
    Dispositif.objects.create(code="zz_inactif", nom="A inactif", is_active=False)
    actifs = dispositif_choices()
    assert ("zz_inactif", "A inactif") not in actifs
    assert [nom for _code, nom in actifs] == sorted(nom for _code, nom in actifs)
    assert ("zz_inactif", "A inactif") in dispositif_choices(actifs=False)
