"""URL map: the UI at /, the API at /api/v1/, Django admin at /admin/ for operators."""

from django.contrib import admin
from django.urls import include, path

from yingji.config.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("resources/", include("yingji.resources.urls")),
    path("", include("yingji.core.urls")),
]
