"""What a module adds to the platform, declared on its AppConfig: navigation, API router, pages, map layers,
demo data. The shell, the API and the URL map gather these; nothing in core names a module.

    class RiskConfig(ModuleConfig):
        name = "yingji.risk"
        url_prefix = "risk"            # pages: yingji.risk.urls at /risk/
        api_prefix = "risk"            # API: yingji.risk.api.router at /api/v1/risk/
        nav = [NavItem("risk", _("风险防控"), "risk:home", "risk.hazardsource")]
"""

from __future__ import annotations

import importlib

from django.apps import AppConfig, apps

from yingji.core.navigation import NavItem

__all__ = ["ModuleConfig", "modules", "NavItem"]


class ModuleConfig(AppConfig):
    url_prefix: str | None = None
    api_prefix: str | None = None
    nav: list[NavItem] = []
    nav_order: int = 50
    # When the module's demo data is seeded (default: nav_order). A module whose demo uses another module's data
    # (incidents dispatch the registry's teams, warnings find risk's hazard areas) seeds after it.
    demo_order: int | None = None
    # Generic pages: the tabs shown over the module's type lists, and the overview page's URL name.
    kind_tabs: list[str] | None = None
    home_url: str | None = None
    # Templates included in the shell's top bar for logged-in users (an inbox badge …).
    shell_includes: list[str] = []

    def extra_tabs(self) -> list[dict]:
        return []

    def workbench_panels(self, request) -> list[dict]:
        """Panels for the user's desk (工作台): each {"template": ..., **context}, rendered by core's home view."""
        return []

    def map_layers(self) -> list[dict]:
        from yingji.core.kinds.geo import map_layers

        return map_layers(self.label)

    def map_tools(self) -> dict:
        """Tools the module adds to the map, by name (e.g. {"nearest": {"url": …}}); see core/static/yingji/map.js."""
        return {}

    def api_router(self):
        return importlib.import_module(f"{self.name}.api").router if self.api_prefix is not None else None

    def extra_urls(self) -> list[tuple[str, str]]:
        """More URL modules at other root prefixes, [(prefix, module)] (e.g. a public feed at /cap/)."""
        return []

    def url_module(self) -> str | None:
        return f"{self.name}.urls" if self.url_prefix is not None else None

    def seed_reference(self) -> None:
        """Create the module's reference rows (default codes, shipped vocabularies) where missing; running it again
        changes nothing. Called after every `migrate` and after a flush (Django's post_migrate), so a database
        emptied by `flush` or a transactional test gets them back, not only one built by the data migrations."""

    def seed_demo(self, ctx) -> None:
        """Seed the module's demo data (default: `<module>.demo.seed(ctx)` if the module has one)."""
        try:
            module = importlib.import_module(f"{self.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.name}.demo":
                raise
            return
        module.seed(ctx)


def seed_reference_data(using: str = "default", **kwargs) -> None:
    """post_migrate receiver (connected once, by core): the kernel's vocabularies, then each module's reference
    rows. Skipped while the schema is not all there (a migration test stopped half-way)."""
    from django.db import connections

    from yingji.core import vocabulary

    if using != "default":
        return
    tables = set(connections[using].introspection.table_names())
    needed = {m._meta.db_table for c in [apps.get_app_config("core"), *modules()] for m in c.get_models()
              if m._meta.managed and not m._meta.proxy}
    if not needed <= tables:
        return
    vocabulary.seed_hazard_types()
    for config in modules():
        config.seed_reference()
    vocabulary.invalidate()


def modules() -> list[ModuleConfig]:
    return sorted((c for c in apps.get_app_configs() if isinstance(c, ModuleConfig)), key=lambda c: c.nav_order)
