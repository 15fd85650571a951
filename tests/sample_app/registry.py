from tests.sample_app.models import Hydrant, Pump

from yingji.core.kinds.registry import Kind, register

KINDS = register("sample", [
    Kind("hydrants", Hydrant, "消防栓",
         (("owner_unit", "所属单位"), ("code", "编号"), ("name", "名称"), ("working", "完好"),
          ("hazard_types", "灾种"), ("lng", "经度"), ("lat", "纬度"), ("is_exercise", "演练")),
         required=("owner_unit", "code", "name"), search=("name", "code"), filters=("working",),
         ordering={"code": "code"}, status_field="working", map_on=True),
    Kind("pumps", Pump, "水泵",
         (("owner_unit", "所属单位"), ("code", "编号"), ("name", "名称"), ("ready", "完好"), ("lng", "经度"),
          ("lat", "纬度")),
         required=("owner_unit", "code", "name"), ordering={"code": "code"}, status_field="ready"),
])
