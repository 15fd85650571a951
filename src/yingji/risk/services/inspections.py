"""Inspections (排查): a record answers its plan's checklist; recording one moves the plan's next due date."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import crud, timeline
from yingji.core.errors import ValidationFailed
from yingji.risk.models import Inspection, InspectionPlan

__all__ = ["record", "advance_plan", "clean_results"]


def clean_results(plan: InspectionPlan | None, results) -> dict:
    """[{item, ok, note}] — one answer per checklist item of the plan (every item answered)."""
    if not isinstance(results, list):
        raise ValidationFailed(details={"results": [_("应为检查项列表")]})
    out, errors = [], {}
    for i, row in enumerate(results):
        if not isinstance(row, dict) or not str(row.get("item") or "").strip() or not isinstance(row.get("ok"), bool):
            errors[f"results.{i}"] = [_("每项须有检查项名称 item 和结论 ok（是/否）")]
            continue
        out.append({"item": str(row["item"]).strip()[:200], "ok": row["ok"], "note": str(row.get("note") or "")[:500]})
    if plan is not None:
        missing = [item for item in plan.checklist or [] if item not in {r["item"] for r in out}]
        if missing:
            errors["results"] = [_("未填写的检查项：%(i)s") % {"i": "、".join(missing)}]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    return {"items": out}


def advance_plan(actor, inspection: Inspection, op: str) -> None:
    """A plan is next due its interval after the latest inspection under it."""
    if op == "delete" or inspection.plan_id is None:
        return
    plan = inspection.plan
    latest = Inspection.objects.filter(plan=plan).order_by("-inspected_on").values_list("inspected_on", flat=True)[0]
    due = latest + dt.timedelta(days=plan.interval_days or 30)
    if plan.next_due != due:
        crud.update(actor, plan, {"next_due": due})


def record(actor, *, plan: InspectionPlan | None, inspector: str, inspected_on: dt.date, results, findings: str = "",
           owner_unit=None, grid_cell=None, enterprise=None) -> Inspection:
    results = clean_results(plan, results)
    with transaction.atomic():
        owner = owner_unit or (plan.owner_unit if plan else None)
        row = Inspection(owner_unit=owner, plan=plan, grid_cell=grid_cell or (plan.grid_cell if plan else None),
                         enterprise=enterprise or (plan.enterprise if plan else None), inspector=inspector,
                         inspected_on=inspected_on, results=results, findings=findings)
        row = crud.create(actor, row)
        advance_plan(actor, row, "create")
        failed = sum(1 for r in results["items"] if not r["ok"])
        timeline.add(actor, row, "recorded", _("排查 %(n)s 项，%(f)s 项不合格") % {"n": len(results["items"]),
                                                                              "f": failed})
    return row
