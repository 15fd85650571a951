from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from yingji.core import files, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("map/", views.map_page, name="map"),
    path("units/", views.unit_list, name="units"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("audit/", views.audit_list, name="audit"),
    path("files/<int:pk>/", files.attachment, name="attachment"),
    re_path(r"^api/(?P<rest>.*)$", views.api_not_found, name="api_not_found"),
]
