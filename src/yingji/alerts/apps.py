from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class AlertsConfig(ModuleConfig):
    """预警发布: package yingji.alerts, label `alerts` (the stdlib owns `warnings`); pages at /warnings/, the
    API at /api/v1/warnings/, the public CAP feed at /cap/."""

    default = True
    name = "yingji.alerts"
    label = "alerts"
    verbose_name = _("监测预警")
    url_prefix = "warnings"
    api_prefix = "warnings"
    nav = [NavItem("warnings", _("预警发布"), "alerts:home", "alerts.warning")]
    nav_order = 25
    demo_order = 60
    kind_tabs = ["chain-links", "subscribers"]
    home_url = "alerts:home"

    def extra_urls(self) -> list[tuple[str, str]]:
        return [("cap", "yingji.alerts.cap_urls")]

    def workbench_panels(self, request) -> list[dict]:
        from yingji.alerts.views import workbench_panel

        return workbench_panel(request)

    def map_layers(self) -> list[dict]:
        from yingji.alerts.views import map_layers

        return map_layers()

    def seed_reference(self) -> None:
        from yingji.alerts.chains import ensure_default_links
        from yingji.alerts.models import ChainLink

        if not ChainLink.objects.exists():  # an edited or trimmed graph stays as its administrator left it
            ensure_default_links()

    def ready(self) -> None:
        from yingji.alerts import (
            ack,
            provided,
            registry,  # noqa: F401 — registers the module's types
        )
        from yingji.core import links
        from yingji.notifications import kinds

        kinds.register(ack.KIND, _("预警发布（需签收）"), default_channels=("email", "sms", "webhook"))
        kinds.register("alerts.approval", _("预警待审批"), default_channels=("email",))
        links.provide("warnings.draft_from_rule", provided.draft_from_rule)
        links.provide("warnings.active", provided.active)
