"""The incidents module's editable tables on the shared registry: the grading rule table (levels I–IV for hazard
types other than production-safety accidents) and the local reporting deadlines."""

from django.utils.translation import gettext_lazy as _

from yingji.core.kinds.registry import Kind, register
from yingji.incidents.models import GradingRule, ReportRule

KINDS = register("incidents", [
    Kind("grading-rules", GradingRule, _("分级规则"),
         (("hazard_type", "适用事件类型（含下级）"), ("level", "事件级别"), ("min_deaths", "死亡人数≥"),
          ("min_serious_injuries", "重伤人数≥"), ("min_loss_wan_yuan", "直接经济损失≥（万元）"),
          ("min_affected", "受灾人数≥"), ("basis", "依据"), ("is_active", "启用")),
         required=("hazard_type", "level"), search=("hazard_type", "basis"), filters=("level", "is_active"),
         ordering={"hazard_type": "hazard_type", "level": "level"}, select_related=(),
         example={"hazard_type": "flood", "level": 3, "min_deaths": 3}),
    Kind("report-rules", ReportRule, _("报送时限"),
         (("kind", "报告类型"), ("channel", "报送方式"), ("minutes", "时限（分钟）"), ("max_level", "适用最低级别"),
          ("basis", "依据"), ("is_active", "启用")),
         required=("kind", "channel", "minutes"), search=("basis",), filters=("kind", "channel", "is_active"),
         ordering={"minutes": "minutes"}, select_related=(),
         example={"kind": "initial", "channel": "phone", "minutes": 30}),
])
