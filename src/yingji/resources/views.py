"""Pages: the readiness dashboard, list/filter/detail/edit/import per resource type, the resources map."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yingji.core import crud, permissions, web
from yingji.core import selectors as core_selectors
from yingji.core import views as core_views
from yingji.core.errors import BadRequest, Conflict, NotFound, ValidationFailed, YingjiError
from yingji.core.models import AuditEntry, OrgUnit
from yingji.core.roles import Action
from yingji.resources import importers, selectors, services
from yingji.resources.geo import map_layers
from yingji.resources.models import Capability, MaterialItem, Warehouse
from yingji.resources.registry import KINDS, kind_for

_LIST_KINDS = ["warehouses", "stock", "teams", "members", "equipment", "experts", "shelters", "facilities",
               "materials", "capabilities", "movements"]


def _tabs(current: str) -> list[dict]:
    return [{"key": k, "label": KINDS[k].label, "active": k == current} for k in _LIST_KINDS]


def _filters(request, kind) -> selectors.Filters:
    g = request.GET
    within = web.within_unit(request)
    near = selectors.parse_point(g["near"]) if g.get("near") else None
    radius = float(g["radius_km"]) if g.get("radius_km") else None
    return selectors.Filters(
        within=within, q=g.get("q") or None, capability=g.get("capability") or None if kind.capable else None,
        exact={n: g[n] for n in kind.filters if g.get(n)}, near=near if kind.geo else None, radius_km=radius,
        below_min=g.get("below_min") == "1" and kind.key == "stock",
        expiring_days=int(g["expiring_days"]) if g.get("expiring_days", "").isdigit() and kind.key == "stock"
        else None, overdue=g.get("overdue") == "1" and kind.key == "equipment")


@login_required
def home(request):
    request.nav_key = "resources"
    within = web.within_unit(request)
    data = selectors.readiness(request.user, within)
    return render(request, "resources/home.html", {"r": data, "within": within, "tabs": _tabs("")})


@login_required
def resource_list(request, key: str):
    request.nav_key = "resources"
    kind = kind_for(key)
    error = None
    try:
        qs, distances = selectors.search(request.user, kind, _filters(request, kind))
    except (BadRequest, ValueError) as exc:
        error = getattr(exc, "message", str(exc))
        qs, distances = kind.model.objects.none(), None
    related = [n for n, _h in kind.columns if kind.model._meta.get_field(n).is_relation]
    qs = qs.select_related(*related).order_by(*(kind.model._meta.ordering or ["pk"]))
    if distances:
        # Nearest first: sort the (few) ids by distance and page over them.
        ordered = sorted(distances, key=distances.get)
        page = web.page_of(request, ordered)
        found = qs.in_bulk(list(page.object_list))
        page.object_list = [found[pk] for pk in page.object_list if pk in found]
    else:
        page = web.page_of(request, qs)
    columns = _display_columns(kind)
    rows = [(obj, [_display_cell(obj, n) for n, _h in columns],
             round(distances[obj.pk] / 1000, 2) if distances else None) for obj in page.object_list]
    filter_choices = []
    for name in kind.filters:
        f = kind.model._meta.get_field(name)
        if f.choices:
            filter_choices.append((name, f.verbose_name, list(f.choices)))
    return render(request, "resources/list.html", {
        "kind": kind, "tabs": _tabs(key), "page": page, "rows": rows, "columns": columns, "error": error,
        "filter_choices": filter_choices, "capabilities": Capability.objects.all() if kind.capable else None,
        "query": request.GET.urlencode(),
        "can_add": kind.writable and permissions.can(request.user, Action.ADD, kind.model),
        "can_import": kind.importable and permissions.can(request.user, Action.IMPORT, kind.model),
    })


_HIDDEN = {"address", "qualifications", "major_rescues", "description", "hazard_types", "facilities", "boundary",
           "owner_unit", "specification", "capacity_note", "certificates"}


def _display_columns(kind) -> list[tuple[str, str]]:
    """Name (or code) first so it carries the link, the owner unit last, long text left out."""
    cols = [(n, h) for n, h in kind.columns if n not in _HIDDEN]
    first = next((c for c in cols if c[0] == "name"), None)
    if first:
        cols.remove(first)
        cols.insert(0, first)
    cols = cols[:8]
    if any(n == "owner_unit" for n, _h in kind.columns):
        cols.append(("owner_unit", ""))
    return [(n, kind.model._meta.get_field(n).verbose_name) for n, _h in cols]


def _display_cell(obj, name: str):
    """Like the export cell, but units by name (export uses codes so that it re-imports)."""
    if name == "owner_unit":
        return obj.owner_unit.name
    if obj._meta.get_field(name).is_relation:
        related = getattr(obj, name)
        return getattr(related, "name", None) or str(related or "")
    value = getattr(obj, name)
    if isinstance(value, bool):  # the export writes 是/否 for re-import; the page speaks the user's language
        return _("是") if value else _("否")
    return importers._cell(obj, name)


_CHILDREN = {"warehouses": [("stock", "warehouse")], "teams": [("members", "team"), ("equipment", "team")],
             "equipment": [("inspections", "equipment")], "stock": [("movements", "batch")],
             "materials": [("stock", "item")]}


@login_required
def resource_detail(request, key: str, pk: int):
    request.nav_key = "resources"
    kind = kind_for(key)
    obj = crud.get_for(request.user, kind.model, pk)
    facts = [(kind.model._meta.get_field(n).verbose_name, _display_cell(obj, n)) for n, _h in kind.columns
             if n not in ("owner_unit", "boundary")]
    children = []
    for child_key, fk in _CHILDREN.get(key, []):
        child = KINDS[child_key]
        cols = [c for c in _display_columns(child) if c[0] != fk][:8]
        related = [n for n, _h in cols if child.model._meta.get_field(n).is_relation]
        items = child.model.objects.filter(**{fk: obj}).select_related(*related)[:200]
        children.append({"kind": child, "columns": cols,
                         "rows": [(c, [_display_cell(c, n) for n, _h in cols]) for c in items]})
    can_audit = permissions.can(request.user, Action.AUDIT, AuditEntry, unit=obj.owner_unit)
    history = None
    if can_audit:
        history = list(core_selectors.object_history(request.user, obj)[:50])
    forms_by_key = {"warehouses": _ReceiveForm, "stock": _MoveForm, "equipment": _InspectionForm}
    action_form = None
    if key in forms_by_key and permissions.can(request.user, Action.CHANGE, obj):
        action_form = forms_by_key[key]()
    return render(request, "resources/detail.html", {
        "kind": kind, "obj": obj, "facts": facts, "children": children, "history": history, "tabs": _tabs(key),
        "can_change": kind.writable and permissions.can(request.user, Action.CHANGE, obj),
        "action_form": action_form,
    })


def _form_class(kind):
    fields = [n for n, _h in kind.columns]
    widgets = {n: forms.DateInput(attrs={"type": "date"}) for n in fields
               if kind.model._meta.get_field(n).get_internal_type() == "DateField"}
    return forms.modelform_factory(kind.model, fields=fields, widgets=widgets)


@login_required
@require_http_methods(["GET", "POST"])
def resource_edit(request, key: str, pk: int | None = None):
    request.nav_key = "resources"
    kind = kind_for(key)
    if not kind.writable:
        raise NotFound()
    obj = crud.get_for(request.user, kind.model, pk, Action.CHANGE) if pk else None
    form_class = _form_class(kind)
    form = form_class(request.POST or None, instance=kind.model.objects.get(pk=obj.pk) if obj else None)
    if "owner_unit" in form.fields:
        # Only units the user may add this type for (their subtrees), so the choice cannot be refused later.
        paths = permissions.scopes(request.user, kind.otype, Action.CHANGE if obj else Action.ADD)
        units = OrgUnit.objects.filter(is_active=True)
        if paths is not None:
            cond = Q()
            for p in paths:
                cond |= Q(path__startswith=p)
            units = units.filter(cond) if paths else units.none()
        form.fields["owner_unit"].queryset = units.order_by("path")
    if request.method == "POST" and form.is_valid():
        try:
            if obj is None:
                fields = {f: form.cleaned_data[f] for f in form.fields}
                obj = services.create(request.user, kind.model, fields)
            else:
                services.update(request.user, obj, {f: form.cleaned_data[f] for f in form.changed_data})
        except YingjiError as exc:
            form.add_error(None, exc.message)
            for field, errs in (exc.details or {}).items() if isinstance(exc.details, dict) else []:
                for err in errs if isinstance(errs, list) else [errs]:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("已保存"))
            return redirect("resources:detail", key=key, pk=obj.pk)
    return render(request, "resources/edit.html", {"kind": kind, "obj": obj, "form": form, "tabs": _tabs(key)})


@login_required
@require_http_methods(["GET", "POST"])
def resource_import(request, key: str):
    request.nav_key = "resources"
    kind = kind_for(key)
    if not kind.importable:
        raise NotFound()
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择文件")
        else:
            try:
                report = importers.import_file(request.user, kind, upload.name, upload.read())
            except YingjiError as exc:
                error = exc.message
            else:
                if report.ok:
                    messages.success(request, _("导入成功：%(n)s 行") % {"n": report.created})
    status = 422 if (report is not None and not report.ok) or error else 200
    return render(request, "resources/import.html", {"kind": kind, "report": report, "error": error,
                                                     "tabs": _tabs(key)}, status=status)


@login_required
def map_page(request):
    request.nav_key = "resources"
    # The platform's map page and script, with the towns for orientation and only the resource layers.
    layers = core_views.unit_layers({"town"}) + map_layers()
    return render(request, "core/map.html", {"layers": layers, "title": _("资源地图")})


class _ReceiveForm(forms.Form):
    item_code = forms.CharField(label=gettext_lazy("物资编码"), max_length=7)
    quantity = forms.DecimalField(label=gettext_lazy("数量"), max_digits=14, decimal_places=3)
    batch_no = forms.CharField(label=gettext_lazy("批次号"), max_length=60, required=False)
    min_quantity = forms.DecimalField(label=gettext_lazy("最低储备量"), max_digits=14, decimal_places=3, required=False)
    production_date = forms.DateField(label=gettext_lazy("生产日期"), required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))
    expiry_date = forms.DateField(label=gettext_lazy("有效期至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class _MoveForm(forms.Form):
    op = forms.ChoiceField(choices=[("issue", gettext_lazy("事件调用")), ("out", gettext_lazy("出库")), ("adjust", gettext_lazy("盘点调整")),
                                    ("transfer", gettext_lazy("调拨")), ("write_off", gettext_lazy("过期报废"))])
    quantity = forms.DecimalField(label=gettext_lazy("数量"), max_digits=14, decimal_places=3, required=False)
    incident_ref = forms.CharField(label=gettext_lazy("事件编号"), max_length=100, required=False)
    to_warehouse = forms.CharField(label=gettext_lazy("调入储备库编号"), max_length=40, required=False)
    note = forms.CharField(label=gettext_lazy("备注"), max_length=300, required=False)


class _InspectionForm(forms.Form):
    inspected_on = forms.DateField(label=gettext_lazy("检查日期"), widget=forms.DateInput(attrs={"type": "date"}))
    passed = forms.BooleanField(label=gettext_lazy("合格"), required=False, initial=True)
    inspector = forms.CharField(label=gettext_lazy("检查人"), max_length=50, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


def _report_error(request, exc: YingjiError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    extra = "；".join(str(m) for msgs in details.values() for m in (msgs if isinstance(msgs, list) else [msgs]))
    messages.error(request, f"{exc.message}{('：' + extra) if extra and extra not in exc.message else ''}")


@login_required
@require_http_methods(["POST"])
def stock_action(request, key: str, pk: int):
    """Stock operations from the pages: receive into a warehouse; issue/out/adjust/transfer/write off a batch;
    record an equipment inspection. Each goes through the same service as the API."""
    kind = kind_for(key)
    obj = crud.get_for(request.user, kind.model, pk)
    try:
        if key == "warehouses":
            form = _ReceiveForm(request.POST)
            if not form.is_valid():
                raise BadRequest(details={f: list(e) for f, e in form.errors.items()})
            item = MaterialItem.objects.filter(code=form.cleaned_data["item_code"], level=4).first()
            if item is None:
                raise BadRequest(_("未知的物资编码"), code="unknown_item")
            d = form.cleaned_data
            services.receive(request.user, obj, item, d["quantity"], batch_no=d["batch_no"],
                             production_date=d["production_date"], expiry_date=d["expiry_date"],
                             min_quantity=d["min_quantity"])
        elif key == "stock":
            form = _MoveForm(request.POST)
            if not form.is_valid():
                raise BadRequest(details={f: list(e) for f, e in form.errors.items()})
            d = form.cleaned_data
            qty = d["quantity"] if d["quantity"] is not None else ""
            if d["op"] in ("issue", "out"):
                services.issue(request.user, obj, qty, incident_ref=d["incident_ref"], note=d["note"], kind=d["op"])
            elif d["op"] == "adjust":
                services.adjust(request.user, obj, qty, note=d["note"])
            elif d["op"] == "transfer":
                target = Warehouse.objects.filter(code=d["to_warehouse"]).first()
                if target is None:
                    raise BadRequest(_("找不到调入储备库"), code="unknown_warehouse")
                services.transfer(request.user, obj, target, qty, note=d["note"])
            else:
                services.write_off_expired(request.user, obj)
        elif key == "equipment":
            form = _InspectionForm(request.POST)
            if not form.is_valid():
                raise BadRequest(details={f: list(e) for f, e in form.errors.items()})
            services.record_inspection(request.user, obj, **form.cleaned_data)
        else:
            raise NotFound()
    except (BadRequest, ValidationFailed, Conflict) as exc:
        _report_error(request, exc)
    else:
        messages.success(request, _("已保存"))
    return redirect("resources:detail", key=key, pk=pk)
