from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class MonitoringConfig(ModuleConfig):
    default = True
    name = "yingji.monitoring"
    label = "monitoring"
    verbose_name = _("监测预警")
    url_prefix = "monitoring"
    api_prefix = "monitoring"
    nav = [NavItem("monitoring", _("监测预警"), "monitoring:sensors", "monitoring.sensor")]
    nav_order = 40
    demo_order = 50
    kind_tabs = ["sensors", "stations"]

    def extra_tabs(self) -> list[dict]:
        from django.urls import reverse

        return [{"label": _("预警规则"), "url": reverse("monitoring:rules"), "key": "rules"}]

    def seed_reference(self) -> None:
        """After every migrate and flush: forget the windows the readings store remembered (a flushed database
        may give a sensor id out again, and the remembered rows are no longer there)."""
        from yingji.monitoring import store

        store.forget_windows()

    def ready(self) -> None:
        from yingji.core import links
        from yingji.monitoring import (
            registry,  # noqa: F401 — registers the module's types
            selectors,
        )

        links.provide("monitoring.sensors_for", selectors.sensors_for)
