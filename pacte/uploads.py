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
    """Validate one uploaded file; return its real MIME type or raise a French ValidationError."""
    if upload.size > max_size:
        raise ValidationError(
            "Le fichier « %(name)s » dépasse %(max)s Mo.",
            params={"name": upload.name, "max": max_size // (1024 * 1024)},
            code="too_big",
        )
    if upload.size == 0:
        raise ValidationError("Le fichier « %(name)s » est vide.", params={"name": upload.name}, code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    mimetype = sniff_type(head)
    if mimetype is None:
        raise ValidationError(
            "Le fichier « %(name)s » n'est pas un PDF, un JPEG ou un PNG.",
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
                "Vous pouvez joindre au plus %(max)s fichiers.",
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
