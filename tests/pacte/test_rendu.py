"""Fragments kept once per process for what they show (pacte.rendu, `{% une_fois %}`, #18.2)."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from pacte.rendu import forget_all, rendered_once

PAGE = Template(
    '{% load rendu %}{% une_fois "essai" titre %}<h1>{{ titre }}</h1>{{ compte }}{% endune_fois %}'
)


class Compteur:
    """Counts how many times the fragment is really rendered."""

    def __init__(self):
        self.n = 0

    def __str__(self):
        self.n += 1
        return f"rendu {self.n}"


def test_a_fragment_is_rendered_once_for_the_same_values_and_again_for_others():
    forget_all()
    compte = Compteur()
    with translation.override("fr"):  # whatever an earlier test left active in this thread
        first = PAGE.render(Context({"titre": "Passeport", "compte": compte}))
        again = PAGE.render(Context({"titre": "Passeport", "compte": compte}))
        assert again == first == "<h1>Passeport</h1>rendu 1"
        assert (
            PAGE.render(Context({"titre": "Carte grise", "compte": compte})) == "<h1>Carte grise</h1>rendu 2"
        )
        with translation.override("en"):  # one copy per language
            assert PAGE.render(Context({"titre": "Passeport", "compte": compte})).endswith("rendu 3")
        assert PAGE.render(Context({"titre": ["pas", "hachable"], "compte": compte})).endswith("rendu 4")
        assert PAGE.render(Context({"titre": ["pas", "hachable"], "compte": compte})).endswith("rendu 5")


def test_rendered_once_builds_the_context_only_when_not_kept(settings):
    forget_all()
    contexts = []

    def context():
        contexts.append(1)
        return {"titre": "Passeport"}

    assert rendered_once("booking/includes/creneaux.html", ("cle",), context) == rendered_once(
        "booking/includes/creneaux.html", ("cle",), context
    )
    assert len(contexts) == 1
    settings.DEBUG = True  # templates reload in development: nothing kept
    rendered_once("booking/includes/creneaux.html", ("autre",), context)
    rendered_once("booking/includes/creneaux.html", ("autre",), context)
    assert len(contexts) == 3
