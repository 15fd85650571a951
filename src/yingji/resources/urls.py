from django.urls import path

from yingji.core.kinds.views import kind_urls
from yingji.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("<slug:key>/<int:pk>/action/", views.stock_action, name="action"),
    *kind_urls("resources"),
]
