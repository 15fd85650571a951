"""Bulk import and export (.xlsx / .csv) of any registered type, with Chinese headers; all or nothing.

A file is read completely and every row validated before anything is written; one bad row means nothing is
written, and the report lists every fault of every row (column and message) in one pass. Units are matched by
code, or by name only where the name is unique inside the importing user's scope; other references resolve
only to objects the user may see. Templates carry an example row and drop-down lists for coded columns.
Large files report progress through `progress(done, total)` (the management command prints it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _

from yingji.core import crud, jsontext, permissions, privacy, vocabulary
from yingji.core.errors import BadRequest
from yingji.core.kinds.registry import Kind
from yingji.core.models import OrgUnit
from yingji.core.models.place import prepare
from yingji.core.roles import Action
from yingji.core.spreadsheet import restore_cell, safe_cell

__all__ = ["RowError", "ImportReport", "read_rows", "import_file", "import_rows", "export_response", "export_rows",
           "template_response", "parse_capabilities", "CHUNK"]

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
        try:
            rows = [list(r) for r in csv.reader(io.StringIO(text))]
        except csv.Error:  # a cell over csv.field_size_limit() (131,072 characters), or a broken quote
            raise BadRequest(_("CSV 文件格式错误（单元格过长或引号不匹配）"), code="bad_file") from None
    else:
        raise BadRequest(_("只支持 .xlsx 和 .csv 文件"), code="bad_file")
    rows = [[restore_cell(v) for v in r] for r in rows if any(v not in (None, "") for v in r)]
    if not rows:
        raise BadRequest(_("文件是空的"), code="bad_file")
    if len(rows) == 1:
        raise BadRequest(_("文件只有表头，没有数据行"), code="empty_file")
    header = [str(h or "").strip() for h in rows[0]]
    return header, rows[1:]


class _Lookups:
    """Text → object for foreign keys, cached per import: only objects the actor may see; units by code, or by
    name where exactly one unit inside the actor's scope has it."""

    def __init__(self, actor):
        self.actor = actor
        self.cache: dict[tuple, object] = {}

    def _visible(self, model):
        qs = model._default_manager.all()
        return permissions.restrict(qs, self.actor) if self.actor is not None else qs

    def get(self, model, text: str):
        key = (model, text)
        if key not in self.cache:
            self.cache[key] = self._find(model, text)
        hit = self.cache[key]
        if isinstance(hit, str):
            raise ValueError(hit)
        return hit

    def _find(self, model, text: str):
        qs = self._visible(model)
        if model is OrgUnit:
            unit = qs.filter(code=text).first()
            if unit is not None:
                return unit
            scope = permissions.units_for(self.actor, "core.orgunit", Action.VIEW) if self.actor else qs
            named = list(scope.filter(name=text)[:2]) if self.actor else list(qs.filter(name=text)[:2])
            if len(named) > 1:
                return _("单位名称“%(v)s”不唯一，请填写单位代码") % {"v": text}
            return named[0] if named else None
        if hasattr(model, "code"):
            return qs.filter(code=text).first()
        if text.isdigit() and len(text) < 19:
            return qs.filter(pk=int(text)).first()
        return None


def parse_capabilities(text: str) -> dict:
    """'排涝:2000、水上救援' or 'pumping:2000;water_rescue' → {code: qty}."""
    names = {c["name"]: code for code, c in vocabulary.capability_names().items()}
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
        if "\x00" in value:
            raise ValueError(_("含有不允许的空字符 (NUL)"))
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
            return parse_capabilities(str(value))
        if f.name == "hazard_types":
            return vocabulary.parse_hazards(str(value))
        if f.name == "boundary":
            try:
                return jsontext.loads(str(value))
            except ValueError:
                raise ValueError(_("不是有效的 GeoJSON")) from None
        return [p.strip() for p in str(value).replace("；", "、").replace(";", "、").replace(",", "、")
                .replace("，", "、").split("、") if p.strip()]
    return str(value) if not isinstance(value, float) or not value.is_integer() else str(int(value))


def _map_header(kind: Kind, header: list[str], report: ImportReport) -> dict[int, str]:
    # Columns the system keeps (an exported sensor's last reading) are read past, so an export imports back.
    writable = set(kind.input_fields)
    by_header = {h: name for name, h in kind.columns if name in writable}
    by_name = {name: name for name, _h in kind.columns if name in writable}
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
        raise BadRequest(_("该类数据不支持导入"), code="not_importable")
    report = ImportReport(total_rows=len(rows))
    mapping = _map_header(kind, header, report)
    if report.errors:
        return report
    headers = dict(kind.columns)
    lookups = _Lookups(actor)
    model = kind.model
    seen_codes: dict[str, int] = {}
    pending: list[tuple[int, dict, set]] = []
    for n, raw in enumerate(rows, start=2):
        values, bad = {}, set()
        for i, name in mapping.items():
            cell = raw[i] if i < len(raw) else None
            try:
                values[name] = _convert(model._meta.get_field(name), cell, lookups)
            except ValueError as exc:
                report.errors.append(RowError(n, headers[name], str(exc)))
                bad.add(name)
        for name in kind.required:
            if name not in bad and values.get(name) in (None, ""):
                report.errors.append(RowError(n, headers[name], _("必填")))
                bad.add(name)
        code = values.get("code")
        if code and "code" in headers and "code" not in bad:
            if code in seen_codes:
                report.errors.append(RowError(n, headers["code"], _("与第 %(r)s 行编号重复") % {"r": seen_codes[code]}))
                bad.add("code")
            seen_codes.setdefault(code, n)
        pending.append((n, values, bad))
        if progress and n % CHUNK == 0:
            progress(n - 1, len(rows) * 2)
    if kind.import_hook is not None:
        # The hook checks the rows whose cells converted and writes them only if the whole file is clean.
        kind.import_hook(actor, kind, [(n, v) for n, v, b in pending if not b], report, progress)
    else:
        _import_objects(actor, kind, pending, report, progress)
    if not report.ok:
        report.created = 0
    return report


def row_errors(report: ImportReport, n: int, headers: dict, exc) -> None:
    """Add a validation error's messages to the report, each under its column."""
    details = crud.validation_details(exc) if isinstance(exc, ValidationError) else (
        exc.details if isinstance(getattr(exc, "details", None), dict) else {})
    if not details:
        report.errors.append(RowError(n, "", getattr(exc, "message", str(exc))))
    for name, messages in details.items():
        for message in messages if isinstance(messages, list) else [messages]:
            column = headers.get(name, name if name != "__all__" else "")
            report.errors.append(RowError(n, column, str(message)))


def _owner_of(kind: Kind, values: dict):
    parent = kind.owning_parent
    if parent and values.get(parent) is not None:
        return values[parent].owner_unit
    return values.get("owner_unit")


def _import_objects(actor, kind, pending, report, progress) -> None:
    headers = dict(kind.columns)
    instances = []
    for n, values, bad in pending:
        owner = _owner_of(kind, values)
        if owner is not None:
            values["owner_unit"] = owner
            if actor is not None and not permissions.can(actor, Action.IMPORT, kind.model, unit=owner):
                report.errors.append(RowError(n, headers.get("owner_unit", str(_("所属单位"))),
                                              _("无权向“%(u)s”导入") % {"u": owner.name}))
                bad = bad | {"owner_unit"}
        obj = kind.model(**{k: v for k, v in values.items() if k not in bad})
        if kind.prepare_import is not None:
            kind.prepare_import(obj)
        if kind.check is not None and not bad:
            links = kind.check(actor, obj, None)
            for name, messages in links.items():
                report.errors += [RowError(n, headers.get(name, name), m) for m in messages]
            bad = bad | set(links)
        # Every fault in one pass: validate the cells that converted, even when others did not.
        exclude = set(bad) | ({"owner_unit"} if "owner_unit" in bad else set())
        if "lat" in bad or "lng" in bad:
            exclude |= {"lat", "lng"}
        try:
            obj.full_clean(exclude=list(exclude) or None)
        except ValidationError as exc:
            row_errors(report, n, headers, exc)
            continue
        except ObjectDoesNotExist:  # a rule needing a reference that is already reported as bad
            continue
        if not bad:
            instances.append(obj)
    if not report.ok:
        return
    prepare(instances)
    try:
        with transaction.atomic():
            for start in range(0, len(instances), CHUNK):
                chunk = instances[start:start + CHUNK]
                crud.bulk_create(actor, chunk)
                report.created += len(chunk)
                if progress:
                    progress(len(pending) + start + len(chunk), len(pending) * 2)
    except IntegrityError:
        report.created = 0
        # Someone wrote a conflicting row between validation and insert: nothing of this file was kept.
        report.errors.append(RowError(0, "", _("写入时与其他人同时提交的数据冲突（如编号重复），未写入任何数据，请重新导入")))


def cell(obj, name: str):
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
        caps = vocabulary.capability_names()
        return "、".join(f"{caps[k]['name'] if k in caps else k}:{v}" if v else (caps[k]["name"] if k in caps else k)
                        for k, v in sorted(value.items()))
    if name == "hazard_types":
        return vocabulary.hazard_labels(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return Decimal(format(value.normalize(), "f"))  # 120, 246.5 — never 1.2E+2 or 246.000
    return value


def export_rows(kind: Kind, qs, *, user) -> tuple[list[str], list[list]]:
    """Header and rows as `user` may read them (personal fields masked, see yingji.core.privacy); text that a
    spreadsheet would run as a formula is quoted (OWASP CSV injection), numbers stay numbers. Exercise rows
    are labelled in a 演练 column whether or not the type lists it."""
    columns = list(kind.columns)
    if kind.exercise and "is_exercise" not in dict(columns):
        columns.append(("is_exercise", "演练"))
    names = [name for name, _h in columns]
    related = [n for n in names if kind.model._meta.get_field(n).is_relation]
    objs = privacy.redacted(user, qs.select_related(*related).iterator(chunk_size=2000))
    rows = [[safe_cell(cell(obj, n)) for n in names] for obj in objs]
    return [h for _n, h in columns], rows


def _workbook_response(kind: Kind, header: list[str], rows: list[list], stem: str, validations=()) -> HttpResponse:
    import openpyxl
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = str(kind.label)[:31]
    ws.append(header)
    for r in rows:
        ws.append([str(v) if isinstance(v, Decimal) else v for v in r])
    if validations:
        lists = wb.create_sheet("选项")
        for col, (title, options) in enumerate(validations, start=1):
            letter = get_column_letter(col)
            lists.cell(row=1, column=col, value=title)
            for i, opt in enumerate(options, start=2):
                lists.cell(row=i, column=col, value=opt)
            target = get_column_letter(header.index(title) + 1)
            dv = DataValidation(type="list", formula1=f"'选项'!${letter}$2:${letter}${len(options) + 1}",
                                allow_blank=True, showErrorMessage=True)
            dv.error = str(_("请从下拉列表中选择"))
            ws.add_data_validation(dv)
            dv.add(f"{target}2:{target}5000")
    out = io.BytesIO()
    wb.save(out)
    resp = HttpResponse(out.getvalue(),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return resp


def _csv_response(header, rows, stem: str) -> HttpResponse:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows([[("" if v is None else v) for v in r] for r in rows])
    resp = HttpResponse(("\ufeff" + buf.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return resp


def export_response(kind: Kind, qs, fmt: str = "xlsx", *, user) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise BadRequest(_("格式只能是 xlsx 或 csv"), code="bad_format")
    header, rows = export_rows(kind, qs, user=user)
    return _csv_response(header, rows, kind.key) if fmt == "csv" else _workbook_response(kind, header, rows, kind.key)


def _choices_of(kind: Kind) -> list[tuple[str, list[str]]]:
    """Coded columns and their allowed values (labels), for the template's drop-down lists."""
    out = []
    for name, h in kind.columns:
        f = kind.model._meta.get_field(name)
        if f.choices:
            out.append((h, [str(label) for _v, label in f.choices]))
        elif isinstance(f, models.BooleanField):
            out.append((h, ["是", "否"]))
    return out


def template_response(kind: Kind, fmt: str = "xlsx") -> HttpResponse:
    """The import template: the header, one example row and drop-down lists for coded columns."""
    if fmt not in ("xlsx", "csv"):
        raise BadRequest(_("格式只能是 xlsx 或 csv"), code="bad_format")
    header = [h for _n, h in kind.columns]
    rows = [[safe_cell(kind.example.get(n, "")) for n, _h in kind.columns]] if kind.example else []
    stem = f"{kind.key}-template"
    if fmt == "csv":
        return _csv_response(header, rows, stem)
    return _workbook_response(kind, header, rows, stem, _choices_of(kind))
