from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class RiskConfig(ModuleConfig):
    default = True
    name = "yingji.risk"
    label = "risk"
    verbose_name = _("风险防控")
    url_prefix = "risk"
    api_prefix = "risk"
    nav = [NavItem("risk", _("风险防控"), "risk:home", "risk.hazardsource")]
    nav_order = 20
    demo_order = 40
    kind_tabs = ["sources", "areas", "cells", "plans", "inspections", "dangers", "assessments"]
    home_url = "risk:home"

    def extra_tabs(self) -> list[dict]:
        from django.urls import reverse

        return [{"url": reverse("risk:map"), "label": _("风险四色图")}, {"url": reverse("risk:report"), "label": _("上报隐患")}]

    def map_layers(self) -> list[dict]:
        """The four-colour map: grid cells and communities coloured by the highest risk inside, hazard areas,
        then hazard sources and hidden dangers as points (core/kinds/geo.py)."""
        from yingji.risk.views import risk_layers

        return risk_layers()

    def ready(self) -> None:
        from yingji.core import links
        from yingji.notifications import kinds
        from yingji.risk import registry, selectors  # noqa: F401 — registers the module's types

        links.provide("risk.features_in_area", selectors.features_in_area)
        links.provide("risk.features_near", selectors.features_near)
        links.provide("risk.grid_cell_at", selectors.grid_cell_at)
        kinds.register("risk.major_danger", _("重大隐患报告"), default_channels=("email",))
        kinds.register("risk.danger_overdue", _("隐患整改超期"), default_channels=("email",))
