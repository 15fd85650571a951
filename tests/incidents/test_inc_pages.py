"""The pages: board, intake with duplicates offered, the command dashboard (recommend, dispatch), the order page
the owning unit answers, situation report (edit, PDF with the embedded CJK font, .docx), replay, close, review,
optimise, the workbench panel; bad input re-shown, never a 500."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from yingji.incidents import dispatching, reporting, services
from yingji.incidents.models import Dispatch, Incident

pytestmark = pytest.mark.django_db


def _intake(c, **extra):
    data = {"title": "长安镇内涝", "hazard_type": "waterlogging", "source": "phone", "caller_name": "王先生",
            "callback_phone": "13900000000", "location": "113.205, 23.102", "deaths": 0, "missing": 0,
            "serious_injuries": 0, "injuries": 0, "trapped": 2, "direct_loss_wan_yuan": 0, **extra}
    return c.post("/incidents/new/", data)


def test_duty_officer_pages_end_to_end(city, client_for):
    duty = client_for(city.duty)
    assert duty.get("/incidents/").status_code == 200
    assert duty.get("/incidents/new/").status_code == 200
    r = _intake(duty)
    assert r.status_code == 302
    inc = Incident.objects.get()
    page = duty.get(r["Location"]).content.decode()
    assert "一般" in page and "初报" in page
    # A second call about the same flood is offered for merging.
    r = _intake(duty, title="长安镇积水", location="113.206, 23.103")
    assert r.status_code == 200 and "可能是同一事件" in r.content.decode()
    r = _intake(duty, title="长安镇积水", location="113.206, 23.103", merge_into=inc.pk)
    assert r.status_code == 302 and Incident.objects.filter(phase="merged").count() == 1
    # Recommend and dispatch from three units.
    page = duty.get(f"/incidents/{inc.pk}/?capability=pumping&quantity=3000").content.decode()
    assert "长安镇防汛抢险队" in page
    for key in ("a", "b", "c"):
        r = duty.post(f"/incidents/{inc.pk}/do/dispatch/", {"resource_type": "teams", "resource_id": city.teams[key].pk,
                                                            "capability": "pumping", "quantity": 1000})
        assert r.status_code == 302
    assert Dispatch.objects.filter(incident=inc).count() == 3
    # Each unit answers on its order page.
    for who, key in ((city.staff_a, "a"), (city.staff_b, "b"), (city.staff_c, "c")):
        d = Dispatch.objects.get(resource_id=city.teams[key].pk)
        c = client_for(who)
        page = c.get(f"/incidents/dispatches/{d.pk}/").content.decode()
        assert "status-accepted" in page
        assert c.post(f"/incidents/dispatches/{d.pk}/", {"status": "accepted"}).status_code == 302
        assert c.post(f"/incidents/dispatches/{d.pk}/", {"status": "on_scene"}).status_code == 302
    assert set(Dispatch.objects.values_list("status", flat=True)) == {"on_scene"}
    # The live panel answers 304 while nothing changed. Its version includes the minute (the report countdown
    # moves every minute), so the pair is asked again if a minute boundary fell between the two requests.
    for _ in range(2):
        minute = timezone.now().strftime("%H%M")
        r = duty.get(f"/incidents/{inc.pk}/live/")
        assert r.status_code == 200
        again = duty.get(f"/incidents/{inc.pk}/live/", HTTP_IF_NONE_MATCH=r["ETag"])
        if timezone.now().strftime("%H%M") == minute:
            break
    assert again.status_code == 304
    # Situation report: drafted from the record, edited, downloaded.
    r = duty.post(f"/incidents/{inc.pk}/do/sitrep/")
    assert r.status_code == 302
    s = inc.sitreps.get()
    assert "长安镇防汛抢险队" not in s.response and "长安镇" in s.response
    duty.post(r["Location"], {"title": "关于长安镇内涝的信息快报", "overview": "编辑后的概况", "time_text": "x",
                              "place_text": "y", "casualties": "z", "response": s.response, "next_steps": "n"})
    s.refresh_from_db()
    assert s.overview == "编辑后的概况"
    pdf = duty.get(f"/incidents/{inc.pk}/sitreps/{s.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.content))
    assert "编辑后的概况" in reader.pages[0].extract_text()
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]
    assert any("WenQuanYi" in str(f["/BaseFont"]) for f in fonts)  # embedded from the font package
    docx = duty.get(f"/incidents/{inc.pk}/sitreps/{s.pk}.docx")
    from docx import Document

    assert "编辑后的概况" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    duty.post(f"/incidents/{inc.pk}/sitreps/{s.pk}/", {"send": "1", "sent_to": "市政府"})
    s.refresh_from_db()
    assert s.sent_at is not None
    # Close: refused without the final report, then done.
    duty.post(f"/incidents/{inc.pk}/do/close/")
    assert Incident.objects.get(pk=inc.pk).phase == "responding"
    services.set_phase(city.duty, inc, "recovery")
    for r in inc.reports.filter(submitted_at__isnull=True):
        reporting.submit(city.duty, r, text="报告")
    duty.post(f"/incidents/{inc.pk}/do/close/")
    assert Incident.objects.get(pk=inc.pk).phase == "closed"
    assert duty.get(f"/incidents/{inc.pk}/replay/").status_code == 200
    r = duty.post(f"/incidents/{inc.pk}/review/", {"lessons": "排涝到场及时", "fu_unit": [city.town_a.pk, city.town_b.pk],
                                                   "fu_title": ["完善预警", ""], "fu_due": ["2099-01-01", "2099-01-01"]})
    assert r.status_code == 302
    page = duty.get(f"/incidents/{inc.pk}/review/").content.decode()
    assert "排涝到场及时" in page and "达标" in page


def test_optimise_page_and_workbench(city, client_for):
    a = services.report(city.duty, owner_unit=city.city, title="甲处内涝", hazard_type="flood", lng=113.2, lat=23.1)
    b = services.report(city.duty, owner_unit=city.city, title="乙处内涝", hazard_type="flood", lng=113.4, lat=23.1)
    from yingji.incidents import command

    command.add_request(city.duty, a, capability="pumping", quantity=2000)
    command.add_request(city.duty, b, capability="pumping", quantity=1000)
    command.add_request(city.duty, b, capability="hazchem", quantity=5)
    duty = client_for(city.duty)
    page = duty.get("/incidents/optimise/").content.decode()
    assert "长安镇防汛抢险队" in page and "白沙镇防汛抢险队" in page
    plan = command.optimise(city.duty)
    r = duty.post("/incidents/optimise/", {"line": [plan["assignments"][0]["value"]]})
    assert r.status_code == 302 and Dispatch.objects.count() == 1
    assert {u["capability"] for u in plan["unmet"]} == {"hazchem"}
    home = duty.get("/").content.decode()
    assert "事件看板" in home and "甲处内涝" in home


def test_bad_input_is_shown_again_never_a_500(city, client_for):
    duty = client_for(city.duty)
    r = _intake(duty, location="23.1, 113.2")
    assert r.status_code == 422 and "长安镇内涝" in r.content.decode()
    r = _intake(duty, location="abc")
    assert r.status_code == 422
    inc = services.report(city.duty, owner_unit=city.city, title="甲", hazard_type="flood", lng=113.2, lat=23.1)
    r = duty.post(f"/incidents/{inc.pk}/do/figures/", {"deaths": "-1", "reason": ""}, follow=True)
    assert r.status_code == 200
    r = duty.post(f"/incidents/{inc.pk}/do/task/", {"unit": "x", "title": "", "due": "bad"}, follow=True)
    assert r.status_code == 200
    assert duty.get(f"/incidents/{inc.pk}/sitreps/1.exe").status_code == 404
    other = client_for(city.staff_c)
    assert other.get(f"/incidents/{inc.pk}/").status_code == 404
    d = dispatching.dispatch(city.duty, inc, resource_type="teams", resource_id=city.teams["a"].pk)
    assert client_for(city.staff_b).get(f"/incidents/dispatches/{d.pk}/").status_code == 404


def test_pages_in_english(city, client_for):
    inc = services.report(city.duty, owner_unit=city.city, title="甲处内涝", hazard_type="flood", lng=113.2, lat=23.1)
    duty = client_for(city.duty)
    duty.cookies["django_language"] = "en"
    board = duty.get("/incidents/").content.decode()
    assert "Active incidents" in board and "处置中的事件" not in board
    page = duty.get(f"/incidents/{inc.pk}/").content.decode()
    assert "Recommendation and dispatch" in page and "Initial report" in page


def test_material_lots_found_and_dispatched_from_the_page(city, client_for):
    """物资调拨 on the dashboard: find an item's lots near the incident (nearest warehouse first, expired and
    empty lots left out), send a quantity, and the warehouse's acceptance issues it through the ledger."""
    import datetime as dt
    from decimal import Decimal

    from yingji.core import crud
    from yingji.resources import services as resources
    from yingji.resources.models import MaterialItem, StockBatch, Warehouse

    duty = client_for(city.duty)
    r = _intake(duty)
    inc = Incident.objects.get()
    water = MaterialItem.objects.get(code="1020201")
    far = crud.create(None, Warehouse(owner_unit=city.town_c, code="CK-C-01", name="白沙镇应急物资储备库", lat=23.10,
                                      lng=113.40))
    resources.receive(None, far, water, Decimal("80"))
    expired = resources.receive(None, far, water, Decimal("60"), batch_no="B-2019",
                                 expiry_date=dt.date(2020, 1, 1))
    expired = getattr(expired, "batch", expired)
    page = duty.get(f"/incidents/{inc.pk}/?material={water.name[-3:]}").content.decode()
    rows = [row.split("</tr>")[0] for row in page.split('data-testid="lot-row"')[1:]]
    assert [("长安镇" in row, "白沙镇" in row) for row in rows] == [(True, False), (False, True)], page
    assert f"dispatch-stock-{expired.pk}" not in page
    # Too much: the form comes back with the reason, nothing is ordered.
    r = duty.post(f"/incidents/{inc.pk}/do/dispatch/", {"resource_type": "stock", "resource_id": city.batch.pk,
                                                         "quantity": "501", "material": "饮用水"}, follow=True)
    assert "库存不足" in r.content.decode() and not Dispatch.objects.exists()
    r = duty.post(f"/incidents/{inc.pk}/do/dispatch/", {"resource_type": "stock", "resource_id": city.batch.pk,
                                                         "quantity": "120", "material": "饮用水"})
    assert r.status_code == 302 and r["Location"].endswith("#materials") and "material=" in r["Location"]
    d = Dispatch.objects.get(incident=inc)
    assert d.resource_type == "stock" and d.quantity == 120 and d.resource_unit == city.town_a
    staff = client_for(city.staff_a)
    assert staff.post(f"/incidents/dispatches/{d.pk}/", {"status": "accepted"}).status_code == 302
    assert StockBatch.objects.get(pk=city.batch.pk).quantity == Decimal("380")
    # Odd searches are answered, never a 500 (a NUL is refused by the platform's input guard with a 400).
    for q in ("\x00", "x" * 5000, "%", "'; drop table x"):
        assert duty.get(f"/incidents/{inc.pk}/", {"material": q}).status_code == (400 if q == "\x00" else 200)
