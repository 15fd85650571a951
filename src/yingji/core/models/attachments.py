"""Files on any subject (photos, documents), stored through Django's storage API with hash, size and type."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models.org import OrgUnit, RestrictedQuerySet

__all__ = ["Attachment"]


class Attachment(models.Model):
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(_("文件"), upload_to="attachments/%Y/%m/", max_length=300)
    thumbnail = models.FileField(upload_to="attachments/thumbs/%Y/%m/", max_length=300, blank=True)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小 (字节)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    uploaded_by_id = models.BigIntegerField(null=True, blank=True)
    uploaded_by_name = models.CharField(_("上传人"), max_length=150)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "owner_unit__path"
    city_wide_read = False

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="attachment_subject_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_path(self) -> str:
        return self.owner_unit.path

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
