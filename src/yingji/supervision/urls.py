from django.urls import path

from yingji.core.kinds.views import kind_urls
from yingji.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("inbox/live/", views.inbox_counts, name="inbox_live"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/export.xlsx", views.task_export, name="export"),
    path("tasks/new/", views.task_new, name="new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/<str:action>/", views.task_action, name="task_action"),
    path("ranking/", views.ranking, name="ranking"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("duty-lists/publish/", views.publish_list, name="publish_list"),
    path("<slug:key>/<int:pk>/action/", views.kind_action, name="action"),
    *kind_urls("supervision"),
]
