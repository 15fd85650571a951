from django.urls import path

from yingji.core.kinds.views import kind_list, kind_urls
from yingji.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", kind_list, {"app": "monitoring", "key": "sensors"}, name="sensors"),
    path("sensors/<int:pk>/", views.sensor_detail, name="sensor"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/new/", views.rule_edit, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule"),
    *kind_urls("monitoring"),
]
