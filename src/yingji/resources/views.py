"""Pages of the registry beyond the kernel's generic ones: the readiness dashboard, the resources map and the
stock / inspection actions posted from detail pages (the same services as the API)."""

from __future__ import annotations

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yingji.core import crud, permissions, web
from yingji.core import views as core_views
from yingji.core.errors import BadRequest, Conflict, NotFound, PermissionDenied, ValidationFailed
from yingji.core.kinds.geo import map_layers
from yingji.core.kinds.views import render_detail, tabs_for
from yingji.core.roles import Action
from yingji.core.widgets import iso_date_input
from yingji.resources import selectors, services
from yingji.resources.models import Equipment, MaterialItem, StockBatch, Warehouse
from yingji.resources.registry import KINDS


@login_required
def home(request):
    request.nav_key = "resources"
    within = web.within_unit(request)
    data = selectors.readiness(request.user, within)
    return render(request, "resources/home.html", {"r": data, "within": within, "tabs": tabs_for("resources"),
                                                   "home_url": reverse("resources:home"), "app": "resources",
                                                   "extra_tabs": apps.get_app_config("resources").extra_tabs()})


@login_required
def map_page(request):
    request.nav_key = "resources"
    # The platform's map page and script, with the towns for orientation and only the resource layers.
    layers = core_views.unit_layers({"town"}) + map_layers("resources")
    return render(request, "core/map.html", core_views.map_context(layers, _("资源地图")))


def action_form(user, obj, data=None):
    """The detail page's action form of a warehouse (receive), a batch (stock operations), an equipment item
    (inspection); None for other types. `data`: the posted input, kept when it comes back with errors."""
    form = {Warehouse: _ReceiveForm, StockBatch: _MoveForm, Equipment: _InspectionForm}.get(type(obj))
    return form(data, user=user, obj=obj) if form else None


def _material_choices() -> list[str]:
    """'1020201 瓶装饮用水' for every catalogue item stock can hold (the picker's suggestions)."""
    return [f"{code} {name}" for code, name in
            MaterialItem.objects.filter(level=4).order_by("code").values_list("code", "name")]


class _ActionForm(forms.Form):
    field_ops: dict = {}
    confirm_ops = ""
    datalist = None

    def __init__(self, *args, user=None, obj=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.obj = user, obj

    def add_service_error(self, exc) -> None:
        """A service's refusal under the field it names (`counted` is the quantity of a stock-take)."""
        details = exc.details if isinstance(exc.details, dict) else {}
        for name, msgs in details.items():
            name = {"counted": "quantity"}.get(name, name)
            for m in msgs if isinstance(msgs, list) else [msgs]:
                self.add_error(name if name in self.fields else None, str(m))
        if not details:
            self.add_error(None, exc.message)


class _ReceiveForm(_ActionForm):
    title = gettext_lazy("入库")
    item_code = forms.CharField(label=gettext_lazy("物资（编码或名称）"), max_length=120,
                           widget=forms.TextInput(attrs={"list": "material-list", "autocomplete": "off"}),
                           help_text=gettext_lazy("输入编码或名称，从列表中选择"))
    quantity = forms.DecimalField(label=gettext_lazy("数量"), max_digits=14, decimal_places=3, min_value=0)
    batch_no = forms.CharField(label=gettext_lazy("批次号"), max_length=60, required=False)
    min_quantity = forms.DecimalField(label=gettext_lazy("最低储备量"), max_digits=14, decimal_places=3, required=False,
                                      min_value=0)
    production_date = forms.DateField(label=gettext_lazy("生产日期"), required=False, widget=iso_date_input())
    expiry_date = forms.DateField(label=gettext_lazy("有效期至"), required=False, widget=iso_date_input())

    @property
    def datalist(self):
        return {"id": "material-list", "options": _material_choices()}

    def clean_item_code(self) -> MaterialItem:
        text = self.cleaned_data["item_code"].strip()
        code = text.split(" ", 1)[0]
        items = MaterialItem.objects.filter(level=4)
        found = items.filter(code=code).first() if code.isdigit() else None
        if found is None:
            name = text.split(" ", 1)[1].strip() if code.isdigit() and " " in text else text
            named = list(items.filter(name=name)[:2]) or list(items.filter(name__contains=name)[:2])
            if len(named) > 1:
                raise forms.ValidationError(_("“%(v)s”对应多个物资，请从列表中选择") % {"v": text})
            found = named[0] if named else None
        if found is None:
            raise forms.ValidationError(_("物资目录中没有“%(v)s”（只能入库第四层细类物资）") % {"v": text})
        return found


_QTY_OPS = "issue out adjust transfer"


class _MoveForm(_ActionForm):
    title = gettext_lazy("出入库操作")
    field_ops = {"quantity": _QTY_OPS, "incident_ref": "issue", "to_warehouse": "transfer",
                 "note": "issue out adjust transfer"}
    confirm_ops = "issue out transfer write_off"
    op = forms.ChoiceField(label=gettext_lazy("操作"), choices=[
        ("issue", gettext_lazy("事件调用")), ("out", gettext_lazy("出库")), ("adjust", gettext_lazy("盘点调整")),
        ("transfer", gettext_lazy("调拨")), ("write_off", gettext_lazy("过期报废"))])
    quantity = forms.DecimalField(label=gettext_lazy("数量"), max_digits=14, decimal_places=3, required=False,
                                  min_value=0, help_text=gettext_lazy("盘点调整时填写盘点后的实有数量"))
    incident_ref = forms.CharField(label=gettext_lazy("事件编号"), max_length=100, required=False)
    to_warehouse = forms.CharField(label=gettext_lazy("调入储备库（编号或名称）"), max_length=200, required=False,
                                   widget=forms.TextInput(attrs={"list": "warehouse-list", "autocomplete": "off"}))
    note = forms.CharField(label=gettext_lazy("备注"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        unit = self.obj.item.unit_of_measure if self.obj is not None else ""
        if unit:
            self.fields["quantity"].label = _("数量（%(u)s）") % {"u": unit}

    @property
    def datalist(self):
        qs = Warehouse.objects.restrict(self.user).exclude(pk=self.obj.warehouse_id).order_by("code")
        return {"id": "warehouse-list", "options": [f"{c} {n}" for c, n in qs.values_list("code", "name")[:500]]}

    def clean(self):
        d = super().clean()
        op = d.get("op")
        if op in _QTY_OPS.split() and d.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("请填写数量"))
        if op == "transfer":
            text = (d.get("to_warehouse") or "").strip()
            if not text:
                self.add_error("to_warehouse", _("请选择调入储备库"))
            else:
                visible = Warehouse.objects.restrict(self.user)
                target = visible.filter(code=text.split(" ", 1)[0]).first() or visible.filter(name=text).first()
                if target is None:
                    self.add_error("to_warehouse", _("找不到储备库“%(v)s”") % {"v": text})
                d["target"] = target
        return d


class _InspectionForm(_ActionForm):
    title = gettext_lazy("登记检查")
    inspected_on = forms.DateField(label=gettext_lazy("检查日期"), widget=iso_date_input())
    passed = forms.BooleanField(label=gettext_lazy("合格"), required=False, initial=True)
    inspector = forms.CharField(label=gettext_lazy("检查人"), max_length=50, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)


@login_required
@require_http_methods(["POST"])
def stock_action(request, key: str, pk: int):
    """Stock operations from the pages: receive into a warehouse; issue/out/adjust/transfer/write off a batch;
    record an equipment inspection. Each goes through the same service as the API. A refused form comes back
    with the input kept and each message under its field (422)."""
    kind = KINDS.get(key)
    if kind is None or kind.action_form is None:
        raise NotFound()
    obj = crud.get_for(request.user, kind.model, pk)
    if not permissions.can(request.user, Action.CHANGE, obj):
        raise PermissionDenied()
    form = action_form(request.user, obj, request.POST)
    if form is None:
        raise NotFound()
    if form.is_valid():
        d = form.cleaned_data
        try:
            if key == "warehouses":
                services.receive(request.user, obj, d["item_code"], d["quantity"], batch_no=d["batch_no"],
                                 production_date=d["production_date"], expiry_date=d["expiry_date"],
                                 min_quantity=d["min_quantity"])
            elif key == "stock":
                qty = d["quantity"] if d["quantity"] is not None else ""
                if d["op"] in ("issue", "out"):
                    services.issue(request.user, obj, qty, incident_ref=d["incident_ref"], note=d["note"],
                                   kind=d["op"])
                elif d["op"] == "adjust":
                    services.adjust(request.user, obj, qty, note=d["note"])
                elif d["op"] == "transfer":
                    services.transfer(request.user, obj, d["target"], qty, note=d["note"])
                else:
                    services.write_off_expired(request.user, obj)
            else:
                services.record_inspection(request.user, obj, **d)
        except (BadRequest, ValidationFailed, Conflict) as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("resources:detail", key=key, pk=pk)
    return render_detail(request, "resources", key, pk, action_form=form, status=422)
