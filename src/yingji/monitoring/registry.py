from django.utils.translation import pgettext_lazy

from yingji.core.kinds.registry import Kind, Symbol, register
from yingji.monitoring.models import Sensor, Station


def _last(sensor) -> str:
    return "" if sensor.last_value is None else f"{sensor.last_value:g} {sensor.unit_of_measure}".strip()


KINDS = register("monitoring", [
    Kind("sensors", Sensor, pgettext_lazy("类型列表", "传感器"),
         (("owner_unit", "所属单位"), ("code", "编号"), ("name", "名称"), ("kind", "类型"),
          ("unit_of_measure", "计量单位"), ("status", "状态"), ("station", "监测站"),
          ("target_model", "监测对象类型"), ("target_id", "监测对象编号"),
          ("heartbeat_minutes", "心跳间隔（分钟）"), ("last_value", "最新读数"), ("last_at", "最新读数时间"),
          ("lng", "经度"), ("lat", "纬度"), ("address", "地址"), ("is_exercise", "演练")),
         required=("owner_unit", "code", "name", "kind"), search=("name", "code"), filters=("kind", "status", "station"),
         ordering={"code": "code", "name": "name", "last_at": "last_at"}, extras={"station_name": "station.name"},
         select_related=("owner_unit", "station"), status_field="status",
         status_colours={"active": "ok", "offline": "bad", "maintenance": "warn", "retired": "off"},
         symbol=Symbol(shape="diamond", letter="测"), popup=("code", "kind", "status", "last_value", "last_at"), map_on=False,
         list_columns=("name", "code", "kind", "status", "last_value", "last_at", "owner_unit"),
         display={"last_value": _last},
         example={"code": "RG-001", "name": "雨量站 1", "kind": "rain", "unit_of_measure": "mm", "status": "active",
                  "heartbeat_minutes": 10, "lng": 113.3, "lat": 23.1}),
    Kind("stations", Station, pgettext_lazy("类型列表", "监测站"),
         (("owner_unit", "所属单位"), ("code", "编号"), ("name", "名称"), ("lng", "经度"),
          ("lat", "纬度"), ("address", "地址"), ("is_exercise", "演练")),
         required=("owner_unit", "code", "name"), search=("name", "code"), ordering={"code": "code"},
         children=(("sensors", "station"),), symbol=Symbol(letter="站")),
])
