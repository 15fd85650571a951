"""The warnings module's editable tables on the shared registry: the disaster-chain graph (city-level
administrators edit it) and the webhook subscribers of the CAP feed."""

from django.utils.translation import gettext_lazy as _

from yingji.alerts.models import ChainLink, Subscriber
from yingji.core.kinds.registry import Kind, register
from yingji.core.vocabulary import hazard_names


def _hazard(field):
    return lambda obj: hazard_names().get(getattr(obj, field), getattr(obj, field))


KINDS = register("alerts", [
    Kind("chain-links", ChainLink, _("灾害链"),
         (("cause", "原生灾种"), ("effect", "次生灾种"), ("reason", "说明"), ("level_step", "级别降低"),
          ("is_active", "启用")),
         required=("cause", "effect"), search=("cause", "effect", "reason"), filters=("cause", "is_active"),
         ordering={"cause": "cause"}, select_related=(),
         display={"cause": _hazard("cause"), "effect": _hazard("effect")},
         example={"cause": "rainstorm", "effect": "landslide", "reason": "持续降雨易诱发滑坡", "level_step": 1}),
    Kind("subscribers", Subscriber, _("预警订阅方"),
         (("owner_unit", "所属单位"), ("name", "名称"), ("url", "接收地址"), ("secret", "签名密钥"),
          ("min_level", "最低级别"), ("include_exercises", "推送演练"), ("is_active", "启用")),
         required=("owner_unit", "name", "url"), search=("name", "url"), filters=("is_active",),
         ordering={"name": "name"}, hidden=frozenset({"secret"}), importable=False,
         list_columns=("name", "owner_unit", "url", "min_level", "is_active")),
])
