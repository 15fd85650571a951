from django.urls import path

from yingji.core.kinds.views import kind_urls
from yingji.risk import views

app_name = "risk"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("report/", views.report_page, name="report"),
    path("register.xlsx", views.register_xlsx, name="register"),
    path("sources/<int:pk>/gb18218/", views.source_calc, name="source_calc"),
    path("<slug:key>/<int:pk>/action/", views.danger_action, name="action"),
    *kind_urls("risk"),
]
