"""Services: idempotency, cancel/move/mark, listeners, notifications, reminders, retention, tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import F

from pacte.booking import hooks
from pacte.booking.models import CompteurCreneau, Fermeture, Reservation, Retenue, Statut
from pacte.booking.selectors import creneau_at
from pacte.booking.services import (
    CreneauIndisponible,
    reminders_send,
    reservation_cancel,
    reservation_create,
    reservation_mark,
    reservation_move,
    reservation_walk_in,
    reservations_anonymise,
)
from pacte.booking.workflows import TABLE, TRANSITIONS
from pacte.models import JournalEntry, Notification
from pacte.roles import Role
from pacte.workflows import TransitionInterdite

from .conftest import at

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC)  # Monday 10:00 in Lyon
MARDI = dt.date(2027, 7, 6)


def book(agenda, hhmm="09:00", day=MARDI, **kwargs):
    values = dict(nom="Dupont", prenom="Jeanne", telephone="06 12 34 56 78", email="jeanne@example.org")
    values.update(kwargs)
    return reservation_create(agenda=agenda, debut=at(day, hhmm), **values)


def compteur(agenda, debut):
    return CompteurCreneau.objects.get(agenda=agenda, debut=debut)


@time_machine.travel(NOW, tick=False)
def test_same_idempotency_key_twice_creates_one_reservation(agenda):
    """A double click (same hidden key) creates one reservation and takes one place."""
    first, token = book(agenda, cle_idempotence="cle-unique-123")
    second, token2 = book(agenda, cle_idempotence="cle-unique-123")
    assert first.pk == second.pk and token and token2 == ""
    assert Reservation.objects.count() == 1
    assert compteur(agenda, at(MARDI, "09:00")).places_prises == 1


@time_machine.travel(NOW, tick=False)
def test_token_is_stored_only_as_its_hash(agenda):
    """G4: the secret token (≥ 256 bits) is never stored, only its SHA-256; it expires after the appointment."""
    reservation, token = book(agenda)
    assert len(token) >= 43
    assert reservation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Reservation.objects.filter(pk=reservation.pk).values()[0]
    assert token not in [str(v) for v in row.values()]
    assert reservation.token_expire_at == reservation.fin + dt.timedelta(days=7)
    assert reservation.reference.startswith("RDV-")


@time_machine.travel(NOW, tick=False)
def test_citizen_needs_a_contact_and_a_valid_phone(agenda):
    """Citizens give a phone or an email; a bad French number is refused with a French message."""
    with pytest.raises(ValidationError):
        book(agenda, telephone="", email="")
    with pytest.raises(ValidationError, match="numéro"):
        book(agenda, telephone="12 34")
    reservation, _ = book(agenda, telephone="06 12 34 56 78", email="")
    assert reservation.telephone == "+33612345678"


@time_machine.travel(NOW, tick=False)
def test_confirmation_email_with_ics_and_sms(agenda, django_capture_on_commit_callbacks, sms_outbox):
    """The confirmation goes by email (with an .ics file and the secret link) and by SMS to a mobile."""
    with django_capture_on_commit_callbacks(execute=True):
        reservation, token = book(agenda)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert reservation.reference in message.body and f"/reservation/gerer/{token}/" in message.body
    assert "Une photo d'identité récente" in message.body
    name, content, mimetype = message.attachments[0]
    assert name == "rendez-vous.ics" and mimetype == "text/calendar"
    ics = content.decode() if isinstance(content, bytes) else content
    assert "BEGIN:VEVENT" in ics and "DTSTART;TZID=Europe/Paris:20270706T090000" in ics
    assert len(sms_outbox) == 1 and reservation.reference in sms_outbox[0]["body"]
    assert JournalEntry.objects.for_object(reservation).filter(action="booking.reservation_create").exists()


@time_machine.travel(NOW, tick=False)
def test_cancel_frees_the_place_notifies_and_calls_listeners(
    agenda, listener, django_capture_on_commit_callbacks
):
    """Cancelling frees the place (online counter too), tells the person and calls listeners on commit."""
    reservation, _ = book(agenda)
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=reservation, motif="Empêchement")
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE and reservation.annulee_at
    c = compteur(agenda, at(MARDI, "09:00"))
    assert (c.places_prises, c.places_prises_en_ligne) == (0, 0)
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None
    assert listener == [(agenda.pk, at(MARDI, "09:00"))]
    assert any("annulé" in m.subject for m in mail.outbox)
    # Cancelling twice changes nothing and calls nobody.
    with django_capture_on_commit_callbacks(execute=True):
        reservation_cancel(reservation=reservation)
    assert c.places_prises == compteur(agenda, c.debut).places_prises
    assert len(listener) == 1


@time_machine.travel(NOW, tick=False)
def test_listener_failure_does_not_break_cancellation(agenda, django_capture_on_commit_callbacks):
    """A failing listener is logged; the cancellation stands."""

    def broken(agenda, debut):
        raise RuntimeError("boom")

    hooks.register_place_freed_listener(broken)
    try:
        reservation, _ = book(agenda)
        with django_capture_on_commit_callbacks(execute=True):
            reservation_cancel(reservation=reservation)
    finally:
        hooks.unregister_place_freed_listener(broken)
    assert Reservation.objects.get().statut == Statut.ANNULEE


@time_machine.travel(NOW, tick=False)
def test_move_takes_the_new_place_and_frees_the_old(agenda, listener, django_capture_on_commit_callbacks):
    """Moving takes a place on the new slot, frees the old one (listeners) and sends a new .ics."""
    reservation, _ = book(agenda)
    with django_capture_on_commit_callbacks(execute=True):
        reservation_move(reservation=reservation, nouveau_debut=at(MARDI, "10:00"))
    reservation.refresh_from_db()
    assert reservation.debut == at(MARDI, "10:00") and reservation.fin == at(MARDI, "10:30")
    assert compteur(agenda, at(MARDI, "09:00")).places_prises == 0
    assert compteur(agenda, at(MARDI, "10:00")).places_prises == 1
    assert listener == [(agenda.pk, at(MARDI, "09:00"))]
    assert any("déplacé" in m.subject and m.attachments for m in mail.outbox)


@time_machine.travel(NOW, tick=False)
def test_move_to_a_full_slot_is_refused_and_changes_nothing(agenda):
    """Moving onto a full slot raises CreneauIndisponible and keeps the original booking."""
    reservation, _ = book(agenda)
    book(agenda, "10:00", nom="Autre")
    with pytest.raises(CreneauIndisponible):
        reservation_move(reservation=reservation, nouveau_debut=at(MARDI, "10:00"))
    reservation.refresh_from_db()
    assert reservation.debut == at(MARDI, "09:00")
    assert compteur(agenda, at(MARDI, "09:00")).places_prises == 1
    assert compteur(agenda, at(MARDI, "10:00")).places_prises == 1


def test_reservation_table_is_the_documented_one():
    """confirmée → annulée / honorée / absent; honorée ⇄ absent (a correction); a mark back to
    confirmée (same day); annulée → confirmée (undo window); nothing else."""
    assert TABLE.pairs() == {
        ("confirmee", "annulee"),
        ("confirmee", "honoree"),
        ("confirmee", "absent"),
        ("honoree", "absent"),
        ("absent", "honoree"),
        ("honoree", "confirmee"),
        ("absent", "confirmee"),
        ("annulee", "confirmee"),
    }


def test_transition_matrix(agenda, make_user):
    """Every (from, to) status pair through reservation_mark on the appointment's day: allowed
    ones succeed and are journaled, others raise (a cancellation is undone only by
    reservation_restore, never by a mark)."""
    agent = make_user(Role.AGENT)
    mercredi = MARDI + dt.timedelta(days=1)
    for origine in Statut.values:
        for cible in (Statut.HONOREE, Statut.ABSENT, Statut.CONFIRMEE):
            with time_machine.travel(NOW, tick=False):
                reservation, _ = book(agenda, "11:30", day=mercredi)
            if origine != Statut.CONFIRMEE:
                Reservation.objects.filter(pk=reservation.pk).update(statut=origine)
                reservation.refresh_from_db()
            allowed = (cible in TRANSITIONS[origine] and origine != Statut.ANNULEE) or origine == cible
            with time_machine.travel(at(mercredi, "08:00"), tick=False):
                if allowed:
                    reservation_mark(reservation=reservation, statut=cible, actor=agent)
                    reservation.refresh_from_db()
                    assert reservation.statut == cible, (origine, cible)
                else:
                    with pytest.raises(TransitionInterdite):
                        reservation_mark(reservation=reservation, statut=cible, actor=agent)
                    reservation.refresh_from_db()
                    assert reservation.statut == origine, (origine, cible)
            # Free the slot for the next pair.
            Reservation.objects.filter(pk=reservation.pk).update(statut=Statut.ANNULEE)
            CompteurCreneau.objects.update(places_prises=0, places_prises_en_ligne=0)
    assert JournalEntry.objects.filter(action="booking.reservation_mark", actor=agent).exists()
    with pytest.raises(TransitionInterdite):
        reservation_mark(reservation=reservation, statut=Statut.ANNULEE, actor=agent)


def test_attendance_is_marked_from_the_appointments_day_only(agenda, make_user):
    """« Arrivé » / « Absent » are refused before the appointment's day (issue 15, item 4), accepted
    on the day and after; a mark goes back to « Confirmé » that day only; every move is journaled."""
    agent = make_user(Role.AGENT)
    with time_machine.travel(NOW, tick=False):
        reservation, _ = book(agenda, "11:00")  # Tuesday; NOW is Monday
        for statut in (Statut.HONOREE, Statut.ABSENT):
            with pytest.raises(TransitionInterdite, match="à partir du jour du rendez-vous"):
                reservation_mark(reservation=reservation, statut=statut, actor=agent)
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE
    with time_machine.travel(at(MARDI, "08:30"), tick=False):  # the day, before the time: fine
        reservation_mark(reservation=reservation, statut=Statut.HONOREE, actor=agent)
        reservation_mark(reservation=reservation, statut=Statut.CONFIRMEE, actor=agent)
        reservation_mark(reservation=reservation, statut=Statut.ABSENT, actor=agent)
        reservation_mark(reservation=reservation, statut=Statut.CONFIRMEE, actor=agent)
        reservation.refresh_from_db()
        assert reservation.statut == Statut.CONFIRMEE
        reservation_mark(reservation=reservation, statut=Statut.ABSENT, actor=agent)
    with time_machine.travel(at(MARDI + dt.timedelta(days=1), "09:00"), tick=False):
        with pytest.raises(TransitionInterdite, match="le jour du rendez-vous seulement"):
            reservation_mark(reservation=reservation, statut=Statut.CONFIRMEE, actor=agent)
        reservation_mark(reservation=reservation, statut=Statut.HONOREE, actor=agent)  # late correction
    reservation.refresh_from_db()
    assert reservation.statut == Statut.HONOREE
    moves = [
        (e.data["de"], e.data["vers"])
        for e in JournalEntry.objects.for_object(reservation)
        .filter(action="booking.reservation_mark", actor=agent)
        .order_by("pk")
    ]
    assert moves == [
        ("confirmee", "honoree"),
        ("honoree", "confirmee"),
        ("confirmee", "absent"),
        ("absent", "confirmee"),
        ("confirmee", "absent"),
        ("absent", "honoree"),
    ]
    assert compteur(agenda, at(MARDI, "11:00")).places_prises == 1  # marks never free the place


def test_agent_cancellation_keeps_the_place_and_delays_the_message_for_the_undo_window(
    agenda, listener, settings, django_capture_on_commit_callbacks
):
    """On someone's behalf (issue 15, item 3): the place stays held during the window, the SMS and
    email wait in the outbox until its end; undone in time, the booking is back with its place, the
    messages cancelled, journaled; once the window is over, the outbox sends, the beat task frees
    the place and calls the listeners, and undoing is refused."""
    from pacte.booking.selectors import annulations_reversibles
    from pacte.booking.services import annulations_finalise, reservation_restore
    from pacte.notifications import outbox_flush

    settings.BOOKING_ANNULATION_DELAI_SECONDES = 120
    with time_machine.travel(NOW, tick=False) as clock:
        reservation, _ = book(agenda)
        outbox_flush()  # the confirmation
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            reservation_cancel(reservation=reservation, motif="Appel de la personne", reversible=True)
        reservation.refresh_from_db()
        assert reservation.statut == Statut.ANNULEE
        c = compteur(agenda, at(MARDI, "09:00"))
        assert (c.places_prises, c.places_prises_en_ligne) == (1, 1)
        assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None  # never offered meanwhile
        assert listener == []
        assert outbox_flush() == 0 and mail.outbox == []
        pending = Notification.objects.filter(cle__startswith="booking:annulation:", statut="pending")
        assert {n.canal for n in pending} == {"email", "sms"}
        assert annulations_reversibles([reservation]) == {reservation.pk: NOW + dt.timedelta(minutes=2)}

        clock.shift(dt.timedelta(seconds=90))
        restored = reservation_restore(reservation=reservation, actor=None)
        assert restored.statut == Statut.CONFIRMEE and restored.annulee_at is None
        c.refresh_from_db()
        assert (c.places_prises, c.places_prises_en_ligne) == (1, 1)
        assert not Retenue.objects.exists()
        assert set(
            pending.model.objects.filter(cle__startswith="booking:annulation:").values_list(
                "statut", flat=True
            )
        ) == {"cancelled"}
        assert (
            JournalEntry.objects.for_object(reservation).filter(action="booking.reservation_restore").exists()
        )
        clock.shift(dt.timedelta(minutes=5))
        assert outbox_flush() == 0 and mail.outbox == []

        # Cancelled again: a new window and new messages (not swallowed by the first keys).
        with django_capture_on_commit_callbacks(execute=True):
            reservation_cancel(reservation=reservation, motif="Rappel de la personne", reversible=True)
        clock.shift(dt.timedelta(seconds=121))
        with pytest.raises(TransitionInterdite, match="délai"):
            reservation_restore(reservation=reservation, actor=None)
        assert creneau_at(agenda, debut=at(MARDI, "09:00")) is not None  # the expired hold reads free
        assert outbox_flush() == 2
        assert [m.subject for m in mail.outbox] == ["Votre rendez-vous est annulé"]
        with django_capture_on_commit_callbacks(execute=True):
            assert annulations_finalise() == 1
        assert annulations_finalise() == 0
        c.refresh_from_db()
        assert (c.places_prises, c.places_prises_en_ligne) == (0, 0)
        assert listener == [(agenda.pk, at(MARDI, "09:00"))]
        reservation.refresh_from_db()
        assert reservation.statut == Statut.ANNULEE


@time_machine.travel(NOW, tick=False)
def test_undo_is_refused_once_the_message_has_left(agenda, settings, django_capture_on_commit_callbacks):
    """If a cancellation message already left (sent by hand, a short window), undoing is refused:
    the person knows, the agent must call them instead."""
    from pacte.booking.services import reservation_restore

    reservation, _ = book(agenda)
    reservation_cancel(reservation=reservation, motif="Erreur", reversible=True)
    Notification.objects.filter(cle__startswith="booking:annulation:", canal="sms").update(statut="sent")
    with pytest.raises(TransitionInterdite, match="déjà été prévenue"):
        reservation_restore(reservation=reservation, actor=None)
    reservation.refresh_from_db()
    assert reservation.statut == Statut.ANNULEE and Retenue.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_citizens_own_cancellation_cannot_be_restored(agenda):
    """Only a reversible (agent) cancellation keeps its place: a citizen's frees it at once."""
    from pacte.booking.services import reservation_restore

    reservation, _ = book(agenda)
    reservation_cancel(reservation=reservation, motif="Annulé par l'usager")
    with pytest.raises(TransitionInterdite):
        reservation_restore(reservation=reservation, actor=None)
    assert compteur(agenda, at(MARDI, "09:00")).places_prises == 0


@time_machine.travel(NOW, tick=False)
def test_walk_in_uses_reserved_places_but_never_exceeds_capacity(make_agenda, make_user):
    """A walk-in may go beyond the online capacity, never beyond the total capacity."""
    agenda = make_agenda(capacite=2, places_agents=1)
    agent = make_user(Role.AGENT)
    debut = at(dt.date(2027, 7, 5), "10:00")  # the slot happening now
    r1, _ = reservation_walk_in(agenda=agenda, debut=debut, agent=agent, nom="Sans", prenom="Contact")
    r2, _ = reservation_walk_in(agenda=agenda, debut=debut, agent=agent, nom="Autre")
    assert r1.canal == r2.canal == "sur_place" and not r1.compte_en_ligne
    with pytest.raises(CreneauIndisponible):
        reservation_walk_in(agenda=agenda, debut=debut, agent=agent, nom="Trop")
    assert compteur(agenda, debut).places_prises == 2


@time_machine.travel(NOW, tick=False)
def test_database_refuses_overbooking_even_without_the_service(agenda):
    """G3 backstop: PostgreSQL CHECK constraints refuse a counter above capacity."""
    book(agenda)
    with pytest.raises(IntegrityError), transaction.atomic():
        CompteurCreneau.objects.update(places_prises=F("places_prises") + 1)


def test_reminder_is_sent_once_within_the_window_never_after(agenda, django_capture_on_commit_callbacks):
    """The reminder leaves within 24 h before the appointment, once; never after it started."""
    with time_machine.travel(NOW, tick=False):
        reservation, _ = book(agenda)  # Tuesday 09:00
    with time_machine.travel(
        dt.datetime(2027, 7, 5, 6, 0, tzinfo=dt.UTC), tick=False
    ):  # Monday 08:00, 25 h before
        assert reminders_send() == 0
    with time_machine.travel(dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC), tick=False):  # 23 h before
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send() == 1
            assert reminders_send() == 0
        assert sum("Rappel" in m.subject for m in mail.outbox) == 1
    reservation.refresh_from_db()
    assert reservation.rappel_envoye_at is not None


def test_no_reminder_after_the_appointment_or_after_cancellation(agenda):
    """No reminder for a cancelled reservation, nor once the appointment has started."""
    with time_machine.travel(NOW, tick=False):
        cancelled, _ = book(agenda)
        late, _ = book(agenda, "10:00")
        reservation_cancel(reservation=cancelled)
    with time_machine.travel(dt.datetime(2027, 7, 6, 8, 5, tzinfo=dt.UTC), tick=False):  # Tuesday 10:05
        assert reminders_send() == 0
    assert not Notification.objects.filter(cle__startswith="booking:rappel:").exists()


def test_move_after_reminder_gets_a_new_reminder(agenda):
    """After a move, the reminder is sent again for the new date (and the old pending one is cancelled)."""
    with time_machine.travel(dt.datetime(2027, 7, 5, 8, 0, tzinfo=dt.UTC), tick=False):
        reservation, _ = book(agenda)
        assert reminders_send() == 1
        reservation_move(reservation=reservation, nouveau_debut=at(dt.date(2027, 7, 7), "09:00"))
        assert reminders_send() == 0  # Wednesday 09:00 is 47 h away
    with time_machine.travel(dt.datetime(2027, 7, 6, 8, 0, tzinfo=dt.UTC), tick=False):
        assert reminders_send() == 1
    assert Notification.objects.filter(cle__startswith=f"booking:rappel:{reservation.pk}:").count() == 4


def test_retention_erases_personal_data_and_keeps_statistics(agenda):
    """90 days after the appointment, names, contacts and needs are erased (history and messages too)."""
    with time_machine.travel(NOW, tick=False):
        old, _ = book(agenda, besoins=["interprete_lsf"], besoins_precision="LSF")
        recent, _ = book(agenda, "10:00", day=dt.date(2027, 9, 1))
    with time_machine.travel(dt.datetime(2027, 10, 6, 12, 0, tzinfo=dt.UTC), tick=False):  # 92 days after
        assert reservations_anonymise() == 1
        assert reservations_anonymise() == 0
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (
        old.nom,
        old.prenom,
        old.telephone,
        old.email,
        old.besoins,
        old.besoins_precision,
        old.token_hash,
    ) == (
        "",
        "",
        "",
        "",
        [],
        "",
        "",
    )
    assert (
        old.anonymisee_at
        and old.agenda_id == agenda.pk
        and old.canal == "en_ligne"
        and old.statut == "confirmee"
    )
    assert recent.nom == "Dupont"
    assert not old.history.exclude(nom="").exists()
    assert not Notification.objects.filter(object_id=str(old.pk)).exclude(destinataire="(anonymisé)").exists()


def test_retention_leaves_no_cancellation_reason_in_the_journal_or_history(agenda, make_user):
    """The free-text reason an agent typed on cancelling is gone from the journal and the history
    once the booking is anonymised; the journal still says who cancelled what, when."""
    agent = make_user(Role.AGENT)
    motif = "Mme Dupont hospitalisée à Édouard-Herriot"
    with time_machine.travel(NOW, tick=False):
        reservation, _ = book(agenda)
        reservation_cancel(reservation=reservation, actor=agent, motif=motif)
    entries = JournalEntry.objects.filter(object_type="booking.reservation", object_id=str(reservation.pk))
    assert any(motif in e.message for e in entries)  # kept while the booking is kept
    with time_machine.travel(dt.datetime(2027, 10, 6, 12, 0, tzinfo=dt.UTC), tick=False):
        assert reservations_anonymise() == 1
    assert not any(motif in e.message for e in entries.all())
    assert entries.filter(action="booking.reservation_cancel", actor=agent).exists()
    reservation.refresh_from_db()
    assert reservation.motif_annulation == "" and reservation.statut == "annulee"
    assert not reservation.history.exclude(history_change_reason__in=["", None]).exists()
    assert not reservation.history.exclude(motif_annulation="").exists()


@time_machine.travel(NOW, tick=False)
def test_import_ics_closures_is_idempotent(agenda, lieu, tmp_path):
    """ICS import creates closures for a lieu (whole day) and updates them on re-import (same UID)."""
    ics = tmp_path / "fermetures.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
        "BEGIN:VEVENT\r\nUID:ferme-1@lyon\r\nDTSTART;VALUE=DATE:20270706\r\nDTEND;VALUE=DATE:20270707\r\n"
        "SUMMARY:Inventaire\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ferme-2@lyon\r\nDTSTART;TZID=Europe/Paris:20270708T100000\r\n"
        "DTEND;TZID=Europe/Paris:20270708T110000\r\nSUMMARY:Réunion\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    out = io.StringIO()
    call_command("import_fermetures_ics", lieu.slug, str(ics), stdout=out)
    call_command("import_fermetures_ics", lieu.slug, str(ics), stdout=out)
    assert Fermeture.objects.filter(lieu=lieu).count() == 2
    assert "0 fermeture(s) créée(s), 2 mise(s) à jour" in out.getvalue()
    assert creneau_at(agenda, debut=at(MARDI, "09:00")) is None
    assert creneau_at(agenda, debut=at(dt.date(2027, 7, 8), "10:30")) is None
    assert creneau_at(agenda, debut=at(dt.date(2027, 7, 8), "11:00")) is not None
    call_command("import_fermetures_ics", str(agenda.uuid), str(ics), stdout=out)
    assert Fermeture.objects.filter(agenda=agenda).count() == 2
