"""The resource types of the registry in one table: what the API, the pages, import and export are built from."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.resources.models import (
    Capability,
    Equipment,
    Expert,
    Facility,
    Inspection,
    MaterialItem,
    Shelter,
    StockBatch,
    StockMovement,
    Team,
    TeamMember,
    Warehouse,
)

__all__ = ["Kind", "KINDS", "kind_for", "kind_of_model"]


@dataclass(frozen=True)
class Kind:
    key: str
    model: type[models.Model]
    label: str
    columns: tuple[tuple[str, str], ...]  # (field, Chinese header) for tables, import and export
    required: tuple[str, ...] = ()
    search: tuple[str, ...] = ("name",)
    filters: tuple[str, ...] = ()  # exact-match query parameters, each a model field
    ordering: dict[str, str] = field(default_factory=dict)
    geo: bool = False
    capable: bool = False
    writable: bool = True  # False: changes go through a dedicated service (stock, ledger)
    importable: bool = True

    @property
    def otype(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"


_OWNER = ("owner_unit", "所属单位")
_PLACE = (("lng", "经度"), ("lat", "纬度"), ("address", "地址"))
_CAPS = ("capabilities", "能力")

KINDS: dict[str, Kind] = {k.key: k for k in [
    Kind("capabilities", Capability, _("能力"),
         (_OWNER, ("code", "代码"), ("name", "名称"), ("category", "类别"), ("quantity_unit", "数量单位"),
          ("description", "说明")),
         required=("owner_unit", "code", "name"), search=("name", "code"), filters=("category",),
         ordering={"code": "code", "name": "name"}),
    Kind("materials", MaterialItem, _("物资目录"),
         (_OWNER, ("code", "编码"), ("name", "名称"), ("level", "层级"), ("parent", "上级类目"),
          ("unit_of_measure", "计量单位"), ("shelf_life_days", "保质期(天)"), ("specification", "规格型号"),
          ("capability_codes", "能力"), ("code_status", "编码来源")),
         required=("owner_unit", "code", "name", "level"), search=("name", "code"),
         filters=("level", "code_status", "parent"), ordering={"code": "code", "name": "name"}),
    Kind("warehouses", Warehouse, _("储备库"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("level", "级别"), *_PLACE, ("capacity_m3", "库容(m³)"),
          ("area_m2", "面积(m²)"), ("keeper", "保管员"), ("phone", "联系电话"), ("is_active", "启用")),
         required=("owner_unit", "code", "name"), search=("name", "code", "address"),
         filters=("level", "is_active"), ordering={"code": "code", "name": "name", "id": "id"}, geo=True),
    Kind("stock", StockBatch, _("库存"),
         (("warehouse", "储备库编号"), ("item", "物资编码"), ("batch_no", "批次号"), ("quantity", "数量"),
          ("min_quantity", "最低储备量"), ("production_date", "生产日期"), ("expiry_date", "有效期至")),
         required=("warehouse", "item", "quantity"), search=("batch_no", "item__name"),
         filters=("warehouse", "item"), ordering={"id": "id", "quantity": "quantity", "expiry_date": "expiry_date"},
         writable=False),
    Kind("movements", StockMovement, _("出入库记录"),
         (("batch", "批次"), ("kind", "类型"), ("delta", "变动数量"), ("balance", "变动后数量"),
          ("incident_ref", "事件编号"), ("note", "备注"), ("actor_name", "经办人")),
         search=("incident_ref", "note"), filters=("batch", "kind", "incident_ref"), ordering={"id": "id"},
         writable=False, importable=False),
    Kind("teams", Team, _("救援队伍"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("kind", "性质"), ("specialty", "专业"), ("level", "级别"),
          ("full_time", "专职"), ("headcount", "人数"), _CAPS, ("hazard_types", "可应对灾种"),
          ("service_area", "服务范围"), *_PLACE, ("readiness", "战备状态"), ("assemble_minutes", "集结时间(分钟)"),
          ("assembly_point", "集结地点"), ("principal", "负责人"), ("duty_phone", "值班电话"),
          ("qualifications", "资质"), ("major_rescues", "重大救援经历")),
         required=("owner_unit", "code", "name", "kind", "specialty"), search=("name", "code", "principal"),
         filters=("kind", "specialty", "level", "readiness", "full_time"),
         ordering={"code": "code", "name": "name", "headcount": "headcount",
                   "assemble_minutes": "assemble_minutes"}, geo=True, capable=True),
    Kind("members", TeamMember, _("队员"),
         (("team", "队伍编号"), ("name", "姓名"), ("role", "职务"), ("squad", "分队"), ("phone", "电话"),
          ("skills", "技能"), ("certificates", "证书"), ("is_core", "骨干")),
         required=("team", "name"), search=("name", "skills"), filters=("team", "squad", "is_core"),
         ordering={"name": "name", "id": "id"}),
    Kind("equipment", Equipment, _("装备"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("equipment_type", "装备类型"), ("model_no", "规格型号"),
          ("status", "状态"), ("team", "所属队伍编号"), _CAPS, *_PLACE, ("inspection_interval_days", "检查周期(天)"),
          ("last_inspected_on", "上次检查")),
         required=("owner_unit", "code", "name", "equipment_type"), search=("name", "code", "equipment_type"),
         filters=("equipment_type", "status", "team"),
         ordering={"code": "code", "name": "name", "next_inspection_due": "next_inspection_due"},
         geo=True, capable=True),
    Kind("inspections", Inspection, _("装备检查记录"),
         (("equipment", "装备编号"), ("inspected_on", "检查日期"), ("passed", "合格"), ("inspector", "检查人"),
          ("note", "说明")),
         search=("inspector", "note"), filters=("equipment", "passed"), ordering={"inspected_on": "inspected_on"},
         writable=False, importable=False),
    Kind("experts", Expert, _("专家"),
         (_OWNER, ("name", "姓名"), ("category", "专家类别"), ("specialties", "专业特长"), ("hazard_types", "灾种"),
          ("title", "职称"), ("level", "级别"), ("employer", "工作单位"), ("experience_years", "从业年限"),
          ("phone", "联系电话"), ("available", "可调用"), *_PLACE),
         required=("owner_unit", "name", "category"), search=("name", "specialties", "employer"),
         filters=("category", "level", "available"), ordering={"name": "name", "id": "id"}, geo=True),
    Kind("shelters", Shelter, _("避难场所"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("grade", "等级"), ("shelter_type", "类型"),
          ("capacity", "容纳人数"), ("occupancy", "当前安置人数"), ("area_m2", "有效面积(m²)"),
          ("facilities", "配套设施"), ("seismic_rating", "抗震设防"), *_PLACE, ("is_open", "开放"),
          ("manager", "管理人"), ("phone", "联系电话"), ("boundary", "范围(GeoJSON)")),
         required=("owner_unit", "code", "name", "grade", "capacity"), search=("name", "code", "address"),
         filters=("grade", "shelter_type", "is_open"), ordering={"code": "code", "capacity": "capacity"}, geo=True),
    Kind("facilities", Facility, _("医疗、运输与防护目标"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("kind", "类别"), ("subkind", "细分类型"), ("beds", "床位"),
          ("doctors", "医生"), ("nurses", "护士"), ("ambulances", "救护车"), ("vehicles", "车辆"),
          ("people", "容纳/在册人数"), ("capacity_note", "产能/能力说明"), _CAPS, *_PLACE, ("contact", "联系人"),
          ("phone", "联系电话")),
         required=("owner_unit", "code", "name", "kind"), search=("name", "code", "subkind"),
         filters=("kind", "subkind"), ordering={"code": "code", "name": "name", "people": "people"},
         geo=True, capable=True),
]}


def kind_for(key: str) -> Kind:
    from yingji.core.errors import NotFound

    try:
        return KINDS[key]
    except KeyError:
        raise NotFound() from None


def kind_of_model(model) -> Kind:
    return next(k for k in KINDS.values() if k.model is model)
