from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig


class NotificationsConfig(ModuleConfig):
    default = True
    name = "yingji.notifications"
    label = "notifications"
    verbose_name = _("通知")
    url_prefix = "notifications"
    api_prefix = "notifications"
    nav_order = 5
    # The inbox badge in the shell's top bar (polls with ETag → 304, yingji.core.live).
    shell_includes = ["notifications/_shell.html"]

    def map_layers(self) -> list[dict]:
        return []
