from django.urls import path

from yingji.core.kinds.views import kind_list, kind_urls

app_name = "sample"
urlpatterns = [path("", kind_list, {"app": "sample", "key": "hydrants"}, name="list_hydrants"), *kind_urls("sample")]
