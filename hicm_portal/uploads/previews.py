"""A checked upload waiting for its confirmation: a `PendingUpload` row, not the session.

The session's row is read on every request, and a preview can be large, so a checked upload is
kept in its own row for `UPLOAD_PREVIEW_MINUTES`, readable by its owner alone; expired previews
are refused and deleted whenever someone uploads. `PendingUploadStorage` keeps the admin's
imports (django-import-export) the same way.
"""

import uuid
from contextlib import suppress
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from import_export.tmp_storages import BaseStorage

from hicm_portal.models import PendingUpload, User
from hicm_portal.uploads.refusals import PREVIEW_EXPIRED, UploadRefused


def preview_expired() -> UploadRefused:
    return UploadRefused(
        PREVIEW_EXPIRED.format(minutes=settings.UPLOAD_PREVIEW_MINUTES), code="expired"
    )


def pending_uploads_delete_expired(*, now=None) -> int:
    """Delete every expired preview, whoever's; say how many."""
    deleted, _ = PendingUpload.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted


def pending_upload_create(
    *, owner: User, kind: str, payload: Any = None, content: bytes = b""
) -> PendingUpload:
    """Keep a checked upload until its owner confirms it: the rows as JSON (`payload`), or the
    file itself (`content`). It replaces the owner's earlier preview of the same kind, and
    expired previews of anyone are deleted on the way."""
    now = timezone.now()
    with transaction.atomic():
        pending_uploads_delete_expired(now=now)
        PendingUpload.objects.filter(owner=owner, kind=kind).delete()
        pending = PendingUpload(
            owner=owner,
            kind=kind,
            payload=payload if payload is not None else {},
            content=content,
            created_at=now,
            expires_at=now + timedelta(minutes=settings.UPLOAD_PREVIEW_MINUTES),
        )
        pending.full_clean()
        pending.save()
    return pending


def pending_upload_get(*, pk, owner: User, kind: str) -> PendingUpload | None:
    """The owner's preview of this kind, or None when there is none (never made, used up, or
    someone else's). An expired one is deleted and refused with PREVIEW_EXPIRED."""
    try:
        pk = uuid.UUID(str(pk))
    except ValueError:
        return None
    pending = PendingUpload.objects.filter(pk=pk, owner=owner, kind=kind).first()
    if pending is not None and pending.is_expired():
        pending.delete()
        raise preview_expired()
    return pending


def pending_upload_delete(*, pk) -> None:
    """Forget a preview (confirmed, or replaced)."""
    with suppress(ValueError):
        PendingUpload.objects.filter(pk=uuid.UUID(str(pk))).delete()


class PendingUploadStorage(BaseStorage):
    """django-import-export's temporary storage for the admin's imports, as PendingUploads.

    Its default (`TempFolderStorage`) keeps each previewed file in the server's /tmp: another
    worker or container cannot see it, a preview never confirmed stays for ever, and the name
    posted back with the confirmation is opened as a path. Here a file is a database row that
    every worker sees, expires, and is read only by its owner's confirmation (the admin checks
    the owner with `pending_upload_get` before import-export reads it). Give `owner` and
    `kind` to save.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.owner = kwargs.get("owner")
        self.kind = kwargs.get("kind", "")

    def save(self, data) -> None:
        if self.owner is None:
            raise ImproperlyConfigured("PendingUploadStorage saves a file for an owner only")
        if isinstance(data, str):
            data = data.encode(self.encoding or "utf-8")
        self.name = str(pending_upload_create(owner=self.owner, kind=self.kind, content=data).pk)

    def read(self):
        try:
            pk = uuid.UUID(str(self.name))
        except ValueError as error:
            raise FileNotFoundError(self.name) from error
        content = PendingUpload.objects.filter(pk=pk).values_list("content", flat=True).first()
        if content is None:
            raise FileNotFoundError(self.name)
        content = bytes(content)
        return content if "b" in self.read_mode else content.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        pending_upload_delete(pk=self.name)
