"""Risk API at /api/v1/risk/: the GB 18218 calculator (no saving), grid-cell import from GeoJSON and the point →
cell lookup, the hidden-danger workflow, the four-colour map's polygon layers, the dashboard and the register;
then every type's generic endpoints (core/kinds/api.py). Thin: services decide, selectors read."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from yingji.core import crud
from yingji.core.api_utils import ERROR_RESPONSES
from yingji.core.errors import NotFound
from yingji.core.geojson import check_crs
from yingji.core.kinds.api import add_kind_routes
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.risk import calculator, export, selectors
from yingji.risk.models import HazardArea, HazardSource, HiddenDanger
from yingji.risk.registry import KINDS
from yingji.risk.schemas import (
    CalculatorIn,
    CalculatorOut,
    DangerOut,
    FeatureCollectionIn,
    GridCellOut,
    OrderIn,
    ReasonIn,
    RectifyIn,
    ReportIn,
    VerifyIn,
)
from yingji.risk.services import dangers, grid

router = Router(tags=["risk"])


@router.post("/gb18218", response={200: CalculatorOut, **ERROR_RESPONSES}, url_name="risk_gb18218",
             summary="GB 18218-2018 identification and grading of one unit, without saving")
def gb18218(request: HttpRequest, data: CalculatorIn):
    """Every fractional number is a decimal string exactly as `yingji.domain.standards.gb18218` computes it;
    a bad holding (unknown chemical, negative tonnes …) is a 422 naming it (`details["holdings.2.tonnes"]`)."""
    return calculator.evaluate(data.holdings, data.offsite_population)


@router.get("/sources/{int:pk}/gb18218", response={200: CalculatorOut, **ERROR_RESPONSES},
            url_name="risk_source_gb18218", summary="A hazard source's stored GB 18218 result, line by line")
def source_result(request: HttpRequest, pk: int):
    s = crud.get_for(request.auth, HazardSource, pk)
    return {"s": s.s_value or "0", "is_major": s.is_major, "alpha": s.alpha or None, "r": s.r_value or None,
            "grade": s.grade, "grade_label": s.get_grade_display() if s.grade else None, "lines": (s.calculation or {}).get("lines", [])}


@router.get("/sources/register", url_name="risk_register", summary="The 重大危险源 register as Excel")
def register(request: HttpRequest):
    return export.register_response(request.auth)


@router.post("/cells/import-geojson", response={200: dict, **ERROR_RESPONSES}, url_name="risk_cells_import",
             summary="Create grid cells from a GeoJSON FeatureCollection (all or nothing)")
def import_cells(request: HttpRequest, data: FeatureCollectionIn):
    return grid.import_cells(request.auth, data.dict())


@router.get("/cell-at", response={200: GridCellOut | None, **ERROR_RESPONSES}, url_name="risk_cell_at",
            summary="The grid cell holding a point (null outside every cell)")
def cell_at(request: HttpRequest, lat: float, lng: float):
    return selectors.grid_cell_at(lat, lng)


@router.get("/map/cells", url_name="risk_map_cells", summary="Grid cells coloured by the highest risk inside")
def map_cells(request: HttpRequest, crs: str = "wgs84"):
    return selectors.cells_geojson(request.auth, check_crs(crs))


@router.get("/map/communities", url_name="risk_map_communities",
            summary="Communities (the union of their cells) coloured by the highest risk inside")
def map_communities(request: HttpRequest, crs: str = "wgs84"):
    return selectors.communities_geojson(request.auth, check_crs(crs))


@router.get("/map/areas", url_name="risk_map_areas", summary="Hazard areas as polygons, by risk level")
def map_areas(request: HttpRequest, crs: str = "wgs84"):
    return selectors.areas_geojson(request.auth, check_crs(crs))


@router.get("/areas/{int:pk}/sensors", response={200: list[dict], **ERROR_RESPONSES}, url_name="risk_area_sensors",
            summary="The sensors watching a hazard area (from the monitoring module; [] without it)")
def area_sensors(request: HttpRequest, pk: int):
    return selectors.sensors_for(crud.get_for(request.auth, HazardArea, pk))


@router.get("/dashboard", response={200: dict, **ERROR_RESPONSES}, url_name="risk_dashboard",
            summary="Major hazard sources by grade, open hidden dangers by age, inspections overdue")
def dashboard(request: HttpRequest):
    return selectors.dashboard(request.auth)


def _danger(d: HiddenDanger) -> dict:
    return {**{f: getattr(d, f) for f in DangerOut.model_fields if f != "is_overdue"}, "is_overdue": d.is_overdue}


@router.post("/dangers/report", response={201: DangerOut, **ERROR_RESPONSES}, url_name="risk_danger_report",
             summary="Report a hidden danger (a grid officer, an enterprise's self-check)")
def report(request: HttpRequest, data: ReportIn):
    enterprise = crud.get_for(request.auth, OrgUnit, data.enterprise) if data.enterprise else None
    d = dangers.report(request.auth, name=data.name, lat=data.lat, lng=data.lng, description=data.description,
                       grade=data.grade, found_by=data.found_by, enterprise=enterprise,
                       hazard_types=data.hazard_types)
    return Status(201, _danger(d))


def _get(request, pk):
    return crud.get_for(request.auth, HiddenDanger, pk, Action.VIEW)


@router.post("/dangers/{int:pk}/order", response={200: DangerOut, **ERROR_RESPONSES}, url_name="risk_danger_order",
             summary="交办整改: a supervised Task to the responsible unit with a deadline")
def order(request: HttpRequest, pk: int, data: OrderIn):
    unit = OrgUnit.objects.filter(pk=data.responsible_unit, is_active=True).first()
    if unit is None:
        raise NotFound()
    return _danger(dangers.order(request.auth, _get(request, pk), responsible_unit=unit,
                                 responsible_person=data.responsible_person, deadline=data.deadline,
                                 order_text=data.order))


@router.post("/dangers/{int:pk}/rectify", response={200: DangerOut, **ERROR_RESPONSES},
             url_name="risk_danger_rectify", summary="整改完成: the responsible unit's account (evidence as attachments)")
def rectify(request: HttpRequest, pk: int, data: RectifyIn):
    return _danger(dangers.rectify(request.auth, _get(request, pk), text=data.text))


@router.post("/dangers/{int:pk}/verify", response={200: DangerOut, **ERROR_RESPONSES},
             url_name="risk_danger_verify", summary="验收: passed closes it (销号), failed sends it back")
def verify(request: HttpRequest, pk: int, data: VerifyIn):
    return _danger(dangers.verify(request.auth, _get(request, pk), passed=data.passed, note=data.note,
                                  new_deadline=data.new_deadline))


@router.post("/dangers/{int:pk}/cancel", response={200: DangerOut, **ERROR_RESPONSES},
             url_name="risk_danger_cancel", summary="撤销 a hidden danger (and its Task)")
def cancel(request: HttpRequest, pk: int, data: ReasonIn):
    return _danger(dangers.cancel(request.auth, _get(request, pk), data.reason))


for _kind in KINDS.values():
    add_kind_routes(router, _kind)
