"""URL map: the UI at /, the API at /api/v1/, Django admin at /admin/ for operators."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from yingji.config.api import api
from yingji.core.modules import modules

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    *(path(f"{m.url_prefix}/", include(m.url_module())) for m in modules() if m.url_module()),
    *(path(f"{prefix}/", include(mod)) for m in modules() for prefix, mod in m.extra_urls()),
    path("favicon.ico", RedirectView.as_view(url=static("yingji/favicon.svg"), permanent=True)),
    path("", include("yingji.core.urls")),
]

# Error pages in the shell's look and the user's language; JSON for /api/ paths (yingji.core.views).
handler400 = "yingji.core.views.bad_request"
handler403 = "yingji.core.views.permission_denied"
handler404 = "yingji.core.views.page_not_found"
handler500 = "yingji.core.views.server_error"
