"""Generic pages of registered types: list (filters, paging, nearest first), detail (facts, child tables,
attachments, history, the type's action form), create/edit form and import. An app mounts them with
`kind_urls()`; every read goes through selectors and restrict(), every write through services."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from yingji.core import attachments, crud, permissions, privacy, selectors, vocabulary, web
from yingji.core.errors import BadRequest, NotFound, PermissionDenied, YingjiError
from yingji.core.kinds import importer, search, services
from yingji.core.kinds.registry import Kind, kind_for, kind_of_model, kinds_of
from yingji.core.kinds.schemas import filter_schema
from yingji.core.models import AuditEntry
from yingji.core.roles import Action
from yingji.core.widgets import (
    CapabilityField,
    HazardField,
    JSONTextField,
    ListTextField,
    iso_date_input,
    join_words,
)

__all__ = ["kind_urls", "tabs_for", "display_cell", "report_error", "render_detail", "parse_location",
           "plain_number"]


def tabs_for(app: str, current: str = "") -> list[dict]:
    config = apps.get_app_config(app)
    keys = getattr(config, "kind_tabs", None) or list(kinds_of(app))
    table = kinds_of(app)
    return [{"key": k, "label": table[k].label, "active": k == current,
             "url": reverse(f"{app}:list", args=[k])} for k in keys]


def _context(request, kind: Kind | None, app: str, **extra) -> dict:
    request.nav_key = app
    config = apps.get_app_config(app)
    return {"kind": kind, "app": app, "tabs": tabs_for(app, kind.key if kind else ""),
            "home_url": reverse(config.home_url) if getattr(config, "home_url", None) else None,
            "extra_tabs": getattr(config, "extra_tabs", lambda: [])(), **extra}


def _float(text: str | None, name: str) -> float | None:
    if not text:
        return None
    try:
        value = float(text.strip().replace("，", ".").replace(",", "."))
    except ValueError:
        raise BadRequest(_("%(name)s 不是有效的数字") % {"name": name}) from None
    if not (0 < value <= 1000):
        raise BadRequest(_("半径须在 0~1000 公里之间"))
    return value


def parse_location(text: str) -> tuple[float, float]:
    """'113.3, 23.1' (longitude first, as the API and the maps of China write it) → (lng, lat). Accepts the
    full-width comma, 、 and spaces between the numbers; numbers in the other order are refused with the
    corrected text, so nobody searches around a point in the sea."""
    raw = text.strip()
    cleaned = raw
    for sep in ("，", "、", "；", ";", "\u3000", " "):
        cleaned = cleaned.replace(sep, ",")
    parts = [p for p in cleaned.split(",") if p]
    example = _("位置应为“经度, 纬度”两个数，例如 113.3, 23.1")
    try:
        lng, lat = (float(p) for p in parts)
    except ValueError:
        raise BadRequest(example) from None
    if not (math.isfinite(lng) and math.isfinite(lat)):
        raise BadRequest(example)
    if abs(lng) <= 90 < abs(lat) <= 180:
        raise BadRequest(_("“%(text)s”看起来是“纬度, 经度”：请按“经度, 纬度”填写，即 %(lng)s, %(lat)s") % {
            "text": raw, "lng": parts[1], "lat": parts[0]})
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise BadRequest(_("位置超出范围：经度应在 -180~180 之间，纬度应在 -90~90 之间"))
    return lng, lat


def _filters(request, kind: Kind) -> search.Filters:
    g = request.GET
    # Numbers and text lengths are read through the API's own filter schema, so a page refuses exactly what
    # the API refuses (radius_km=inf, expiring_days=9999999999, a 100,000-character q), with a message.
    labels = {"radius_km": _("半径（公里，0~1000）"), "q": _("搜索文字（最多 200 字）"),
              **{fl.name: str(fl.label) for fl in kind.flags if fl.type is not bool}}
    try:
        web.query_params(request, filter_schema(kind), tuple(labels))
    except BadRequest as exc:  # name the fields in words, never the parameter names
        named = "、".join(str(labels.get(n, n)) for n in (exc.details or {}))
        error = BadRequest(_("查询参数有误：%(names)s") % {"names": named}, code="bad_query")
        error.field = next(iter(exc.details or {}), None)
        raise error from None
    flags = {}
    for fl in kind.flags:
        raw = g.get(fl.name, "")
        if fl.type is bool:
            flags[fl.name] = raw == "1"
        elif raw.isdigit() and len(raw) <= 5:
            flags[fl.name] = min(int(raw), fl.maximum)
    try:
        near = parse_location(g["near"]) if g.get("near", "").strip() and kind.geo else None
    except BadRequest as exc:
        exc.field = "near"
        raise
    try:
        radius = _float(g.get("radius_km"), _("半径"))
        if near is not None and radius is None:
            raise BadRequest(_("按位置筛选时请填写半径（公里）"))
    except BadRequest as exc:
        exc.field = "radius_km"
        raise
    return search.Filters(
        within=web.within_unit(request), q=(g.get("q") or "")[:100] or None,
        capability=g.get("capability") or None if kind.capable else None,
        hazard=g.get("hazard") or None if kind.hazard_tagged else None,
        exact=_exact(kind, g), near=near, radius_km=radius, flags=flags)


def _exact(kind: Kind, g) -> dict:
    """The type's exact-match filters, each value checked against its field so a bad one is named in words
    (a reference is matched by id; `是`/`否` and 1/0 for yes/no fields)."""
    out = {}
    for name in kind.filters:
        raw = (g.get(name) or "").strip()
        if not raw:
            continue
        f = kind.model._meta.get_field(name)
        target = f.target_field if f.is_relation else f
        try:
            value = target.to_python(raw)
        except ValidationError:
            exc = BadRequest(_("“%(v)s”不是有效的%(field)s") % {"v": raw[:40], "field": f.verbose_name})
            exc.field = name
            raise exc from None
        out[name] = value
    return out


def display_columns(kind: Kind) -> list[tuple[str, str]]:
    """The type's `list_columns`, or: name (or code) first so it carries the link, the owner unit last, long
    text left out."""
    if kind.list_columns:
        return [(c, kind.model._meta.get_field(c).verbose_name) if isinstance(c, str) else tuple(c)
                for c in kind.list_columns]
    cols = [(n, h) for n, h in kind.columns if n not in kind.hidden]
    first = next((c for c in cols if c[0] == "name"), None)
    if first:
        cols.remove(first)
        cols.insert(0, first)
    cols = cols[:8]
    out = [(n, kind.model._meta.get_field(n).verbose_name) for n, _h in cols]
    if any(n == "owner_unit" for n, _h in kind.columns):
        out.append(("owner_unit", kind.model._meta.get_field("owner_unit").verbose_name))
    return out


def plain_number(value) -> str:
    """120 and 246.5 — never 1.2E+2 or 246.000."""
    if value is None or value == "":
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _capability_text(caps: dict | None) -> str:
    table = vocabulary.capability_names()
    parts = []
    for code, qty in sorted((caps or {}).items()):
        row = table.get(code)
        name, unit = (row["name"], row["quantity_unit"]) if row else (code, "")
        parts.append(f"{name} {plain_number(Decimal(str(qty)))}{(' ' + unit) if unit else ''}"
                     if qty not in (None, "") else name)
    return join_words(parts)


def display_cell(obj, name: str, kind: Kind | None = None):
    """Like the export cell, but units by name (export uses codes so that it re-imports), the type's own
    renderers (`Kind.display`), and booleans, lists, numbers and times in the user's language."""
    hook = (kind or kind_of_model(type(obj))).display.get(name)
    if hook is not None:
        return hook(obj)
    if name == "owner_unit":
        return obj.owner_unit.name
    if name == "hazard_types":
        names = vocabulary.hazard_names()
        return join_words(names.get(c, c) for c in obj.hazard_types or [])
    if name == "capabilities":
        return _capability_text(obj.capabilities)
    f = obj._meta.get_field(name)
    if f.is_relation:
        related = getattr(obj, name)
        return getattr(related, "name", None) or str(related or "")
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if f.choices:
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, list):
        return join_words(value)
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return plain_number(value)
    return importer.cell(obj, name)


@login_required
def kind_list(request, app: str, key: str):
    kind = kind_for(app, key)
    error = error_field = None
    try:
        filters = _filters(request, kind)
        qs, distances = search.search(request.user, kind, filters)
    except BadRequest as exc:
        error, error_field = exc.message, getattr(exc, "field", None)
        qs, distances, filters = kind.model.objects.none(), None, None
    qs = qs.select_related(*kind.select_related).order_by(*(kind.model._meta.ordering or ["pk"]))
    if kind.dispatchable:
        qs = kind.model.with_availability(qs)
    if distances:
        ordered = sorted(distances, key=distances.get)  # nearest first: page over the (few) ids
        page = web.page_of(request, ordered)
        found = qs.in_bulk(list(page.object_list))
        page.object_list = [found[pk] for pk in page.object_list if pk in found]
    else:
        page = web.page_of(request, qs)
    columns = display_columns(kind)
    rows = [(obj, [display_cell(obj, n, kind) for n, _h in columns],
             round(distances[obj.pk] / 1000, 2) if distances else None)
            for obj in privacy.redacted(request.user, page.object_list)]
    filter_choices = [(n, kind.model._meta.get_field(n).verbose_name, list(kind.model._meta.get_field(n).choices))
                      for n in kind.filters if kind.model._meta.get_field(n).choices]
    query = request.GET.copy()
    query.pop("page", None)
    flag_values = (filters.flags if filters else None) or {}
    int_flags = [(fl.name, flag_values[fl.name]) for fl in kind.flags if fl.type is int and flag_values.get(fl.name)]
    active_flags = [f"{fl.label}{pgettext('标签后的冒号', '：')}{v}" for fl in kind.flags for n, v in int_flags
                    if fl.name == n]
    return render(request, "core/kinds/list.html", _context(
        request, kind, app, page=page, rows=rows, columns=columns, error=error, error_field=error_field,
        filter_choices=filter_choices, distances=bool(distances), int_flags=int_flags, active_flags=active_flags,
        extra_cols=int(kind.dispatchable) + int(bool(distances)),
        capabilities=vocabulary.capability_names().items() if kind.capable else None,
        hazards=vocabulary.hazard_tree() if kind.hazard_tagged else None, query=query.urlencode(),
        api_base=f"/api/v1/{app}/{kind.key}", bool_flags=[fl for fl in kind.flags if fl.type is bool],
        can_add=kind.writable and permissions.can(request.user, Action.ADD, kind.model),
        can_import=kind.importable and permissions.can(request.user, Action.IMPORT, kind.model)))


@login_required
def kind_detail(request, app: str, key: str, pk: int):
    return render_detail(request, app, key, pk)


def render_detail(request, app: str, key: str, pk: int, *, action_form=None, status: int = 200):
    """The detail page; `action_form` is a bound form posted back with errors (kept input, named fields)."""
    kind = kind_for(app, key)
    qs = kind.model.with_availability(kind.model.objects.all()) if kind.dispatchable else None
    obj = crud.get_for(request.user, kind.model, pk)
    if qs is not None:
        obj = qs.select_related(*kind.select_related).get(pk=obj.pk)
    obj = privacy.redact(request.user, [obj])[0]
    facts = [(kind.model._meta.get_field(n).verbose_name, display_cell(obj, n, kind)) for n, _h in kind.columns
             if n not in ("owner_unit", "boundary")]
    facts += [(h, display_cell(obj, n, kind)) for n, h in display_columns(kind)
              if n not in dict(kind.columns) and n != "owner_unit"]
    if kind.dispatchable:
        facts.insert(0, (_("可调用状态"), obj.get_availability_display()))
    if kind.geo and getattr(obj, "town_id", None):
        facts.append((_("所在镇街"), obj.town.name))
    table = kinds_of(app)
    children = []
    for child_key, fk in kind.children:
        child = table[child_key]
        # The parent's column is left out, unless it is the first and rendered to name the row (a batch).
        cols = [c for i, c in enumerate(display_columns(child)) if c[0] != fk or (i == 0 and fk in child.display)][:8]
        items = child.model.objects.filter(**{fk: obj}).select_related(*child.select_related)[:200]
        children.append({"kind": child, "columns": cols, "linked": child.writable or child.importable,
                         "rows": [(c, [display_cell(c, n, child) for n, _h in cols])
                                  for c in privacy.redacted(request.user, items)]})
    history = None
    if permissions.can(request.user, Action.AUDIT, AuditEntry, unit=obj.owner_unit):
        history = list(selectors.object_history(request.user, obj)[:50])
    can_change = permissions.can(request.user, Action.CHANGE, obj)
    if action_form is None and kind.action_form and can_change:
        action_form = kind.action_form(request.user, obj)
    return render(request, "core/kinds/detail.html", _context(
        request, kind, app, obj=obj, facts=facts, children=children, history=history,
        can_change=kind.writable and can_change, can_attach=can_change, action_form=action_form,
        files=list(attachments.for_subject(request.user, obj)[:50])), status=status)


def _formfield(f: models.Field, **kwargs):
    """The generic form's field for a model field: vocabularies as pickers, lists as words, ISO dates."""
    common = {"label": f.verbose_name, "required": not f.blank}
    if f.name == "capabilities" and isinstance(f, models.JSONField):
        return CapabilityField(**common)
    if f.name == "hazard_types" and isinstance(f, models.JSONField):
        return HazardField(**common)
    if isinstance(f, models.JSONField) and isinstance(f.get_default(), list):
        return ListTextField(**common)
    if isinstance(f, models.JSONField):  # a boundary, say: hostile text is a field error, never a 500
        return f.formfield(form_class=JSONTextField, **kwargs)
    if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField):
        return f.formfield(widget=iso_date_input(), **kwargs)
    if isinstance(f, models.URLField):  # an address typed without a scheme is taken as https (Django 6's default)
        return f.formfield(assume_scheme="https", **kwargs)
    return f.formfield(**kwargs)


def _form_class(kind: Kind):
    return forms.modelform_factory(kind.model, fields=list(kind.input_fields), formfield_callback=_formfield)


@login_required
@require_http_methods(["GET", "POST"])
def kind_edit(request, app: str, key: str, pk: int | None = None):
    kind = kind_for(app, key)
    if not kind.writable:
        raise NotFound()
    obj = crud.get_for(request.user, kind.model, pk, Action.CHANGE) if pk else None
    if obj is None and not permissions.can(request.user, Action.ADD, kind.model):
        raise PermissionDenied()
    form = _form_class(kind)(request.POST or None, instance=kind.model.objects.get(pk=obj.pk) if obj else None)
    if "owner_unit" in form.fields:
        # Only units the user may add this type for, so the choice cannot be refused later.
        units = permissions.units_for(request.user, kind.otype, Action.CHANGE if obj else Action.ADD)
        form.fields["owner_unit"].queryset = units.order_by("path")
    if request.method == "POST" and form.is_valid():
        try:
            if obj is None:
                fields = {f: form.cleaned_data[f] for f in form.fields}
                obj = services.create(request.user, kind, fields)
            elif form.changed_data:  # an unchanged form writes nothing (no cleaning of old values behind the user)
                services.update(request.user, kind, obj, {f: form.cleaned_data[f] for f in form.changed_data})
        except YingjiError as exc:
            form.add_error(None, exc.message)
            for field, errs in (exc.details or {}).items() if isinstance(exc.details, dict) else []:
                for err in errs if isinstance(errs, list) else [errs]:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("已保存"))
            return redirect(f"{app}:detail", key=key, pk=obj.pk)
    return render(request, "core/kinds/edit.html", _context(request, kind, app, obj=obj, form=form,
                                                            item_label=kind.model._meta.verbose_name),
                  status=422 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def kind_import(request, app: str, key: str):
    kind = kind_for(app, key)
    if not kind.importable:
        raise NotFound()
    if not permissions.can(request.user, Action.IMPORT, kind.model):
        raise PermissionDenied()
    report, error = None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("请选择文件")
        else:
            try:
                report = importer.import_file(request.user, kind, upload.name, upload.read())
            except YingjiError as exc:
                error = exc.message
            else:
                if report.ok:
                    messages.success(request, _("导入成功：%(n)s 行") % {"n": report.created})
    status = 422 if (report is not None and not report.ok) or error else 200
    return render(request, "core/kinds/import.html", _context(request, kind, app, report=report, error=error,
                                                              api_base=f"/api/v1/{app}/{kind.key}"), status=status)


@login_required
@require_http_methods(["POST"])
def kind_attach(request, app: str, key: str, pk: int):
    kind = kind_for(app, key)
    obj = crud.get_for(request.user, kind.model, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise BadRequest(_("请选择文件"))
        attachments.attach(request.user, obj, upload.name, upload.read(), note=request.POST.get("note", ""))
    except YingjiError as exc:
        report_error(request, exc)
    else:
        messages.success(request, _("已上传"))
    return redirect(f"{app}:detail", key=key, pk=pk)


def report_error(request, exc: YingjiError, labels: dict | None = None) -> None:
    """The error as a message, each detail under its field's label (`labels`: {field: label})."""
    details = exc.details if isinstance(exc.details, dict) else {}
    labels = labels or {}
    sep, colon = pgettext("列表分隔符", "；"), pgettext("标签后的冒号", "：")
    parts = []
    for name, msgs in details.items():
        text = " ".join(str(m) for m in (msgs if isinstance(msgs, list) else [msgs]))
        label = labels.get(name)
        parts.append(f"{label}{colon}{text}" if label else text)
    extra = sep.join(parts)
    message = str(exc.message) if exc.message and (not extra or extra not in str(exc.message)) else ""
    messages.error(request, colon.join(p for p in (message, extra) if p))


def kind_urls(app: str) -> list:
    """URL patterns of the generic pages, to include in an app's urls.py (its namespace is `app`)."""
    kw = {"app": app}
    return [
        path("<slug:key>/", kind_list, kw, name="list"),
        path("<slug:key>/new/", kind_edit, kw, name="create"),
        path("<slug:key>/import/", kind_import, kw, name="import"),
        path("<slug:key>/<int:pk>/", kind_detail, kw, name="detail"),
        path("<slug:key>/<int:pk>/edit/", kind_edit, kw, name="edit"),
        path("<slug:key>/<int:pk>/attach/", kind_attach, kw, name="attach"),
    ]
