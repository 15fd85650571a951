from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class SampleConfig(ModuleConfig):
    default = True
    name = "tests.sample_app"
    label = "sample"
    verbose_name = "sample"
    url_prefix = "sample"
    api_prefix = "sample"
    nav = [NavItem("sample", _("示例"), "sample:list_hydrants", "sample.hydrant")]
    nav_order = 90

    def ready(self):
        from tests.sample_app import registry  # noqa: F401
