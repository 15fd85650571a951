"""Attachments on any subject: upload with size and type limits, SHA-256, thumbnails, restricted download.

Rights follow the subject: uploading needs change rights on it (or being a participant where the model lets
participants change it), listing and downloading need view rights on it now. Files go through Django's storage
API (var/media by default), so a deployment can swap in object storage.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from yingji.core import audit, crud, permissions
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.models import Attachment
from yingji.core.roles import Action

__all__ = ["attach", "remove", "for_subject", "subject_of", "get_visible", "MAGIC"]

# What a file's first bytes must look like for its extension (a .jpg that is really an .exe is refused).
MAGIC = {
    "jpg": [b"\xff\xd8\xff"], "jpeg": [b"\xff\xd8\xff"], "png": [b"\x89PNG\r\n\x1a\n"], "gif": [b"GIF87a", b"GIF89a"],
    "webp": [b"RIFF"], "pdf": [b"%PDF-"], "docx": [b"PK\x03\x04"], "xlsx": [b"PK\x03\x04"], "zip": [b"PK\x03\x04"],
    "doc": [b"\xd0\xcf\x11\xe0"], "xls": [b"\xd0\xcf\x11\xe0"], "mp4": [],  # mp4: 'ftyp' at offset 4, below
}
_TEXT = {"txt", "csv"}
THUMB_PX = 320


def subject_of(object_type: str, object_id) -> models.Model:
    """Resolve 'app_label.model' + id to a model instance (NotFound for unknown types or ids)."""
    try:
        app_label, model_name = str(object_type).split(".", 1)
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
        pk = int(object_id)
    except (ValueError, ContentType.DoesNotExist, OverflowError):
        raise NotFound() from None
    if model is None:
        raise NotFound()
    try:
        return model._default_manager.get(pk=pk)
    except (model.DoesNotExist, OverflowError, ValueError):
        raise NotFound() from None


def _check(name: str, content: bytes) -> tuple[str, str]:
    ext = PurePath(name).suffix.lower().lstrip(".")
    allowed = settings.YINGJI["ATTACHMENT_TYPES"]
    limit = settings.YINGJI["ATTACHMENT_MAX_MB"] * 1024 * 1024
    if not content:
        raise ValidationFailed(_("文件是空的"), details={"file": [_("文件是空的")]})
    if len(content) > limit:
        raise ValidationFailed(_("文件过大：上限 %(mb)s MB") % {"mb": settings.YINGJI["ATTACHMENT_MAX_MB"]},
                               details={"file": [_("文件过大")]}, code="too_large")
    if ext not in allowed:
        raise ValidationFailed(_("不支持的文件类型“%(ext)s”，可上传：%(ok)s") % {"ext": ext or "?", "ok": "、".join(allowed)},
                               details={"file": [_("不支持的文件类型")]}, code="bad_type")
    if ext in _TEXT:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            try:
                content.decode("gb18030")
            except UnicodeDecodeError:
                raise ValidationFailed(_("文件内容与扩展名不符"), details={"file": [_("文件内容与扩展名不符")]},
                                       code="bad_type") from None
    elif ext == "mp4":
        if content[4:8] != b"ftyp":
            raise ValidationFailed(_("文件内容与扩展名不符"), details={"file": [_("文件内容与扩展名不符")]}, code="bad_type")
    elif ext in MAGIC and not any(content.startswith(m) for m in MAGIC[ext]):
        raise ValidationFailed(_("文件内容与扩展名不符"), details={"file": [_("文件内容与扩展名不符")]}, code="bad_type")
    content_type = mimetypes.guess_type(f"x.{ext}")[0] or "application/octet-stream"
    return ext, content_type


def _thumbnail(content: bytes) -> bytes | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as img:
            img.thumbnail((THUMB_PX, THUMB_PX))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=80)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationFailed(_("图片已损坏，无法读取"), details={"file": [_("图片已损坏")]}, code="bad_image") from None


def _may_change(actor, subject) -> None:
    if actor is None:
        return
    permissions.require(actor, Action.VIEW, subject)
    if not permissions.can(actor, Action.CHANGE, subject):
        raise permissions.PermissionDenied()


def attach(actor, subject: models.Model, name: str, content: bytes, note: str = "") -> Attachment:
    """Store `content` as an attachment of `subject` after checking rights, size, type and (images) decoding."""
    if actor is not None:
        subject = crud.get_for(actor, type(subject), subject.pk, Action.VIEW)
    _may_change(actor, subject)
    safe_name = PurePath(str(name or "file").replace("\\", "/")).name.replace("\x00", "")[:200] or "file"
    ext, content_type = _check(safe_name, content)
    thumb = _thumbnail(content) if content_type.startswith("image/") else None
    digest = hashlib.sha256(content).hexdigest()
    owner = getattr(subject, "owner_unit", None) or subject
    row = Attachment(subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk,
                     owner_unit=owner, name=safe_name, content_type=content_type, size=len(content),
                     sha256=digest, note=note[:300], uploaded_by_id=getattr(actor, "pk", None),
                     uploaded_by_name=getattr(actor, "username", "system") if actor is not None else "system")
    with transaction.atomic():
        row.file.save(f"{digest[:16]}.{ext}", ContentFile(content), save=False)
        if thumb:
            row.thumbnail.save(f"{digest[:16]}.jpg", ContentFile(thumb), save=False)
        row.save()
        audit.record("create", row, None, audit.snapshot(row), actor)
    return row


def for_subject(user, subject: models.Model):
    crud.get_for(user, type(subject), subject.pk, Action.VIEW)
    ct = ContentType.objects.get_for_model(subject)
    return Attachment.objects.filter(subject_type=ct, subject_id=subject.pk)


def get_visible(user, pk) -> Attachment:
    """The attachment if the user may see its subject now (NotFound otherwise, like a missing one)."""
    try:
        row = Attachment.objects.select_related("subject_type").get(pk=int(pk))
    except (Attachment.DoesNotExist, ValueError, OverflowError, TypeError):
        raise NotFound() from None
    model = row.subject_type.model_class()
    if model is None:
        raise NotFound()
    crud.get_for(user, model, row.subject_id, Action.VIEW)
    return row


def remove(actor, pk) -> None:
    row = get_visible(actor, pk)
    subject = row.subject_type.model_class()._default_manager.get(pk=row.subject_id)
    _may_change(actor, subject)
    with transaction.atomic():
        before = audit.snapshot(row)
        row.delete()
        row.pk = before["id"]
        audit.record("delete", row, before, None, actor)
