"""The resources registry in Chromium, on the demo city, in both languages: saving an unchanged form of every
writable type changes nothing; the capability picker and the stock operation form work; every resources page
(overview, each type's list, detail pages, the edit form, the import page) has no WCAG 2.1 AA violation at 390 px
and 1280 px and never scrolls sideways."""

from __future__ import annotations

import pytest
from a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
WRITABLE = ("capabilities", "materials", "warehouses", "teams", "members", "equipment", "experts", "shelters",
            "facilities")


@pytest.fixture
def city(transactional_db):
    from demo_snapshot import demo_city

    return {"password": demo_city().password}


def _session(browser, live_server, city, viewport, language):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", city["password"])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _first(key):
    from yingji.resources.registry import KINDS

    model = KINDS[key].model
    qs = model.objects.order_by("pk")
    if key == "equipment":
        qs = qs.filter(last_inspected_on__isnull=False, team__isnull=False)
    if key == "teams":
        qs = qs.exclude(capabilities={}).exclude(hazard_types=[])
    return qs.first()


def _snapshot(obj):
    from yingji.core import audit

    return audit.snapshot(type(obj).objects.get(pk=obj.pk))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_saving_an_unchanged_form_changes_nothing(browser, live_server, city, language):
    from yingji.core.models import AuditEntry

    context, page = _session(browser, live_server, city, DESKTOP, language)
    try:
        for key in WRITABLE:
            obj = _first(key)
            before, entries = _snapshot(obj), AuditEntry.objects.count()
            page.goto(f"{live_server.url}/resources/{key}/{obj.pk}/edit/")
            if key == "equipment":  # the date the browser shows is the date it sends back
                assert page.input_value("#id_last_inspected_on") == obj.last_inspected_on.isoformat()
            with page.expect_navigation():
                page.click("[data-testid=resource-form] button[type=submit]")
            errors = page.locator(".invalid-feedback, .alert-danger, .errorlist").all_inner_texts()
            assert page.url.rstrip("/").endswith(f"/resources/{key}/{obj.pk}"), (key, page.url, errors)
            assert _snapshot(obj) == before, key
            assert AuditEntry.objects.count() == entries, f"saving an unchanged {key} form wrote to the audit log"
    finally:
        context.close()


def test_capability_picker_and_hazard_tree_edit_a_team(browser, live_server, city):
    from yingji.core.models import AuditEntry

    team = _first("teams")
    context, page = _session(browser, live_server, city, PHONE, "zh-hans")
    try:
        page.goto(f"{live_server.url}/resources/teams/{team.pk}/edit/")
        rows = page.locator("[data-testid=caps-rows] .yj-caps-row")
        assert rows.count() == len(team.capabilities)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert_accessible(page)
        for _ in range(rows.count()):  # remove every capability, then add one back with a quantity
            page.locator("[data-testid=caps-rows] .yj-caps-row button").first.click()
        page.click("[data-testid=caps-add]")
        page.locator("[data-testid=caps-rows] select").first.select_option("lighting")
        page.locator("[data-testid=caps-rows] input").first.fill("6")
        assert page.locator("[data-testid=caps-rows] .input-group-text").first.inner_text() != "—"  # its unit
        page.locator("[data-testid=hazard-tree] summary").first.click()
        page.check("#id_hazard_types_natural")
        with page.expect_navigation():
            page.click("[data-testid=resource-form] button[type=submit]")
        team.refresh_from_db()
        assert team.capabilities == {"lighting": "6"}
        assert "natural" in team.hazard_types
        assert AuditEntry.objects.filter(object_type="resources.team", object_id=str(team.pk),
                                         action="update").exists()
    finally:
        context.close()


def test_stock_form_shows_the_operations_fields_and_confirms_an_issue(browser, live_server, city):
    from yingji.resources.models import StockBatch

    batch = StockBatch.objects.filter(quantity__gte=20).order_by("pk").first()
    start = batch.quantity
    context, page = _session(browser, live_server, city, PHONE, "zh-hans")
    try:
        page.goto(f"{live_server.url}/resources/stock/{batch.pk}/")
        form = page.locator("[data-testid=action-form]")
        page.select_option("#id_op", "adjust")
        assert form.locator("#id_quantity").is_visible() and not form.locator("#id_incident_ref").is_visible()
        page.select_option("#id_op", "transfer")
        assert form.locator("#id_to_warehouse").is_visible() and not form.locator("#id_incident_ref").is_visible()
        page.select_option("#id_op", "write_off")
        assert not form.locator("#id_quantity").is_visible()
        page.select_option("#id_op", "issue")
        page.fill("#id_quantity", "3")
        page.fill("#id_incident_ref", "SJ-2026-1")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        form.locator("button[type=submit]").click()
        page.wait_for_timeout(300)
        batch.refresh_from_db()
        assert asked and "SJ-2026-1" in asked[0] and batch.quantity == start  # dismissed: nothing issued
        page.once("dialog", lambda d: d.accept())
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        batch.refresh_from_db()
        assert batch.quantity == start - 3
    finally:
        context.close()


def _pages():
    from yingji.resources.models import StockBatch, Warehouse

    pages = [("/resources/", "overview")]
    pages += [(f"/resources/{key}/", key) for key in ("capabilities", "materials", "warehouses", "stock", "movements",
                                                      "teams", "members", "equipment", "inspections", "experts",
                                                      "shelters", "facilities")]
    pages += [(f"/resources/warehouses/{Warehouse.objects.order_by('pk').first().pk}/", "warehouse"),
              (f"/resources/stock/{StockBatch.objects.order_by('pk').first().pk}/", "batch"),
              (f"/resources/teams/{_first('teams').pk}/", "team"),
              (f"/resources/equipment/{_first('equipment').pk}/", "equipment-detail"),
              (f"/resources/teams/{_first('teams').pk}/edit/", "team-edit"),
              (f"/resources/equipment/{_first('equipment').pk}/edit/", "equipment-edit"),
              ("/resources/teams/import/", "import"),
              ("/resources/warehouses/?near=23.1,113.3&radius_km=5", "filter-error")]
    return pages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_resources_page_is_accessible_and_fits(browser, live_server, city, language):
    pages = _pages()
    for viewport in (PHONE, DESKTOP):
        context, page = _session(browser, live_server, city, viewport, language)
        try:
            for path, _name in pages:
                page.goto(f"{live_server.url}{path}")
                assert page.locator("h1").count() == 1, path
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
                    f"{path} scrolls sideways at {viewport['width']} px"
                if viewport is PHONE and page.locator("table.table-stack tbody tr td[data-label]").count():
                    # stacked: a row is a card whose cells show their column header
                    assert page.evaluate("getComputedStyle(document.querySelector('table.table-stack tbody tr'))"
                                         ".display") == "block", path
                assert_accessible(page)
        finally:
            context.close()
