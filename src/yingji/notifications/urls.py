from django.urls import path

from yingji.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.open_item, name="open"),
    path("<int:pk>/read/", views.read, name="read"),
    path("<int:pk>/sign/", views.sign, name="sign"),
]
