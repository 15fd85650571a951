from django.utils.translation import gettext_lazy as _

from yingji.core.modules import ModuleConfig, NavItem


class SupervisionConfig(ModuleConfig):
    default = True
    name = "yingji.supervision"
    label = "supervision"
    verbose_name = _("督查督办")
    url_prefix = "supervision"
    api_prefix = "tasks"  # GET /api/v1/tasks (the contract of issue 9)
    nav = [NavItem("supervision", _("督查督办"), "supervision:inbox", "supervision.task")]
    nav_order = 30
    demo_order = 30
    kind_tabs = ["meetings", "decisions", "duty-lists", "result-codes"]
    home_url = "supervision:inbox"

    def workbench_panels(self, request) -> list[dict]:
        from yingji.supervision.views import workbench_panel

        return workbench_panel(request)

    def map_layers(self) -> list[dict]:
        return []

    def seed_reference(self) -> None:
        from yingji.supervision.models import ResultCode
        from yingji.supervision.services import ensure_result_codes

        if not ResultCode.objects.exists():  # codes an administrator removed stay removed
            ensure_result_codes()

    def ready(self) -> None:
        from yingji.notifications import kinds
        from yingji.supervision import registry  # noqa: F401 — registers the module's types

        kinds.register("supervision.task_assigned", _("督办任务交办（需签收）"), default_channels=("email",))
        kinds.register("supervision.deadline_reminder", _("督办任务到期提醒"), default_channels=("email",))
        kinds.register("supervision.escalation", _("督办任务超期督办"), default_channels=("email",))
        kinds.register("supervision.replied", _("督办任务已答复"), default_channels=())
