"""The unit ranking (on-time rate per lead and co-handling assignment, average scores, satisfaction, overdue count)
for a period, the task list as Excel, and the monthly supervision report as .xlsx and PDF. The PDF embeds a CJK
font shipped as a Python package (WenQuanYi Micro Hei, from `paperang-p2-fonts-cjk`), never a system font, so it
shows Chinese on a machine without any CJK font installed."""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import permissions
from yingji.core.roles import Action
from yingji.core.spreadsheet import safe_cell
from yingji.supervision.models import Assignment, AssignmentState, HandlingRole, Satisfaction, dimensions

__all__ = ["UnitFigures", "ranking", "tasks_xlsx", "report_xlsx", "report_pdf", "font_path"]

OPEN = (AssignmentState.ASSIGNED, AssignmentState.SIGNED, AssignmentState.IN_PROGRESS)


@dataclass
class UnitFigures:
    unit: str
    lead_total: int = 0
    lead_on_time: int = 0
    co_total: int = 0
    co_on_time: int = 0
    overdue: int = 0
    score_sums: dict[str, int] = field(default_factory=dict)
    scored: int = 0
    satisfaction: dict[str, int] = field(default_factory=dict)

    @staticmethod
    def _rate(n: int, d: int) -> float | None:
        return round(100.0 * n / d, 1) if d else None

    @property
    def lead_rate(self):
        return self._rate(self.lead_on_time, self.lead_total)

    @property
    def co_rate(self):
        return self._rate(self.co_on_time, self.co_total)

    @property
    def avg_scores(self) -> dict[str, float | None]:
        return {d: (round(self.score_sums.get(d, 0) / self.scored, 1) if self.scored else None)
                for d, _m in dimensions()}

    @property
    def satisfied_rate(self):
        total = sum(self.satisfaction.values())
        ok = self.satisfaction.get(Satisfaction.SATISFIED, 0) + self.satisfaction.get(Satisfaction.BASIC, 0)
        return self._rate(ok, total)


def ranking(user, start: dt.date, end: dt.date, today: dt.date | None = None) -> list[UnitFigures]:
    """Figures per handling unit for assignments due in [start, end]. An assignment counts once its outcome is
    known: replied (on time when replied on or before its deadline, local date) or still open past its deadline
    (late). The requester's scores and satisfaction count for the lead unit."""
    today = today or timezone.localdate()
    qs = Assignment.objects.all()
    if user is not None:  # None: the system itself (jobs, the demo)
        qs = permissions.restrict(qs, user, Action.VIEW)
    qs = qs.filter(
        deadline__gte=start, deadline__lte=end).exclude(state__in=(AssignmentState.CANCELLED, AssignmentState.RETURNED)
                                                       ).select_related("owner_unit", "task")
    figures: dict[int, UnitFigures] = {}
    for a in qs:
        f = figures.setdefault(a.owner_unit_id, UnitFigures(a.owner_unit.name))
        if a.replied_at is not None:
            on_time = timezone.localdate(a.replied_at) <= a.deadline
        elif a.state in OPEN and a.deadline < today:
            on_time = False
        else:
            continue  # not yet due: no outcome
        if a.role == HandlingRole.LEAD:
            f.lead_total += 1
            f.lead_on_time += on_time
            if a.task.satisfaction:
                f.scored += 1
                for d, v in a.task.scores.items():
                    f.score_sums[d] = f.score_sums.get(d, 0) + int(v)
                f.satisfaction[a.task.satisfaction] = f.satisfaction.get(a.task.satisfaction, 0) + 1
        else:
            f.co_total += 1
            f.co_on_time += on_time
        f.overdue += not on_time
    rows = list(figures.values())
    key = lambda f: (-(f.lead_on_time + f.co_on_time) / max(1, f.lead_total + f.co_total), f.overdue, f.unit)  # noqa: E731
    return sorted(rows, key=key)


def _pct(v) -> str:
    return "—" if v is None else f"{v:.1f}%"


def _ranking_table(rows: list[UnitFigures]) -> tuple[list[str], list[list]]:
    dims = [d for d, _m in dimensions()]
    head = [_("单位"), _("主办件数"), _("主办按时办结率"), _("协办件数"), _("协办按时办结率"), _("超期件数"),
            *[_("平均%(d)s") % {"d": d} for d in dims], _("满意率")]
    body = [[f.unit, f.lead_total, _pct(f.lead_rate), f.co_total, _pct(f.co_rate), f.overdue,
             *["—" if f.avg_scores[d] is None else f.avg_scores[d] for d in dims], _pct(f.satisfied_rate)]
            for f in rows]
    return head, body


def tasks_xlsx(tasks) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("督办任务")
    ws.append([_("编号"), _("标题"), _("状态"), _("交办单位"), _("主办单位"), _("主办期限"), _("主办结果"),
               _("协办单位"), _("满意度"), _("演练")])
    for t in tasks:
        lead = t.lead
        cos = [a for a in t.co_handlers if a.state != AssignmentState.CANCELLED]
        ws.append([safe_cell(t.reference), safe_cell(t.title), str(t.get_state_display()),
                   t.requester_unit.name, lead.owner_unit.name if lead else "", lead.deadline if lead else None,
                   str(lead.result_code) if lead and lead.result_code_id else "",
                   "；".join(f"{a.owner_unit.name}（{a.deadline}）" for a in cos),
                   str(t.get_satisfaction_display()) if t.satisfaction else "", _("演练") if t.is_exercise else ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def report_xlsx(user, start: dt.date, end: dt.date, label: str) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = _("单位排名")
    ws.append([_("督查督办月报") + f" {label}"])
    head, body = _ranking_table(ranking(user, start, end))
    ws.append(head)
    for row in body:
        ws.append([safe_cell(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def font_path() -> str:
    import paperang_p2_fonts_cjk

    return os.path.join(os.path.dirname(paperang_p2_fonts_cjk.__file__), "fonts", "wqy-microhei.ttc")


def report_pdf(user, start: dt.date, end: dt.date, label: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_font("cjk", fname=font_path(), collection_font_number=0)
    pdf.add_page()
    pdf.set_font("cjk", size=16)
    pdf.cell(0, 10, _("督查督办月报") + f"  {label}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, _("统计期间：%(s)s 至 %(e)s（按办理期限）") % {"s": start, "e": end}, new_x="LMARGIN", new_y="NEXT")
    head, body = _ranking_table(ranking(user, start, end))
    widths = [60] + [(277 - 60) / (len(head) - 1)] * (len(head) - 1)
    pdf.set_font("cjk", size=8)
    for row in [head, *body]:
        for w, value in zip(widths, row, strict=True):
            pdf.cell(w, 7, str(value)[:40], border=1)
        pdf.ln()
    if not body:
        pdf.cell(0, 8, _("本期没有到期的督办事项"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
