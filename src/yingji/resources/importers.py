"""Bulk import and export (.xlsx / .csv) with Chinese headers; imports are all or nothing with a row report.

A file is read completely and every row validated before anything is written; one bad row means nothing is
written and the report lists every bad row with its column and a message. Large files report progress in
chunks through `progress(done, total)` (the management command prints it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from yingji.core import crud, permissions
from yingji.core.errors import BadRequest, YingjiError
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.resources import services
from yingji.resources.models import Capability, MaterialItem, StockBatch
from yingji.resources.models.base import check_point, prepare
from yingji.resources.registry import Kind

__all__ = ["RowError", "ImportReport", "read_rows", "import_file", "import_rows", "export_response", "export_rows"]

CHUNK = 500
TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "开放", "启用", "合格"}
FALSE = {"否", "n", "no", "false", "0", "×", "关闭", "停用", "不合格", ""}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportReport:
    total_rows: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {"ok": self.ok, "total_rows": self.total_rows, "created": self.created,
                "errors": [e.__dict__ for e in self.errors]}


def read_rows(filename: str, content: bytes) -> tuple[list[str], list[list]]:
    """Header and data rows of an .xlsx (first sheet) or a .csv (UTF-8, with or without BOM, or GBK)."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 — anything unreadable is the user's file
            raise BadRequest(_("无法读取 Excel 文件，请使用 .xlsx 格式"), code="bad_file") from None
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise BadRequest(_("CSV 文件编码无法识别，请保存为 UTF-8"), code="bad_file")
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    else:
        raise BadRequest(_("只支持 .xlsx 和 .csv 文件"), code="bad_file")
    rows = [r for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise BadRequest(_("文件是空的"), code="bad_file")
    header = [str(h or "").strip() for h in rows[0]]
    return header, rows[1:]


class _Lookups:
    """Code → object caches for foreign keys (units by code or name, others by code)."""

    def __init__(self):
        self.cache: dict[tuple, object] = {}

    def get(self, model, text: str):
        key = (model, text)
        if key not in self.cache:
            obj = None
            if model is OrgUnit:
                obj = OrgUnit.objects.filter(code=text).first() or OrgUnit.objects.filter(name=text).first()
            elif hasattr(model, "code"):
                obj = model._default_manager.filter(code=text).first()
            elif text.isdigit():
                obj = model._default_manager.filter(pk=int(text)).first()
            self.cache[key] = obj
        return self.cache[key]


def _capabilities(text: str) -> dict:
    """'排涝:2000、水上救援' or 'pumping:2000;water_rescue' → {code: qty}."""
    names = {c.name: c.code for c in Capability.objects.all()}
    out = {}
    for part in text.replace("；", ";").replace("、", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        label, _sep, qty = part.replace("：", ":").partition(":")
        label = label.strip()
        out[names.get(label, label)] = qty.strip() or None
    return out


def _convert(f: models.Field, value, lookups: _Lookups):
    """Cell → Python value for a model field; raises ValueError with a Chinese message."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        if f.has_default():
            return f.get_default()
        if isinstance(f, models.BooleanField):
            return False
        if f.null:
            return None
        return "" if isinstance(f, models.CharField | models.TextField) else None
    if f.is_relation:
        obj = lookups.get(f.related_model, str(value).strip())
        if obj is None:
            raise ValueError(_("找不到“%(v)s”") % {"v": value})
        return obj
    if f.choices:
        text = str(value)
        for v, label in f.choices:
            if text in (str(v), str(label)):
                return v
        raise ValueError(_("“%(v)s”不是有效选项，可选：%(opts)s") % {
            "v": value, "opts": "、".join(str(label) for _v, label in f.choices)})
    if isinstance(f, models.BooleanField):
        text = str(value).strip().lower()
        if text in TRUE:
            return True
        if text in FALSE:
            return False
        raise ValueError(_("请填写“是”或“否”"))
    if isinstance(f, models.DecimalField):
        try:
            d = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("不是有效的数字")) from None
        if not d.is_finite():
            raise ValueError(_("不是有效的数字"))
        return d
    if isinstance(f, models.FloatField):
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ValueError(_("不是有效的数字")) from None
    if isinstance(f, models.IntegerField):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("不是有效的整数")) from None
        if number != number.to_integral_value():
            raise ValueError(_("不是有效的整数"))
        return int(number)
    if isinstance(f, models.DateField):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(_("日期格式应为 YYYY-MM-DD")) from None
    if isinstance(f, models.JSONField):
        if f.name == "capabilities":
            return _capabilities(str(value))
        if f.name == "boundary":
            try:
                return json.loads(str(value))
            except ValueError:
                raise ValueError(_("不是有效的 GeoJSON")) from None
        return [p.strip() for p in str(value).replace("；", "、").replace(";", "、").replace(",", "、")
                .replace("，", "、").split("、") if p.strip()]
    return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))


def _map_header(kind: Kind, header: list[str], report: ImportReport) -> dict[int, str]:
    by_header = {h: name for name, h in kind.columns}
    by_name = {name: name for name, _h in kind.columns}
    mapping = {}
    for i, h in enumerate(header):
        name = by_header.get(h) or by_name.get(h)
        if name:
            mapping[i] = name
    missing = [h for name, h in kind.columns if name in kind.required and name not in mapping.values()]
    for h in missing:
        report.errors.append(RowError(1, h, _("缺少必填列“%(h)s”") % {"h": h}))
    return mapping


def import_file(actor, kind: Kind, filename: str, content: bytes,
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    header, rows = read_rows(filename, content)
    return import_rows(actor, kind, header, rows, progress)


def import_rows(actor, kind: Kind, header: list[str], rows: list[list],
                progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Validate every row, then write all of them in one transaction — or none."""
    if not kind.importable:
        raise BadRequest(_("该类资源不支持导入"), code="not_importable")
    report = ImportReport(total_rows=len(rows))
    mapping = _map_header(kind, header, report)
    if report.errors:
        return report
    headers = dict(kind.columns)
    lookups = _Lookups()
    model = kind.model
    seen_codes: dict[str, int] = {}
    pending: list[tuple[int, dict]] = []
    for n, raw in enumerate(rows, start=2):
        values, bad = {}, False
        for i, name in mapping.items():
            cell = raw[i] if i < len(raw) else None
            try:
                values[name] = _convert(model._meta.get_field(name), cell, lookups)
            except ValueError as exc:
                report.errors.append(RowError(n, headers[name], str(exc)))
                bad = True
        if "lat" in values and "lng" in values and not isinstance(values["lat"], str):
            # Checked here too so a row with another bad cell still reports its coordinates.
            for name, message in check_point(values.get("lat"), values.get("lng")).items():
                if bad:
                    report.errors.append(RowError(n, headers[name], message))
        for name in kind.required:
            if not bad and values.get(name) in (None, ""):
                report.errors.append(RowError(n, headers[name], _("必填")))
                bad = True
        code = values.get("code")
        if code and "code" in headers:
            if code in seen_codes:
                report.errors.append(RowError(n, headers["code"], _("与第 %(r)s 行编号重复") % {"r": seen_codes[code]}))
                bad = True
            seen_codes.setdefault(code, n)
        if not bad:
            pending.append((n, values))
        if progress and n % CHUNK == 0:
            progress(n - 1, len(rows) * 2)
    if kind.key == "stock":
        _import_stock(actor, kind, pending, report, progress)
    else:
        _import_objects(actor, kind, pending, report, progress)
    if not report.ok:
        report.created = 0
    return report


def _owner_of(model, values: dict):
    from yingji.resources.services import _OWNING_PARENT

    parent = _OWNING_PARENT.get(model)
    if parent and values.get(parent) is not None:
        return values[parent].owner_unit
    return values.get("owner_unit")


def _import_objects(actor, kind, pending, report, progress) -> None:
    headers = dict(kind.columns)
    instances = []
    for n, values in pending:
        owner = _owner_of(kind.model, values)
        if owner is not None:
            values["owner_unit"] = owner
            if not permissions.can(actor, Action.IMPORT, kind.model, unit=owner) and actor is not None:
                report.errors.append(RowError(n, headers.get("owner_unit", str(_("所属单位"))),
                                              _("无权向“%(u)s”导入") % {"u": owner.name}))
                continue
        obj = kind.model(**values)
        if isinstance(obj, MaterialItem) and obj.code and obj.parent is None:
            parent_code = MaterialItem.parent_code(obj.code) if len(obj.code) == 7 else None
            obj.parent = MaterialItem.objects.filter(code=parent_code).first() if parent_code else None
        try:
            obj.full_clean()
        except ValidationError as exc:
            for name, messages in crud.validation_details(exc).items():
                column = headers.get(name, name if name != "__all__" else "")
                for message in messages:
                    report.errors.append(RowError(n, column, message))
            continue
        prepare(obj)
        instances.append(obj)
    if not report.ok:
        return
    try:
        with transaction.atomic():
            for start in range(0, len(instances), CHUNK):
                chunk = instances[start:start + CHUNK]
                crud.bulk_create(actor, chunk)
                report.created += len(chunk)
                if progress:
                    progress(len(pending) + start + len(chunk), len(pending) * 2)
    except IntegrityError:
        # Someone wrote a conflicting row between validation and insert: nothing of this file was kept.
        report.errors.append(RowError(0, "", _("写入时与其他人同时提交的数据冲突（如编号重复），未写入任何数据，请重新导入")))


def _import_stock(actor, kind, pending, report, progress) -> None:
    """Stock rows are receipts: each goes through the ledger; any refused row rolls everything back."""
    headers = dict(kind.columns)
    with transaction.atomic():
        for k, (n, values) in enumerate(pending, start=1):
            try:
                with transaction.atomic():
                    probe = StockBatch(owner_unit=values["warehouse"].owner_unit, **{
                        k2: v for k2, v in values.items() if k2 != "quantity"})
                    probe.clean()
                    services.receive(actor, values["warehouse"], values["item"], values["quantity"],
                                     batch_no=values.get("batch_no") or "",
                                     production_date=values.get("production_date"),
                                     expiry_date=values.get("expiry_date"), min_quantity=values.get("min_quantity"))
                report.created += 1
            except ValidationError as exc:
                for name, messages in crud.validation_details(exc).items():
                    for message in messages:
                        report.errors.append(RowError(n, headers.get(name, name), message))
            except YingjiError as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                if not details:
                    report.errors.append(RowError(n, "", exc.message))
                for name, messages in details.items():
                    for message in messages if isinstance(messages, list) else [messages]:
                        report.errors.append(RowError(n, headers.get(name, name), str(message)))
            if progress and k % CHUNK == 0:
                progress(len(pending) + k, len(pending) * 2)
        if report.errors:
            transaction.set_rollback(True)


def _cell(obj, name: str):
    value = getattr(obj, name)
    f = obj._meta.get_field(name)
    if value is None:
        return ""
    if f.is_relation:
        return getattr(value, "code", None) or str(value)
    if f.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "capabilities":
        caps = {c.code: c.name for c in Capability.objects.all()}
        return "、".join(f"{caps.get(k, k)}:{v}" if v else caps.get(k, k) for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return value.normalize() if value == value.to_integral_value() else value
    return value


def export_rows(kind: Kind, qs) -> tuple[list[str], list[list]]:
    names = [name for name, _h in kind.columns]
    related = [n for n in names if kind.model._meta.get_field(n).is_relation]
    rows = [[_cell(obj, n) for n in names] for obj in qs.select_related(*related).iterator(chunk_size=2000)]
    return [h for _n, h in kind.columns], rows


def export_response(kind: Kind, qs, fmt: str = "xlsx", template: bool = False) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise BadRequest(_("格式只能是 xlsx 或 csv"), code="bad_format")
    header, rows = export_rows(kind, qs)
    stem = f"{kind.key}-template" if template else kind.key
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows([[("" if v is None else v) for v in r] for r in rows])
        resp = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    else:
        import openpyxl

        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet(str(kind.label))
        ws.append(header)
        for r in rows:
            ws.append([str(v) if isinstance(v, Decimal) else v for v in r])
        out = io.BytesIO()
        wb.save(out)
        resp = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp


