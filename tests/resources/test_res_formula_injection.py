"""Exports never carry live formulas, and an exported file still re-imports to the same records."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from yingji.resources import services
from yingji.resources.models import Warehouse

API = "/api/v1/resources"
EVIL = {"name": "=HYPERLINK(\"http://evil.example\",\"点我\")", "keeper": "@SUM(1+1)", "phone": "+86 139 0000 0000",
        "address": "-1+1|cmd"}


@pytest.fixture
def evil_warehouse(world):
    return services.create(world.staff_a, Warehouse, {
        "owner_unit": world.town_a, "code": "CK-EVIL", "level": "town", "lng": 113.2, "lat": 23.1,
        "capacity_m3": 500, **EVIL})


def _export(user, fmt: str) -> bytes:
    c = Client()
    c.force_login(user)
    r = c.get(f"{API}/warehouses/export?format={fmt}")
    assert r.status_code == 200
    return r.content


def test_xlsx_export_has_no_formulas_and_keeps_numbers(world, evil_warehouse):
    wb = openpyxl.load_workbook(io.BytesIO(_export(world.duty, "xlsx")))
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(header, ws[2], strict=True)}
    assert all(c.data_type != "f" for c in ws[2])
    assert row["名称"].value == "'" + EVIL["name"]
    assert row["保管员"].value == "'" + EVIL["keeper"]
    assert row["联系电话"].value == "'" + EVIL["phone"]
    assert row["经度"].value == 113.2 and row["经度"].data_type == "n"


def test_csv_export_quotes_formula_like_text(world, evil_warehouse):
    text = _export(world.duty, "csv").decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["名称"] == "'" + EVIL["name"] and cells["地址"] == "'" + EVIL["address"]
    assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exported_file_reimports_unchanged(world, evil_warehouse, fmt):
    content = _export(world.duty, fmt)
    before = Warehouse.objects.values("code", "name", "keeper", "phone", "address", "capacity_m3").get()
    Warehouse.objects.all().delete()
    c = Client()
    c.force_login(world.staff_a)
    f = io.BytesIO(content)
    f.name = f"w.{fmt}"
    r = c.post(f"{API}/warehouses/import", {"file": f})
    assert r.status_code == 200, r.content
    assert Warehouse.objects.values("code", "name", "keeper", "phone", "address", "capacity_m3").get() == before
