from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class ResourcesConfig(ModuleConfig):
    default = True
    name = "yingji.resources"
    label = "resources"
    verbose_name = _("应急资源")
    url_prefix = "resources"
    api_prefix = "resources"
    nav = [NavItem("resources", _("应急资源"), "resources:home", "resources.warehouse")]
    nav_order = 20
    demo_order = 20
    kind_tabs = ["warehouses", "stock", "teams", "members", "equipment", "experts", "shelters", "facilities",
                 "materials", "capabilities", "movements"]
    home_url = "resources:home"

    def extra_tabs(self) -> list[dict]:
        from django.urls import reverse

        return [{"url": reverse("resources:map"), "label": _("资源地图")}]

    def map_tools(self) -> dict:
        """The map's 最近资源 tool: nearest teams, equipment and experts to a point by road travel time."""
        from django.urls import reverse

        from yingji.resources.selectors import NEAREST_TYPES

        return {"nearest": {"url": reverse("api-1:resources_nearest"), "types": list(NEAREST_TYPES),
                            "capabilities": reverse("api-1:resources_capabilities_list")}}

    def ready(self) -> None:
        from yingji.resources import registry  # noqa: F401 — registers the registry's types
