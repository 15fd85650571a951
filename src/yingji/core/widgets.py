"""Form fields for the shared vocabularies and lists, used by the generic form of every registered type.

- `CapabilityField`: capability + quantity rows (`yingji/widgets.js` builds them); without script it is a text
  box taking what lists and imports show, `排涝:500、水上救援`, read by the importer's own parser.
- `HazardField`: the hazard taxonomy as a tree of checkboxes (one collapsible branch per category); needs no
  script.
- `ListTextField`: a JSON list of words as `应急供水、应急供电`.
- `ISO_DATE`: the date input the browser reads and writes as YYYY-MM-DD whatever the UI language.

Every field compares values, not texts, so saving an unchanged form changes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput, JSONString
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from yingji.core import jsontext, vocabulary

__all__ = ["CapabilityField", "HazardField", "ListTextField", "iso_date_input", "join_words"]


def iso_date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def join_words(parts) -> str:
    """Words joined the way the UI language joins a list: 、 in Chinese, ", " in English."""
    return pgettext("列表分隔符", "、").join(str(p) for p in parts)


def _split(text: str) -> list[str]:
    for sep in ("；", ";", "，", ",", "\n"):
        text = text.replace(sep, "、")
    return [p.strip() for p in text.split("、") if p.strip()]


# --- capabilities -----------------------------------------------------------------------------------------


def _qty_key(qty) -> str | None:
    if qty in (None, ""):
        return None
    try:
        return format(Decimal(str(qty)).normalize(), "f")
    except (InvalidOperation, ValueError):
        return str(qty)


def capabilities_text(caps: dict | None) -> str:
    """{code: qty} → '排涝:500、水上救援' (the list and import format, quantities without trailing zeros)."""
    table = vocabulary.capability_names()
    parts = []
    for code, qty in sorted((caps or {}).items()):
        name = table[code]["name"] if code in table else code
        q = _qty_key(qty)
        parts.append(f"{name}:{q}" if q is not None else name)
    return "、".join(parts)


class CapabilityWidget(forms.Widget):
    """A text box of `名称:数量` items; the script turns it into rows of a capability picker and a quantity."""

    def format_value(self, value):
        if isinstance(value, dict):
            return capabilities_text(value)
        if isinstance(value, str) and value.startswith("{"):
            try:
                return capabilities_text(jsontext.loads(value))
            except ValueError:
                return value
        return value or ""

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        input_id = attrs.get("id") or f"id_{name}"
        help_id = f"{input_id}_help"
        described = " ".join(filter(None, [attrs.pop("aria-describedby", ""), help_id]))
        options = [{"code": c, "name": r["name"], "unit": r["quantity_unit"] or ""}
                   for c, r in sorted(vocabulary.capability_names().items(), key=lambda kv: kv[0])]
        extra = {k: v for k, v in attrs.items() if k not in ("id", "class")}
        return format_html(
            '<div class="yj-caps" data-caps-picker data-options="{}" data-label-cap="{}" data-label-qty="{}" '
            'data-label-remove="{}" data-label-add="{}" data-label-none="{}">'
            '<input type="text" name="{}" id="{}" class="{}" value="{}" aria-describedby="{}" list="{}_list"{}>'
            '<datalist id="{}_list">{}</datalist>'
            '<div class="form-text" id="{}">{}</div></div>',
            json.dumps(options, ensure_ascii=False), _("能力"), _("数量"), pgettext("按钮", "删除"), _("添加能力"), _("请选择能力"),
            name, input_id, attrs.get("class", "form-control"), self.format_value(value), described, input_id,
            flatatt(extra), input_id,
            format_html_join("", '<option value="{}"></option>', ((o["name"],) for o in options)),
            help_id, _("每项写“能力:数量”，用顿号分隔，数量可省略，例如：排涝:500、水上救援"))


class CapabilityField(forms.Field):
    widget = CapabilityWidget

    def to_python(self, value):
        from yingji.core.kinds.importer import parse_capabilities

        if isinstance(value, dict):
            return value
        if value in (None, ""):
            return {}
        caps = parse_capabilities(str(value))
        known = vocabulary.capability_names()
        unknown = [c for c in caps if c not in known]
        if unknown:
            raise ValidationError(_("未知的能力：%(names)s") % {"names": join_words(unknown)}, code="unknown")
        for code, qty in caps.items():
            if qty is None:
                continue
            try:
                number = Decimal(qty)
            except InvalidOperation:
                raise ValidationError(_("“%(name)s”的数量不是数字：%(q)s") % {
                    "name": known[code]["name"], "q": qty}, code="bad_quantity") from None
            if not number.is_finite() or number < 0:
                raise ValidationError(_("“%(name)s”的数量须为不小于 0 的数字") % {"name": known[code]["name"]},
                                      code="bad_quantity")
        return caps

    def has_changed(self, initial, data):
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        def norm(caps):
            return {c: _qty_key(q) for c, q in (caps or {}).items()}
        return norm(initial) != norm(new)


# --- hazard types -------------------------------------------------------------------------------------------


class HazardTreeWidget(forms.Widget):
    """Checkboxes in the taxonomy's shape: each category a collapsible branch, open when something in it is
    chosen. `is_group`: the form labels it with a <legend>, not a <label for>."""

    is_group = True

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = jsontext.loads(value)
            except ValueError:
                value = vocabulary.parse_hazards(value)
        return set(value or [])

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**self.attrs, **(attrs or {})}
        base = attrs.get("id") or f"id_{name}"
        chosen = self.format_value(value)

        def codes_under(node):
            return {node["code"]} | {c for ch in node["children"] for c in codes_under(ch)}

        def box(node):
            cid = f"{base}_{node['code']}"
            return format_html(
                '<div class="form-check"><input class="form-check-input" type="checkbox" name="{}" value="{}" '
                'id="{}"{}><label class="form-check-label" for="{}">{}</label></div>',
                name, node["code"], cid, mark_safe(" checked") if node["code"] in chosen else "", cid, node["name"])

        def branch(node):
            inner = box(node)
            if node["children"]:
                inner += format_html('<ul class="list-unstyled ms-4 mb-1">{}</ul>', format_html_join(
                    "", "<li>{}</li>", ((branch(ch),) for ch in node["children"])))
            return inner

        parts = []
        for root in vocabulary.hazard_tree():
            picked = len(codes_under(root) & chosen)
            count = format_html(' <span class="badge text-bg-primary">{}</span>', picked) if picked else ""
            parts.append(format_html('<details class="yj-tree-branch"{}><summary>{}{}</summary>{}</details>',
                                     mark_safe(" open") if picked else "", root["name"], count, branch(root)))
        group = {k: v for k, v in attrs.items() if k in ("aria-invalid", "aria-describedby")}
        return format_html('<div class="yj-tree" id="{}" data-testid="hazard-tree"{}>{}</div>', base,
                           flatatt(group), mark_safe("".join(parts)))


class HazardField(forms.Field):
    widget = HazardTreeWidget

    def to_python(self, value):
        if value in (None, ""):
            return []
        items = [value] if isinstance(value, str) else list(value)
        codes_in: list[str] = []
        for item in items:  # ticked codes; also text (山洪、滑坡) or the JSON list an older form or script sends
            item = str(item).strip()
            if item.startswith("["):
                try:
                    codes_in += [str(c) for c in jsontext.loads(item)]
                    continue
                except ValueError:
                    pass
            codes_in += vocabulary.parse_hazards(item)
        codes = sorted({c for c in codes_in if c})
        known = vocabulary.hazard_names()
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValidationError(_("未知的灾种：%(names)s") % {"names": join_words(unknown)}, code="unknown")
        return codes

    def has_changed(self, initial, data):
        try:
            return sorted(set(initial or [])) != self.to_python(data)
        except ValidationError:
            return True


# --- JSON text ---------------------------------------------------------------------------------------------


class JSONTextField(forms.JSONField):
    """Django's JSON form field read through `jsontext.loads`: text nested past the limit or a number of thousands
    of digits is a field error in the user's language (Django's own catches only syntax errors: a 500)."""

    def to_python(self, value):
        if self.disabled or value in self.empty_values or isinstance(value, list | dict | int | float):
            return None if value in self.empty_values else value
        try:
            converted = jsontext.loads(value)
        except jsontext.JsonTextError as exc:
            raise ValidationError(exc.message, code="invalid") from None
        return JSONString(converted) if isinstance(converted, str) else converted

    def bound_data(self, data, initial):
        if self.disabled:
            return initial
        if data is None:
            return None
        try:
            return jsontext.loads(data)
        except jsontext.JsonTextError:
            return InvalidJSONInput(data)


# --- word lists ---------------------------------------------------------------------------------------------


class ListTextWidget(forms.TextInput):
    def format_value(self, value):
        if isinstance(value, str) and value.startswith("["):
            try:
                value = jsontext.loads(value)
            except ValueError:
                return value
        if isinstance(value, list):
            return "、".join(str(v) for v in value)
        return value or ""


class ListTextField(forms.Field):
    widget = ListTextWidget

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return _split(str(value or ""))

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)
