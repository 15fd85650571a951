from django.urls import path

from yingji.core.kinds.views import kind_urls
from yingji.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.new, name="new"),
    path("optimise/", views.optimise, name="optimise"),
    path("dispatches/<int:pk>/", views.dispatch_order, name="dispatch"),
    path("<int:pk>/", views.detail, name="incident"),
    path("<int:pk>/live/", views.live_panel, name="live"),
    path("<int:pk>/replay/", views.replay, name="replay"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/sitreps/<int:sid>/", views.sitrep, name="sitrep"),
    path("<int:pk>/sitreps/<int:sid>.<str:fmt>", views.sitrep_file, name="sitrep_file"),
    path("<int:pk>/do/<slug:action>/", views.action, name="action"),
    *kind_urls("incidents"),
]
