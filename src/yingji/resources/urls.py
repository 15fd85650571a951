from django.urls import path

from yingji.resources import views

app_name = "resources"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("<slug:key>/", views.resource_list, name="list"),
    path("<slug:key>/new/", views.resource_edit, name="create"),
    path("<slug:key>/import/", views.resource_import, name="import"),
    path("<slug:key>/<int:pk>/", views.resource_detail, name="detail"),
    path("<slug:key>/<int:pk>/edit/", views.resource_edit, name="edit"),
    path("<slug:key>/<int:pk>/action/", views.stock_action, name="action"),
]
