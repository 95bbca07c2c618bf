"""Reaching a person: one policy, one outbox (G5).

Apps call `notify_person(...)` inside their transaction with a `Personne` (the contacts they hold),
a message name and a context. The kernel decides the channels, renders the templates, queues one
outbox row per channel and schedules the sending on commit. If the broker is down the row simply
waits: the beat task `outbox_flush_task` sends what is pending. Sending locks the row
(SELECT … FOR UPDATE SKIP LOCKED) so a message is sent exactly once.

The policy (the stricter and more citizen-friendly of the copies it replaced):

- **email** whenever an address is given;
- **SMS** only to a number `phonenumbers` knows to be a mobile (French 06/07, +33 6/7, mobiles of
  other countries); never to a landline, a VoIP or special-rate number, nor to a number whose type
  cannot be told (North America), where an SMS could be silently lost;
- both when both are given;
- neither: a **task for the agents** when the caller says what it is (`repli`): a « courrier à
  envoyer » (`Canal.COURRIER`) or an « appel à passer » (`Canal.APPEL`, only with a phone number;
  otherwise a letter). The task is an outbox row the worker never sends: an agent marks it done
  (`tache_faite`), or notes an unanswered call (`tache_sans_reponse`); its delivery log then says
  « Courrier envoyé le … » / « Appel passé le … ».

`canaux(personne, repli=...)` answers "which channels would reach this person?" with the same
policy, so a page can say what will really happen (« Nous vous appellerons au 04 … »).

Templates: `message="booking/confirmation"` renders `booking/emails/confirmation.txt` (email),
`booking/sms/confirmation.txt` or `booking/sms/defaut.txt` (SMS), `booking/courriers/confirmation.txt`
or else the email template (letter and call tasks). They are plain text, rendered with
autoescaping off: a name like « d'accord & <b> » arrives as typed, never as `d&#x27;accord`.
An email in a right-to-left language also gets an HTML alternative that runs right to left. A
letter also gets its printable body: `booking/courriers/confirmation.html` (HTML, autoescaped,
given the plain text as `texte`) or else `pacte/courriers/defaut.html` (the plain text in
paragraphs). `pacte.courriers` puts each on its A4 page, with the address in the envelope window.

Languages: one template per message, in French, its sentences in `{% translate %}` /
`{% blocktranslate trimmed %}` (one block per paragraph or sentence group; an SMS is one block so a
translator can shorten it), translated in the catalogues (locale/<code>/LC_MESSAGES/django.po,
« à relire par la Ville ») like the pages. `notify_person` renders it in the person's language
(`Personne.langue`); a language without a translation gets the French. Values the person must read
left to right in Arabic (references, phone numbers) go through `|ltr`. An SMS that can lose a value
when it is too long (the place, a title) renders `{{ texte|sms_ou:court }}`: its shorter version,
also translated, is sent only when the full one would not fit the budget (`pacte.sms.tient`).
Adding a language adds nothing here: translate the catalogue (docs/langues.md).

Bodies are encrypted at rest (`pacte.encryption`, they carry secret links) and blanked as soon as
the message is delivered, cancelled or its task done; the metadata and status stay for the agents.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import select_template
from django.utils import timezone, translation
from django.utils.html import format_html, linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .encryption import decrypt, encrypt
from .journal import journal_record
from .langues import LANGUE_DEFAUT, dans_la_langue, langue_valide
from .models import CANAUX_AUTOMATIQUES, Canal, Notification, StatutNotification
from .phones import phone_display, phone_is_mobile
from .sms import send_sms

logger = logging.getLogger(__name__)

# What a delivered message keeps: the metadata, not its content.
_PURGE = {"corps": "", "corps_html": "", "pieces_jointes": []}


@dataclass(frozen=True)
class Personne:
    """How a person can be reached: any of an email address, a phone number, a postal address."""

    nom: str = ""
    email: str = ""
    telephone: str = ""
    adresse: str = ""
    # The language their messages are written in (`pacte.langues`); staff are written to in French.
    langue: str = LANGUE_DEFAUT

    @property
    def has_mobile(self) -> bool:
        return bool(self.telephone) and phone_is_mobile(self.telephone)


def canaux(personne: Personne, *, repli: str | None = None) -> list[str]:
    """The channels that would reach `personne`, by the policy above (module docstring).

    `repli` (`Canal.COURRIER` or `Canal.APPEL`) is the agents' task to create when neither email
    nor SMS reaches the person; None means nothing is done then (the person was told on screen).
    """
    found = []
    if personne.email:
        found.append(Canal.EMAIL)
    if personne.has_mobile:
        found.append(Canal.SMS)
    if not found and repli:
        if repli == Canal.APPEL and not personne.telephone:
            repli = Canal.COURRIER
        found.append(repli)
    return found


def canaux_phrase(personne: Personne, *, repli: str | None = None) -> str:
    """How `personne` will be reached, for a page in its language (« par courriel à … et par SMS
    au … »); the number is isolated left to right on a right-to-left page.

    "" when nothing reaches them: the page must then say so instead of promising a message.
    """
    telephone = phone_display(personne.telephone) if personne.telephone else ""
    if translation.get_language_bidi():
        telephone = f"\u2066{telephone}\u2069"
    parts = {
        Canal.EMAIL: _("par courriel à %(email)s") % {"email": personne.email},
        Canal.SMS: _("par SMS au %(telephone)s") % {"telephone": telephone},
        Canal.APPEL: _("par un appel d'un agent au %(telephone)s") % {"telephone": telephone},
        Canal.COURRIER: _("par courrier"),
    }
    return _(" et ").join(parts[canal] for canal in canaux(personne, repli=repli))


def _schedule_send(notification_id: int) -> None:
    from .tasks import notification_send_task

    try:
        notification_send_task.delay(notification_id)
    except Exception:  # broker down: the row stays pending and the beat flush sends it later
        logger.warning("Broker unavailable, notification %s left in the outbox", notification_id)


def notification_queue(
    *,
    canal: str,
    destinataire: str,
    corps: str,
    sujet: str = "",
    pieces_jointes: list[dict] | None = None,
    obj=None,
    cle: str | None = None,
    send_at=None,
    corps_html: str = "",
    langue: str = LANGUE_DEFAUT,
) -> Notification | None:
    """Queue one already-written message (the outbox's low level; apps call `notify_person`).

    The body is stored encrypted. `cle` makes the call idempotent: a second call with the same key
    queues nothing and returns the existing row. `send_at` delays the message (for instance a
    reminder). Letter and call tasks are never scheduled for sending. Returns None when
    `destinataire` is empty.
    """
    if not destinataire:
        return None
    fields = dict(
        canal=canal,
        destinataire=destinataire[:254],
        langue=langue,
        sujet=sujet[:250],
        corps=encrypt(corps),
        corps_html=encrypt(corps_html) if corps_html else "",
        pieces_jointes=pieces_jointes or [],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        cle=cle,
        next_attempt_at=send_at or timezone.now(),
    )
    if cle:
        # Idempotent without a pre-check nor a savepoint: INSERT … ON CONFLICT DO NOTHING, then the
        # row of that key (ours, or the one a first call queued: nothing new is scheduled then).
        # Two round trips instead of four on the booking POST's path (#18.1).
        notification = Notification(**fields)
        Notification.objects.bulk_create([notification], ignore_conflicts=True)
        stored = Notification.objects.get(cle=cle)
        if stored.uuid != notification.uuid:
            return stored
        notification = stored
    else:
        notification = Notification.objects.create(**fields)
    if canal in CANAUX_AUTOMATIQUES and (send_at is None or send_at <= timezone.now()):
        transaction.on_commit(lambda: _schedule_send(notification.pk))
    return notification


def render_text(template_names: list[str], context: dict) -> str:
    """Render the first existing plain-text template of `template_names`, autoescaping off."""
    template = select_template(template_names, using="django")
    return template.template.render(Context(context, autoescape=False)).strip()


def _templates(message: str, canal: str) -> list[str]:
    app, _, name = message.partition("/")
    if canal == Canal.EMAIL:
        return [f"{app}/emails/{name}.txt"]
    if canal == Canal.SMS:
        return [f"{app}/sms/{name}.txt", f"{app}/sms/defaut.txt"]
    return [f"{app}/courriers/{name}.txt", f"{app}/emails/{name}.txt"]


def render_lettre(message: str, context: dict) -> str:
    """The printable body of the letter for `message` (HTML fragment, autoescaped), in the active
    language."""
    app, _, name = message.partition("/")
    template = select_template(
        [f"{app}/courriers/{name}.html", "pacte/courriers/defaut.html"], using="django"
    )
    return template.render(context).strip()


def _email_rtl(corps: str, langue: str) -> str:
    """The HTML alternative of an email in a right-to-left language: the same text, its paragraphs
    and links, in a block that runs right to left (a plain-text email is shown left-aligned by many
    mail clients)."""
    paragraphes = linebreaks(urlize(corps, nofollow=False, autoescape=True), autoescape=False)
    return format_html('<div lang="{}" dir="rtl">{}</div>', langue, mark_safe(paragraphes))  # noqa: S308 - escaped by urlize


def _destinataire(personne: Personne, canal: str) -> str:
    if canal == Canal.EMAIL:
        return personne.email
    if canal in (Canal.SMS, Canal.APPEL):
        return personne.telephone
    # A letter: the postal address when known, else what lets the agent find it.
    lignes = [personne.nom, personne.adresse or phone_display(personne.telephone) or personne.email]
    return "\n".join(p for p in lignes if p) or "(adresse à trouver)"


def notify_person(
    *,
    personne: Personne,
    message: str,
    context: dict,
    sujet: str,
    obj=None,
    cle: str | None = None,
    repli: str | None = None,
    pieces_jointes: list[dict] | None = None,
    send_at=None,
) -> list[Notification]:
    """Reach `personne` with `message` by every channel the policy allows; return the outbox rows.

    `message` names the templates ("<app>/<name>", see the module docstring); `context` is given to
    them with `site_url`, `lyon_en_direct`, `ville_adresse`, `personne`, `sujet` and `canal`. `obj`
    is what the message is about (its delivery log shows next to it). `cle` (idempotency) is suffixed with
    the channel. `repli` is the agents' task when neither email nor SMS reaches the person
    (`Canal.COURRIER`, `Canal.APPEL`, or None for nothing). Attachments go with the email only.
    Call it inside the write's transaction: the sending happens on commit.

    Everything is written in `personne.langue` (`pacte.langues`): the templates' sentences (the
    catalogues), the subject (a lazy translation is resolved here), dates, and the
    links `{% url %}` writes (with the language's prefix). Values the caller computes (a link, a
    formatted date) must be computed in `dans_la_langue(langue)` too.
    """
    rows = []
    langue = langue_valide(personne.langue)
    with dans_la_langue(langue):
        sujet = str(sujet)
        base = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "lyon_en_direct": settings.LYON_EN_DIRECT_PHONE,
            "ville_adresse": settings.CITY_POSTAL_ADDRESS,
            "personne": personne,
            "sujet": sujet,
        }
        for canal in canaux(personne, repli=repli):
            data = {**base, "canal": canal, **context}
            corps = render_text(_templates(message, canal), data)
            if canal == Canal.COURRIER:
                html = render_lettre(message, {**data, "texte": corps})
            elif canal == Canal.EMAIL and translation.get_language_bidi():
                html = _email_rtl(corps, langue)  # its HTML alternative: read right to left
            else:
                html = ""
            notification = notification_queue(
                canal=canal,
                destinataire=_destinataire(personne, canal),
                corps=corps,
                sujet=sujet,
                pieces_jointes=pieces_jointes if canal == Canal.EMAIL else None,
                obj=obj,
                cle=f"{cle}:{canal}" if cle else None,
                send_at=send_at if canal in CANAUX_AUTOMATIQUES else None,
                corps_html=html,
                langue=langue,
            )
            if notification is not None:
                rows.append(notification)
    return rows


def attachment(filename: str, mimetype: str, content: bytes) -> dict:
    """Build an attachment entry for `notify_person(pieces_jointes=[...])`."""
    return {"filename": filename, "mimetype": mimetype, "content_b64": base64.b64encode(content).decode()}


def notification_text(notification: Notification) -> str:
    """The clear body of a message or task (for the agent who prints the letter or makes the call).

    "" once it is delivered. Never shown in the admin.
    """
    return decrypt(notification.corps)


def notifications_about(obj) -> list[Notification]:
    """The delivery log of `obj` for its agents' page (G5): messages and tasks, oldest first.

    A task still to do carries its text as `.texte` (the letter to print, what to say on the phone).
    """
    rows = list(Notification.objects.about(obj).order_by("created_at", "pk"))
    for row in rows:
        row.texte = (
            notification_text(row) if row.is_tache and row.statut == StatutNotification.PENDING else ""
        )
    return rows


def _deliver(notification: Notification) -> None:
    corps = decrypt(notification.corps)
    if notification.canal == Canal.SMS:
        send_sms(to=notification.destinataire, body=corps)
        return
    message = EmailMultiAlternatives(
        subject=notification.sujet,
        body=corps,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.destinataire],
        headers={"Content-Language": notification.langue},  # mail clients pick fonts and direction
    )
    if notification.corps_html:
        message.attach_alternative(decrypt(notification.corps_html), "text/html")
    for item in notification.pieces_jointes:
        message.attach(item["filename"], base64.b64decode(item["content_b64"]), item["mimetype"])
    message.send(fail_silently=False)


def notification_send(*, notification_id: int) -> str:
    """Send one pending email or SMS exactly once; on failure record the error and back off.

    Once delivered, the body and attachments are blanked (the row keeps its metadata and status).
    Returns the resulting status. Safe to call twice concurrently: the row is locked and skipped
    by the second caller. Letter and call tasks are skipped (agents do them).
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, statut=StatutNotification.PENDING, canal__in=CANAUX_AUTOMATIQUES)
            .first()
        )
        if notification is None:
            return "skipped"
        now = timezone.now()
        if notification.next_attempt_at > now:
            return "not-due"
        notification.tentatives += 1
        notification.derniere_tentative_at = now
        update = [
            "tentatives",
            "derniere_erreur",
            "statut",
            "sent_at",
            "next_attempt_at",
            "derniere_tentative_at",
        ]
        try:
            _deliver(notification)
        except Exception as exc:  # any delivery failure is recorded, never raised to the caller
            notification.derniere_erreur = f"{type(exc).__name__}: {exc}"[:2000]
            if notification.tentatives >= settings.OUTBOX_MAX_ATTEMPTS:
                notification.statut = StatutNotification.FAILED
            else:
                backoff = min(2**notification.tentatives, 240)
                notification.next_attempt_at = now + timedelta(minutes=backoff)
        else:
            notification.statut = StatutNotification.SENT
            notification.sent_at = timezone.now()
            notification.derniere_erreur = ""
            for field, blank in _PURGE.items():
                setattr(notification, field, blank)
            update += list(_PURGE)
        notification.save(update_fields=update)
        return notification.statut


def outbox_flush(*, limit: int = 500) -> int:
    """Send every due pending email and SMS (the beat task). Returns how many were sent."""
    due = list(
        Notification.objects.filter(
            statut=StatutNotification.PENDING,
            canal__in=CANAUX_AUTOMATIQUES,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if notification_send(notification_id=pk) == StatutNotification.SENT)


def notification_cancel(*, obj=None, cle_prefix: str | None = None) -> int:
    """Cancel pending messages and tasks about `obj` (or whose key starts with `cle_prefix`).

    Their bodies are blanked: a cancelled message will never be read.
    """
    qs = Notification.objects.filter(statut=StatutNotification.PENDING)
    if obj is not None:
        qs = qs.about(obj)
    if cle_prefix:
        qs = qs.filter(cle__startswith=cle_prefix)
    return qs.update(statut=StatutNotification.CANCELLED, **_PURGE)


def notifications_erase(*, model, ids) -> int:
    """Erase the messages and tasks about these `model` objects (retention, `pacte.retention.erase`):
    pending ones are cancelled, every one loses its recipient, subject, body and attachments."""
    qs = Notification.objects.about_any(model, ids)
    qs.filter(statut=StatutNotification.PENDING).update(statut=StatutNotification.CANCELLED)
    return qs.update(destinataire="(anonymisé)", sujet="", **_PURGE)


@transaction.atomic
def tache_faite(*, notification: Notification, actor) -> Notification:
    """An agent posted the letter or made the call: the task is done (journaled), its body blanked.

    Doing a task twice (two tabs) changes nothing the second time.
    """
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if not locked.is_tache:
        raise ValidationError("Seuls les courriers et les appels sont faits par un agent.")
    if locked.statut == StatutNotification.PENDING:
        now = timezone.now()
        locked.statut = StatutNotification.SENT
        locked.sent_at = now
        locked.derniere_tentative_at = now
        locked.tentatives += 1
        for field, blank in _PURGE.items():
            setattr(locked, field, blank)
        locked.save(update_fields=["statut", "sent_at", "derniere_tentative_at", "tentatives", *_PURGE])
        journal_record(
            action="notification.tache_faite",
            actor=actor,
            obj=locked,
            message=locked.etat,
            data={"canal": locked.canal, "objet": f"{locked.object_type}:{locked.object_id}"},
        )
    return locked


@transaction.atomic
def tache_sans_reponse(*, notification: Notification, actor) -> Notification:
    """An agent called and nobody answered: the call stays to do, the attempt is logged."""
    locked = Notification.objects.select_for_update().get(pk=notification.pk)
    if locked.canal != Canal.APPEL:
        raise ValidationError("Seul un appel peut rester sans réponse.")
    if locked.statut == StatutNotification.PENDING:
        locked.tentatives += 1
        locked.derniere_tentative_at = timezone.now()
        locked.save(update_fields=["tentatives", "derniere_tentative_at"])
        journal_record(
            action="notification.appel_sans_reponse",
            actor=actor,
            obj=locked,
            data={"objet": f"{locked.object_type}:{locked.object_id}"},
        )
    return locked


def tache_action(*, taches, uuid: str, action: str, actor) -> Notification:
    """Apply an agent's button (`fait` or `sans_reponse`) to the task `uuid` among `taches`.

    `taches` is the caller's scoped queryset (the tasks about objects the agent may see): a task
    outside it is refused like an unknown one. Raises ValidationError with a French message.
    """
    try:
        notification = taches.get(uuid=uuid)
    except (Notification.DoesNotExist, ValidationError, ValueError):
        raise ValidationError("Cette tâche n'existe pas ou n'est pas la vôtre.") from None
    if action == "fait":
        return tache_faite(notification=notification, actor=actor)
    if action == "sans_reponse":
        return tache_sans_reponse(notification=notification, actor=actor)
    raise ValidationError("Action inconnue.")
