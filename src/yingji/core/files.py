"""The page-side download of attachments: the same visibility check as the API (the subject, now)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from yingji.core import attachments


@login_required
def attachment(request, pk: int):
    row = attachments.get_visible(request.user, pk)
    thumb = request.GET.get("thumb") == "1" and bool(row.thumbnail)
    handle = (row.thumbnail if thumb else row.file).open("rb")
    return FileResponse(handle, as_attachment=not (thumb or row.is_image), filename=row.name,
                        content_type="image/jpeg" if thumb else row.content_type)
