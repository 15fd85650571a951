"""Bulk import is all or nothing with a row-by-row report; export and templates round-trip."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client

from yingji.core.kinds import importer as importers
from yingji.core.models import AuditEntry
from yingji.resources.models import StockBatch, StockMovement, Team, Warehouse
from yingji.resources.registry import KINDS

API = "/api/v1/resources"
HEAD = ["所属单位", "编号", "名称", "级别", "经度", "纬度", "地址", "库容(m³)", "保管员", "联系电话"]


def rows_ok(world):
    return [
        [world.town_a.code, "CK-001", "长安镇一号库", "镇街级", 113.201, 23.101, "长安大道1号", 500, "张三", "0999-1"],
        [world.town_a.name, "CK-002", "长安镇二号库", "town", "113.205", "23.095", "", "", "李四", ""],
    ]


def xlsx(header, rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(header, rows, encoding="utf-8-sig") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def upload(user, key, name, content):
    c = Client()
    c.force_login(user)
    f = io.BytesIO(content)
    f.name = name
    return c.post(f"{API}/{key}/import", {"file": f})


@pytest.mark.parametrize(("name", "make"), [("仓库.xlsx", xlsx), ("仓库.csv", csv_bytes)])
def test_town_staff_imports_its_warehouse_list(world, name, make):
    r = upload(world.staff_a, "warehouses", name, make(HEAD, rows_ok(world)))
    assert r.status_code == 200, r.content
    assert r.json() == {"ok": True, "total_rows": 2, "created": 2, "errors": []}
    assert sorted(Warehouse.objects.values_list("code", "owner_unit_id")) == [
        ("CK-001", world.town_a.pk), ("CK-002", world.town_a.pk)]
    assert AuditEntry.objects.filter(object_type="resources.warehouse", action="create").count() == 2
    # and the duty officer sees them on the map layer
    c = Client()
    c.force_login(world.duty)
    assert len(c.get(f"{API}/warehouses/geojson").json()["features"]) == 2


@pytest.mark.parametrize(("name", "make"), [("仓库.xlsx", xlsx), ("仓库.csv", csv_bytes)])
def test_one_bad_row_writes_nothing_and_every_bad_row_is_reported(world, name, make):
    rows = rows_ok(world) + [
        [world.town_a.code, "CK-003", "填反的库", "镇街级", 23.1, 113.2, "", "", "", ""],  # swapped
        [world.town_a.code, "CK-001", "重复编号", "镇街级", 113.2, 23.1, "", "", "", ""],  # duplicate in file
        ["不存在的单位", "CK-004", "无主库", "镇街级", 113.2, 23.1, "", "-5", "", ""],  # unknown unit, negative
        [world.town_a.code, "CK-005", "", "省级", 113.2, 23.1, "", "", "", ""],  # no name, bad level
        ["不存在的单位", "CK-006", "两处错", "镇街级", 23.1, 113.2, "", "", "", ""],  # unknown unit and swapped
    ]
    r = upload(world.staff_a, "warehouses", name, make(HEAD, rows))
    assert r.status_code == 422
    report = r.json()
    assert report["ok"] is False and report["created"] == 0 and report["total_rows"] == 7
    got = {(e["row"], e["column"]) for e in report["errors"]}
    assert {(4, "纬度"), (5, "编号"), (6, "所属单位"), (7, "级别"), (8, "所属单位"), (8, "纬度")} <= got
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in report["errors"])
    assert not Warehouse.objects.exists()


def test_import_into_another_town_is_refused_per_row(world):
    rows = rows_ok(world) + [[world.town_b.code, "CK-B", "青山库", "镇街级", 113.4, 23.1, "", "", "", ""]]
    r = upload(world.staff_a, "warehouses", "w.csv", csv_bytes(HEAD, rows))
    assert r.status_code == 422
    assert [(e["row"], e["column"]) for e in r.json()["errors"]] == [(4, "所属单位")]
    assert not Warehouse.objects.exists()


def test_missing_required_column_is_reported(world):
    r = upload(world.staff_a, "warehouses", "w.csv", csv_bytes(["编号", "名称"], [["X", "Y"]]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "所属单位"


def test_stock_import_goes_through_the_ledger_and_is_all_or_nothing(world, warehouse_a):
    head = ["储备库编号", "物资编码", "批次号", "数量", "最低储备量", "生产日期", "有效期至"]
    good = [[warehouse_a.code, "1020201", "B1", 100, 20, "2026-01-01", "2027-01-01"],
            [warehouse_a.code, "1030101", "", "5", "", "", ""]]
    bad = good + [[warehouse_a.code, "1020202", "B2", 10, "", "2026-05-01", "2026-01-01"],  # expiry < production
                  [warehouse_a.code, "9999999", "", 1, "", "", ""],  # unknown item
                  [warehouse_a.code, "1020101", "", -3, "", "", ""]]  # negative
    r = upload(world.staff_a, "stock", "s.xlsx", xlsx(head, bad))
    assert r.status_code == 422
    assert {(e["row"], e["column"]) for e in r.json()["errors"]} >= {(4, "有效期至"), (5, "物资编码"), (6, "数量")}
    assert not StockBatch.objects.exists() and not StockMovement.objects.exists()
    r = upload(world.staff_a, "stock", "s.xlsx", xlsx(head, good))
    assert r.status_code == 200, r.content
    assert StockMovement.objects.filter(kind="in").count() == 2
    assert StockBatch.objects.get(batch_no="B1").quantity == 100


def test_teams_import_with_capabilities_by_chinese_name(world):
    kind = KINDS["teams"]
    header = [h for _n, h in kind.columns]
    row = {h: "" for h in header}
    row.update({"所属单位": world.town_a.code, "编号": "T-1", "名称": "长安镇防汛队", "性质": "专业队伍",
                "专业": "防汛抢险", "能力": "排涝:2000、水上救援", "可应对灾种": "洪涝、台风", "专职": "是",
                "人数": "30", "经度": "113.2", "纬度": "23.1"})
    r = upload(world.staff_a, "teams", "t.csv", csv_bytes(header, [[row[h] for h in header]]))
    assert r.status_code == 200, r.content
    team = Team.objects.get()
    assert team.capabilities == {"pumping": "2000", "water_rescue": None}
    assert team.hazard_types == ["flood", "typhoon"] and team.headcount == 30 and team.full_time
    assert ",natural," in team.hazard_index and ",flood_drought," in team.hazard_index
    assert Team.objects.filter(capability_index__contains=",pumping,").exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_reimport_round_trips(world, fmt):
    upload(world.staff_a, "warehouses", "w.csv", csv_bytes(HEAD, rows_ok(world)))
    c = Client()
    c.force_login(world.duty)
    r = c.get(f"{API}/warehouses/export?format={fmt}&q=二号")
    assert r.status_code == 200 and r["Content-Disposition"].endswith(f'.{fmt}"')
    header, rows = importers.read_rows(f"x.{fmt}", r.content)
    assert header[:3] == ["所属单位", "编号", "名称"] and len(rows) == 1 and rows[0][1] == "CK-002"
    Warehouse.objects.all().delete()
    assert upload(world.staff_a, "warehouses", f"x.{fmt}", r.content).status_code == 200
    assert Warehouse.objects.get().name == "长安镇二号库"


def test_template_has_chinese_headers(world):
    c = Client()
    c.force_login(world.viewer)
    r = c.get(f"{API}/teams/template?format=xlsx")
    header, rows = importers.read_rows("t.xlsx", r.content)
    assert header[:4] == ["所属单位", "编号", "名称", "性质"]
    assert len(rows) == 1 and rows[0][2] == "市防汛抢险队"  # one example row
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    lists = {str(dv.sqref): dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert any(ref.startswith("D2") for ref in lists), lists  # 性质 is chosen from a drop-down list


def test_unsupported_file_type(world):
    r = upload(world.staff_a, "warehouses", "w.txt", b"hello")
    assert r.status_code == 400 and "xlsx" in r.json()["error"]["message"]


def test_progress_is_reported_for_large_files(world):
    header = HEAD
    rows = [[world.town_a.code, f"CK-{i:05d}", f"库{i}", "镇街级", 113.2, 23.1, "", "", "", ""] for i in range(1200)]
    seen = []
    report = importers.import_rows(None, KINDS["warehouses"], header, rows, lambda d, t: seen.append((d, t)))
    assert report.ok and report.created == 1200
    assert seen and seen[-1][0] == seen[-1][1] and len(seen) >= 3


def test_management_command_prints_progress_and_refuses_bad_files(world, tmp_path):
    from django.core.management import CommandError, call_command

    rows = [[world.town_a.code, f"CK-{i:05d}", f"库{i}", "镇街级", 113.2, 23.1, "", "", "", ""] for i in range(600)]
    good = tmp_path / "w.csv"
    good.write_bytes(csv_bytes(HEAD, rows))
    out = io.StringIO()
    call_command("import_resources", "warehouses", str(good), "--as", "staff_a", stdout=out)
    assert "导入成功：600 行" in out.getvalue() and "%)" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEAD, [[world.town_a.code, "CK-X", "库", "镇街级", 23.1, 113.2, "", "", "", ""]]))
    with pytest.raises(CommandError):
        call_command("import_resources", "warehouses", str(bad), stdout=io.StringIO())
    assert Warehouse.objects.count() == 600
