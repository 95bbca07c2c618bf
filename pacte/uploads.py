"""Untrusted uploads: checked by content (magic bytes), size and count, never by the file name.

The client's file name is display metadata only: the stored file is named `<random>.<extension of
the sniffed type>` (`stored_name`), and the name shown and offered on download keeps the client's
stem, cleaned and truncated, with that same extension (`display_name`). A `.html` name on a PDF,
or a 250-character extension, changes nothing on disk.
"""

from __future__ import annotations

import os
import unicodedata
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALLOWED_SIGNATURES = {
    "application/pdf": [b"%PDF-"],
    "image/jpeg": [b"\xff\xd8\xff"],
    "image/png": [b"\x89PNG\r\n\x1a\n"],
}
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
MAX_FILE_SIZE = 5 * 1024 * 1024
MAX_FILES = 5


def sniff_type(head: bytes) -> str | None:
    """The MIME type of the content, judged from its first bytes, or None if not allowed."""
    for mimetype, signatures in ALLOWED_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return mimetype
    return None


DISPLAY_NAME_MAX = 200


def stored_name(mimetype: str) -> str:
    """The name a checked upload is stored under: random, with the extension of its real type."""
    return f"{uuid.uuid4().hex}.{EXTENSIONS[mimetype]}"


def display_name(name: str | None, mimetype: str, *, max_length: int = DISPLAY_NAME_MAX) -> str:
    """The client's file name made safe to show and to offer on download: no folders, no control
    characters, the extension of the real type, at most `max_length` characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    stem = base.rsplit(".", 1)[0].strip(" .") if "." in base else base
    extension = EXTENSIONS[mimetype]
    stem = stem[: max_length - len(extension) - 1].rstrip(" .") or "document"
    return f"{stem}.{extension}"


def checked_type(upload, *, max_size: int = MAX_FILE_SIZE) -> str:
    """The sniffed type PiecesJointesField recorded on the upload, or sniffed now; never the
    client's declared content type."""
    return getattr(upload, "content_type_checked", None) or validate_upload(upload, max_size=max_size)


def validate_upload(upload, *, max_size: int = MAX_FILE_SIZE) -> str:
    """Validate one uploaded file; return its real MIME type or raise a ValidationError (in the page's language)."""
    if upload.size > max_size:
        raise ValidationError(
            _("Le fichier « %(name)s » dépasse %(max)s Mo."),
            params={"name": upload.name, "max": max_size // (1024 * 1024)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError(
            _("Le fichier « %(name)s » est vide."), params={"name": upload.name}, code="empty"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    mimetype = sniff_type(head)
    if mimetype is None:
        raise ValidationError(
            _("Le fichier « %(name)s » n'est pas un PDF, un JPEG ou un PNG."),
            params={"name": upload.name},
            code="bad_type",
        )
    return mimetype


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PiecesJointesField(forms.FileField):
    """A field for up to MAX_FILES attachments (PDF, JPEG, PNG), each checked by content."""

    widget = MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"})

    def __init__(self, *args, max_files: int = MAX_FILES, max_size: int = MAX_FILE_SIZE, **kwargs):
        kwargs.setdefault("required", False)
        self.max_files = max_files
        self.max_size = max_size
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("Vous pouvez joindre au plus %(max)s fichiers."),
                params={"max": self.max_files},
                code="too_many",
            )
        errors = []
        cleaned = []
        for upload in files:
            try:
                upload.content_type_checked = validate_upload(upload, max_size=self.max_size)
                cleaned.append(upload)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


# --- Attachments kept across a form's validation errors (#15.5) ---------------------------------
#
# A public form with files re-shown for an error would lose them (browsers never re-fill a file
# input). The files already received and checked are stored as `EnvoiTemporaire` rows bound to
# a `lot`: a random id the form carries in a hidden field, signed (it cannot be forged or guessed
# to read someone else's files) and valid `UPLOADS_TEMPORAIRES_HEURES`. The page lists them
# (« 2 fichiers joints ») with a « Retirer » checkbox each (no JavaScript needed); sending the form
# attaches them and deletes the temporary copies; the purge deletes the abandoned ones.

LOT_FIELD = "pieces_lot"
RETIRER_FIELD = "retirer_piece"
_SALT = "pacte.uploads.lot"


class PiecesGardees:
    """The kept attachments of one filled-in form: `lot` (its id), `signe` (for the hidden field),
    `pieces` (the kept rows, oldest first)."""

    def __init__(self, data=None):
        from django.conf import settings
        from django.core import signing

        lot = None
        signe = (data or {}).get(LOT_FIELD, "")
        if signe:
            try:
                lot = signing.loads(signe, salt=_SALT, max_age=settings.UPLOADS_TEMPORAIRES_HEURES * 3600)
            except signing.BadSignature:
                lot = None
        self.lot = lot if isinstance(lot, str) else uuid.uuid4().hex
        self.signe = signing.dumps(self.lot, salt=_SALT)
        if data is not None and hasattr(data, "getlist"):
            self.retirer(data.getlist(RETIRER_FIELD))

    @property
    def pieces(self):
        from .models import EnvoiTemporaire

        return list(EnvoiTemporaire.objects.filter(lot=self.lot))

    def retirer(self, uuids) -> None:
        """Delete the kept files the person chose to remove (unknown or foreign ids are ignored)."""
        from .models import EnvoiTemporaire
        from .retention import files_delete_on_commit

        valides = []
        for value in uuids:
            try:
                valides.append(uuid.UUID(str(value)))
            except ValueError:
                continue
        rows = EnvoiTemporaire.objects.filter(lot=self.lot, uuid__in=valides)
        files_delete_on_commit(rows.values_list("fichier", flat=True))
        rows.delete()

    def garder(self, uploads) -> None:
        """Store these already checked uploads (PiecesJointesField's cleaned list) with the form."""
        from .models import EnvoiTemporaire

        for upload in uploads:
            mimetype = checked_type(upload)
            row = EnvoiTemporaire(
                lot=self.lot, nom=display_name(upload.name, mimetype), mimetype=mimetype, taille=upload.size
            )
            upload.seek(0)
            row.fichier.save(stored_name(mimetype), upload, save=False)
            row.save()

    def fichiers(self) -> list:
        """The kept files as checked uploads, to hand to a service with the new ones."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        out = []
        for row in self.pieces:
            with row.fichier.open("rb") as handle:
                upload = SimpleUploadedFile(row.nom, handle.read(), content_type=row.mimetype)
            upload.content_type_checked = row.mimetype
            out.append(upload)
        return out

    def vider(self) -> None:
        """Delete every kept file of this form (it was sent): files go once the transaction commits."""
        from .models import EnvoiTemporaire
        from .retention import files_delete_on_commit

        rows = EnvoiTemporaire.objects.filter(lot=self.lot)
        files_delete_on_commit(rows.values_list("fichier", flat=True))
        rows.delete()
