"""The 重大危险源 register (重大危险源登记台账) as an Excel workbook: one row per major hazard source the user may
export, with its enterprise, location, grade, S and R exactly as computed, its chemicals and review date."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from yingji.core.roles import Action
from yingji.core.spreadsheet import safe_cell
from yingji.risk.models import ChemicalHolding, HazardSource

__all__ = ["register_rows", "register_response"]


def register_rows(user) -> tuple[list[str], list[list]]:
    header = [_("编号"), _("危险源名称"), _("企业"), _("单元类型"), _("所在镇街"), _("地址"), _("经度"), _("纬度"),
              _("等级"), _("S 值"), _("α"), _("R 值"), _("风险等级"), _("危险化学品及设计最大量（吨）"),
              _("厂界外500米常住人口"), _("下次评估日期")]
    qs = HazardSource.objects.restrict(user, Action.EXPORT).filter(is_major=True).select_related(
        "owner_unit", "town").order_by("grade", "code")
    sources = list(qs)
    holdings: dict[int, list[str]] = {}
    for h in ChemicalHolding.objects.filter(source__in=sources).order_by("source_id", "pk"):
        holdings.setdefault(h.source_id, []).append(f"{h.name or h.chemical or h.category} {format(h.tonnes.normalize(), 'f')}")
    rows = []
    for s in sources:
        rows.append([s.code, s.name, s.owner_unit.name, s.get_unit_type_display(), s.town.name if s.town_id else "",
                     s.address, s.lng, s.lat, s.get_grade_display() if s.grade else "", s.s_value, s.alpha, s.r_value,
                     s.get_risk_level_display() if s.risk_level else "", "；".join(holdings.get(s.pk, [])),
                     s.offsite_population, s.review_due.isoformat() if s.review_due else ""])
    return header, rows


def register_response(user) -> HttpResponse:
    header, rows = register_rows(user)
    wb = Workbook()
    ws = wb.active
    ws.title = _("重大危险源登记台账")[:31]
    ws.append([safe_cell(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMNOP", (14, 24, 28, 10, 12, 24, 11, 11, 8, 14, 6, 14, 10, 50, 10, 12),
                          strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    stamp = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="major-hazard-register-{stamp}.xlsx"'
    return response
