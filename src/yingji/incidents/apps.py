from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class IncidentsConfig(ModuleConfig):
    default = True
    name = "yingji.incidents"
    label = "incidents"
    verbose_name = _("事件指挥")
    url_prefix = "incidents"
    # The API contract names /api/v1/incidents… and /api/v1/dispatches…: the router carries both prefixes.
    api_prefix = ""
    nav = [NavItem("incidents", _("事件指挥"), "incidents:board", "incidents.incident")]
    nav_order = 10
    demo_order = 70
    kind_tabs = ["grading-rules", "report-rules"]
    home_url = "incidents:board"

    def workbench_panels(self, request) -> list[dict]:
        from yingji.incidents.views import workbench_panels

        return workbench_panels(request)

    def map_layers(self) -> list[dict]:
        return []

    def ready(self) -> None:
        from yingji.core import links
        from yingji.incidents import (
            registry,  # noqa: F401 — registers the module's types
            selectors,
            services,
        )
        from yingji.notifications import kinds

        kinds.register("incidents.dispatch_order", _("调派令（需接受或拒绝）"), default_channels=("email", "sms"))
        links.provide("incidents.open_from_warning", services.open_from_warning)
        links.provide("incidents.active", selectors.active_link)
