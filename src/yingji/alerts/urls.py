from django.urls import path

from yingji.alerts import views
from yingji.core.kinds.views import kind_urls

app_name = "alerts"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("import/", views.import_cap, name="import"),
    path("chains/", views.chain_graph, name="chains"),
    path("geojson/", views.geojson, name="geojson"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/acknowledgements/", views.acknowledgements, name="acks"),
    path("<int:pk>/do/<slug:name>/", views.action, name="action"),
    *kind_urls("alerts"),
]
