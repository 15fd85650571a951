"""The resource types of the registry in one table, on the kernel's Kind: every per-type rule lives here."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yingji.core.kinds.registry import Flag, Kind, Symbol, kind_for, kind_of_model, register
from yingji.core.kinds.views import plain_number
from yingji.core.models import Capability
from yingji.resources.models import (
    Equipment,
    EquipmentStatus,
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


def _below_min(qs, on: bool):
    return qs.filter(quantity__lt=F("min_quantity")) if on else qs


def _expiring(qs, days: int):
    today = timezone.localdate()
    return qs.filter(expiry_date__lte=today + dt.timedelta(days=days), quantity__gt=0)


def _expired(qs, on: bool):
    return qs.filter(expiry_date__lt=timezone.localdate(), quantity__gt=0) if on else qs


def _overdue(qs, on: bool):
    if not on:
        return qs
    return qs.filter(next_inspection_due__lt=timezone.localdate()).exclude(status=EquipmentStatus.RETIRED)


def _import_stock(*args):
    from yingji.resources.services import import_stock_rows

    return import_stock_rows(*args)


def _action_form(user, obj):
    from yingji.resources.views import action_form

    return action_form(user, obj)


def _equipment_links(actor, obj, changed):
    """Equipment is attached only to a team of its own unit (checked when the link or the owner changes)."""
    if changed is not None and not {"team", "owner_unit"} & changed:
        return {}
    from yingji.resources.services import link_errors

    return link_errors(obj)


def _material_parent(obj) -> None:
    """A catalogue row names its code; its parent class follows from the code (GB/T 38565)."""
    if obj.code and obj.parent is None and len(obj.code) == 7:
        parent_code = MaterialItem.parent_code(obj.code)
        obj.parent = MaterialItem.objects.filter(code=parent_code).first() if parent_code else None


# --- display hooks: what a duty officer reads in lists and detail pages ---------------------------------------


def _qty(attr: str, signed: bool = False):
    """A batch quantity with its item's unit: `120 箱`, `+20 箱` (never 1.2E+2 or 246.000)."""
    def show(obj):
        batch_item = obj.item if isinstance(obj, StockBatch) else obj.batch.item
        value = getattr(obj, attr)
        text = plain_number(value)
        if signed and value is not None and value > 0:
            text = f"+{text}"
        return f"{text} {batch_item.unit_of_measure}".strip()
    return show


def _phone(attr: str):
    def show(obj):
        value = getattr(obj, attr) or ""
        if not value or "*" in value:  # empty, or masked for this reader (yingji.core.privacy)
            return value
        return format_html('<a href="tel:{}">{}</a>', value.replace(" ", "").replace("-", ""), value)
    return show


_READINESS_CSS = {"ready": "text-bg-success", "standby": "text-bg-warning", "not_ready": "text-bg-danger"}


def _readiness(obj):
    return format_html('<span class="badge {}">{}</span>', _READINESS_CSS.get(obj.readiness, "text-bg-secondary"),
                       obj.get_readiness_display())


def _batch(obj):
    return f"{obj.item.name} · {obj.batch_no}" if obj.batch_no else obj.item.name


def _movement_batch(obj):
    return f"{obj.batch.warehouse.name} · {_batch(obj.batch)}"


def _local_time(obj):
    return date_format(timezone.localtime(obj.created_at), "Y-m-d H:i")


def _due(obj):
    due = obj.next_inspection_due
    if due is None:
        return ""
    if due < timezone.localdate() and obj.status != EquipmentStatus.RETIRED:
        return format_html('{} <span class="badge text-bg-danger">{}</span>', due.isoformat(), _("逾期"))
    return due.isoformat()


_HIDDEN = frozenset({"address", "qualifications", "major_rescues", "description", "hazard_types", "facilities",
                     "boundary", "owner_unit", "specification", "capacity_note", "certificates"})


_OWNER = ("owner_unit", "所属单位")
_PLACE = (("lng", "经度"), ("lat", "纬度"), ("address", "地址"))
_CAPS = ("capabilities", "能力")

# The map: dispatchable types are coloured by availability (can it be sent now?), places by whether they are
# in service; each type has its own shape and letter (docs/decisions/0035-map-symbols-and-popups.md).
_AVAILABILITY = {"available": "ok", "committed": "warn", "unavailable": "bad"}

KINDS: dict[str, Kind] = register("resources", [
    Kind("capabilities", Capability, pgettext_lazy("类型列表", "能力"),
         (_OWNER, ("code", "代码"), ("name", "名称"), ("category", "类别"), ("quantity_unit", "数量单位"),
          ("description", "说明")),
         required=("owner_unit", "code", "name"), search=("name", "code"), filters=("category",),
         ordering={"code": "code", "name": "name"}, hidden=_HIDDEN),
    Kind("materials", MaterialItem, pgettext_lazy("类型列表", "物资目录"),
         (_OWNER, ("code", "编码"), ("name", "名称"), ("level", "层级"), ("parent", "上级类目"),
          ("unit_of_measure", "计量单位"), ("shelf_life_days", "保质期(天)"), ("specification", "规格型号"),
          ("capability_codes", "能力"), ("code_status", "编码来源")),
         required=("owner_unit", "code", "name", "level"), search=("name", "code"),
         filters=("level", "code_status", "parent"), ordering={"code": "code", "name": "name"},
         children=(("stock", "item"),), prepare_import=_material_parent, hidden=_HIDDEN,
         example={"owner_unit": "990100", "code": "1010101", "name": "帐篷", "level": "细类", "unit_of_measure": "顶"}),
    Kind("warehouses", Warehouse, pgettext_lazy("类型列表", "储备库"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("level", "级别"), *_PLACE, ("capacity_m3", "库容(m³)"),
          ("area_m2", "面积(m²)"), ("keeper", "保管员"), ("phone", "联系电话"), ("is_active", "启用")),
         required=("owner_unit", "code", "name"), search=("name", "code", "address"),
         filters=("level", "is_active"), ordering={"code": "code", "name": "name", "id": "id"},
         children=(("stock", "warehouse"),), map_on=True, hidden=_HIDDEN,
         status_field="is_active", status_colours={True: ("ok", _("启用")), False: ("off", _("停用"))},
         symbol=Symbol("square", "库", "#1d4ed8"),
         popup=("is_active", "level", "owner_unit", "capacity_m3", "address", "keeper", "phone"),
         action_form=_action_form,
         example={"owner_unit": "990100", "code": "CK-001", "name": "市级综合储备库", "level": "市级",
                  "lng": 113.3, "lat": 23.1},
         list_columns=("name", "code", "level", "keeper", "phone", "is_active", "owner_unit"),
         display={"phone": _phone("phone")}),
    Kind("stock", StockBatch, pgettext_lazy("类型列表", "库存"),
         (("warehouse", "储备库编号"), ("item", "物资编码"), ("batch_no", "批次号"), ("quantity", "数量"),
          ("min_quantity", "最低储备量"), ("production_date", "生产日期"), ("expiry_date", "有效期至")),
         required=("warehouse", "item", "quantity"), search=("batch_no", "item__name"),
         filters=("warehouse", "item"), ordering={"id": "id", "quantity": "quantity", "expiry_date": "expiry_date"},
         writable=False, owning_parent="warehouse", select_related=("owner_unit", "item", "warehouse"),
         extras={"item_code": "item.code", "item_name": "item.name", "unit_of_measure": "item.unit_of_measure",
                 "warehouse_name": "warehouse.name"}, children=(("movements", "batch"),),
         flags=(Flag("below_min", _("低于最低储备"), bool, _below_min),
                Flag("expiring_days", _("N 天内到期"), int, _expiring), Flag("expired", _("已过期"), bool, _expired)),
         import_hook=_import_stock, hidden=_HIDDEN, action_form=_action_form,
         example={"warehouse": "CK-001", "item": "1010101", "batch_no": "2026-01", "quantity": 100},
         list_columns=("item", "warehouse", "quantity", "min_quantity", "expiry_date", "owner_unit"),
         display={"item": _batch, "quantity": _qty("quantity"), "min_quantity": _qty("min_quantity")}),
    Kind("movements", StockMovement, pgettext_lazy("类型列表", "出入库记录"),
         (("batch", "批次"), ("kind", "类型"), ("delta", "变动数量"), ("balance", "变动后数量"),
          ("incident_ref", "事件编号"), ("note", "备注"), ("actor_name", "经办人")),
         search=("incident_ref", "note"), filters=("batch", "kind", "incident_ref"), ordering={"id": "id"},
         writable=False, importable=False, select_related=("owner_unit", "batch__item", "batch__warehouse"),
         owning_parent="batch",
         extras={"item_name": "batch.item.name", "warehouse_name": "batch.warehouse.name"}, hidden=_HIDDEN,
         list_columns=(("created_at", _("时间")), "batch", "kind", "delta", "balance", "incident_ref", "actor_name"),
         display={"created_at": _local_time, "batch": _movement_batch, "delta": _qty("delta", signed=True),
                  "balance": _qty("balance")}),
    Kind("teams", Team, pgettext_lazy("类型列表", "救援队伍"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("kind", "性质"), ("specialty", "专业"), ("level", "级别"),
          ("full_time", "专职"), ("headcount", "人数"), _CAPS, ("hazard_types", "可应对灾种"),
          ("service_area", "服务范围"), *_PLACE, ("readiness", "战备状态"), ("assemble_minutes", "集结时间(分钟)"),
          ("assembly_point", "集结地点"), ("principal", "负责人"), ("duty_phone", "值班电话"),
          ("qualifications", "资质"), ("major_rescues", "重大救援经历")),
         required=("owner_unit", "code", "name", "kind", "specialty"), search=("name", "code", "principal"),
         filters=("kind", "specialty", "level", "readiness", "full_time"),
         ordering={"code": "code", "name": "name", "headcount": "headcount",
                   "assemble_minutes": "assemble_minutes"},
         children=(("members", "team"), ("equipment", "team")), hidden=_HIDDEN,
         status_field="availability", status_colours=_AVAILABILITY, symbol=Symbol("circle", "队", "#9a3412"),
         popup=("availability", "readiness", "owner_unit", "specialty", "headcount", "capabilities",
                "assemble_minutes", "principal", "duty_phone"),
         example={"owner_unit": "990100", "code": "DW-001", "name": "市防汛抢险队", "kind": "专业队伍",
                  "specialty": "防汛抢险", "headcount": 30, "capabilities": "排涝:2000、水上救援",
                  "hazard_types": "洪涝、台风", "lng": 113.3, "lat": 23.1},
         list_columns=("name", "code", "specialty", "headcount", "readiness", "principal", "duty_phone", "owner_unit"),
         display={"readiness": _readiness, "duty_phone": _phone("duty_phone")}),
    Kind("members", TeamMember, pgettext_lazy("类型列表", "队员"),
         (("team", "队伍编号"), ("name", "姓名"), ("role", "职务"), ("squad", "分队"), ("phone", "电话"),
          ("skills", "技能"), ("certificates", "证书"), ("is_core", "骨干")),
         required=("team", "name"), search=("name", "skills"), filters=("team", "squad", "is_core"),
         ordering={"name": "name", "id": "id"}, owning_parent="team", select_related=("owner_unit", "team"),
         extras={"team_name": "team.name"}, hidden=_HIDDEN,
         list_columns=("name", "team", "role", "squad", "phone", "is_core"), display={"phone": _phone("phone")}),
    Kind("equipment", Equipment, pgettext_lazy("类型列表", "装备"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("equipment_type", "装备类型"), ("model_no", "规格型号"),
          ("status", "状态"), ("team", "所属队伍编号"), _CAPS, *_PLACE, ("inspection_interval_days", "检查周期(天)"),
          ("last_inspected_on", "上次检查")),
         required=("owner_unit", "code", "name", "equipment_type"), search=("name", "code", "equipment_type"),
         filters=("equipment_type", "status", "team"),
         ordering={"code": "code", "name": "name", "next_inspection_due": "next_inspection_due"},
         select_related=("owner_unit", "team"), extras={"team_name": "team.name"},
         children=(("inspections", "equipment"),), hidden=_HIDDEN, action_form=_action_form,
         status_field="availability", status_colours=_AVAILABILITY, symbol=Symbol("diamond", "装", "#6d28d9"),
         popup=("availability", "status", "equipment_type", "owner_unit", "team", "capabilities",
                "next_inspection_due"),
         check=_equipment_links,
         flags=(Flag("overdue", _("检查逾期"), bool, _overdue),),
         list_columns=("name", "code", "equipment_type", "status", "team", "next_inspection_due", "last_inspected_on",
                       "owner_unit"),
         display={"next_inspection_due": _due}),
    Kind("inspections", Inspection, pgettext_lazy("类型列表", "装备检查记录"),
         (("equipment", "装备编号"), ("inspected_on", "检查日期"), ("passed", "合格"), ("inspector", "检查人"),
          ("note", "说明")),
         search=("inspector", "note"), filters=("equipment", "passed"), ordering={"inspected_on": "inspected_on"},
         writable=False, importable=False, owning_parent="equipment", select_related=("owner_unit", "equipment"),
         extras={"equipment_name": "equipment.name"}, hidden=_HIDDEN),
    Kind("experts", Expert, pgettext_lazy("类型列表", "专家"),
         (_OWNER, ("name", "姓名"), ("category", "专家类别"), ("specialties", "专业特长"), ("hazard_types", "灾种"),
          ("title", "职称"), ("level", "级别"), ("employer", "工作单位"), ("experience_years", "从业年限"),
          ("phone", "联系电话"), ("available", "可调用"), *_PLACE),
         required=("owner_unit", "name", "category"), search=("name", "specialties", "employer"),
         filters=("category", "level", "available"), ordering={"name": "name", "id": "id"},
         hidden=_HIDDEN, status_field="availability", status_colours=_AVAILABILITY,
         symbol=Symbol("triangle", "专", "#0e7490"),
         popup=("availability", "category", "specialties", "title", "employer", "owner_unit", "phone"),
         display={"phone": _phone("phone")}),
    Kind("shelters", Shelter, pgettext_lazy("类型列表", "避难场所"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("grade", "等级"), ("shelter_type", "类型"),
          ("capacity", "容纳人数"), ("occupancy", "当前安置人数"), ("area_m2", "有效面积(m²)"),
          ("facilities", "配套设施"), ("seismic_rating", "抗震设防"), *_PLACE, ("is_open", "开放"),
          ("manager", "管理人"), ("phone", "联系电话"), ("boundary", "范围(GeoJSON)")),
         required=("owner_unit", "code", "name", "grade", "capacity"), search=("name", "code", "address"),
         filters=("grade", "shelter_type", "is_open"), ordering={"code": "code", "capacity": "capacity"},
         map_on=True, hidden=_HIDDEN,
         status_field="is_open", status_colours={True: ("ok", _("开放")), False: ("off", _("未开放"))},
         symbol=Symbol("hexagon", "避", "#0f766e"),
         popup=("is_open", "grade", "shelter_type", "capacity", "occupancy", "owner_unit", "address", "manager",
                "phone"),
         display={"phone": _phone("phone")}),
    Kind("facilities", Facility, pgettext_lazy("类型列表", "医疗、运输与防护目标"),
         (_OWNER, ("code", "编号"), ("name", "名称"), ("kind", "类别"), ("subkind", "细分类型"), ("beds", "床位"),
          ("doctors", "医生"), ("nurses", "护士"), ("ambulances", "救护车"), ("vehicles", "车辆"),
          ("people", "容纳/在册人数"), ("capacity_note", "产能/能力说明"), _CAPS, *_PLACE, ("contact", "联系人"),
          ("phone", "联系电话")),
         required=("owner_unit", "code", "name", "kind"), search=("name", "code", "subkind"),
         filters=("kind", "subkind"), ordering={"code": "code", "name": "name", "people": "people"},
         hidden=_HIDDEN, status_field="kind", symbol=Symbol("pentagon", "设", "#475569"),
         popup=("kind", "subkind", "owner_unit", "beds", "ambulances", "vehicles", "people", "capabilities",
                "contact", "phone"),
         display={"phone": _phone("phone")}),
])
