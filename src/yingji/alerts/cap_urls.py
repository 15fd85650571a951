"""The public CAP URLs, stable by contract: /cap/index.atom, /cap/<identifier>.xml, and /cap/public/."""

from django.urls import path

from yingji.alerts import cap_views

app_name = "cap"
urlpatterns = [
    path("index.atom", cap_views.feed, name="feed"),
    path("public/", cap_views.public_page, name="public"),
    path("<str:identifier>.xml", cap_views.message, name="message"),
]
