from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "yingji.resources"
    label = "resources"
    verbose_name = _("应急资源")

    def map_layers(self) -> list[dict]:
        """Resource layers for the platform's 一张图 map (see yingji.core.views)."""
        from yingji.resources.geo import map_layers

        return map_layers()
