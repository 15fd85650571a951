"""The map's features and layers: each type's symbol and status colours come from its Kind, the popup rows are
rendered on the server in the user's language, and personal numbers in a popup follow the privacy rule."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.core import commitments
from yingji.core.kinds.geo import STATUS_COLOURS, map_layers
from yingji.core.roles import RoleCode
from yingji.core.views import map_context, unit_layers
from yingji.resources import services
from yingji.resources.models import Expert, Team

pytestmark = pytest.mark.django_db
API = "/api/v1/resources"
MOBILE = "13912345678"


def _client(user, language="zh-hans") -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = language
    return c


def _team(world, **extra) -> Team:
    return services.create(None, Team, {"owner_unit": world.town_a, "code": "DW-1", "name": "长安防汛队",
                                        "kind": "professional", "specialty": "flood", "lng": 113.2, "lat": 23.1,
                                        "headcount": 24, "duty_phone": "020-8888 1234",
                                        "capabilities": {"pumping": "2000"}, **extra})


def _rows(feature) -> dict:
    return {label: (text, href) for label, text, href in feature["properties"]["popup"]}


def test_team_feature_carries_availability_and_what_an_officer_needs(world):
    team = _team(world)
    c = _client(world.viewer)
    feature = c.get(f"{API}/teams/geojson").json()["features"][0]
    assert feature["properties"]["status"] == "available"
    rows = _rows(feature)
    assert rows["可调用状态"] == ("可调用", None)
    assert rows["战备状态"] == ("随时待命", None)
    assert rows["人数"] == ("24", None)
    assert rows["所属单位"] == ("长安镇", None)
    assert rows["能力"][0] == "排涝 2000 m³/h"
    assert rows["值班电话"] == ("020-8888 1234", "tel:02088881234")
    assert "负责人" not in rows  # empty values are left out
    commitments.commit(None, team, purpose="外区支援")
    feature = c.get(f"{API}/teams/geojson").json()["features"][0]
    assert feature["properties"]["status"] == "committed"
    assert _rows(feature)["可调用状态"][0] == "执行任务中"


def test_popup_quantities_read_as_numbers(world):
    from yingji.resources.models import Warehouse

    services.create(None, Warehouse, {"owner_unit": world.town_a, "code": "CK-1", "name": "长安库", "lng": 113.2,
                                      "lat": 23.1, "capacity_m3": "1500.000", "phone": "0999-8000001"})
    feature = _client(world.viewer).get(f"{API}/warehouses/geojson").json()["features"][0]
    assert feature["properties"]["status"] == "true"
    rows = _rows(feature)
    assert rows["库容 (m³)"] == ("1500", None) and rows["启用"] == ("是", None)


def test_popup_rows_follow_the_users_language(world):
    _team(world)
    rows = _rows(_client(world.viewer, "en").get(f"{API}/teams/geojson").json()["features"][0])
    assert rows["Duty phone"][0] == "020-8888 1234"
    assert rows["Readiness"][0] != "随时待命" and rows["Readiness"][0]


def test_a_personal_number_in_a_popup_is_masked_for_those_who_may_not_see_it(world, monkeypatch):
    """Experts' numbers are not personal fields today (docs/decisions/0017 leaves it open); once a model says
    so, its popup follows the same rule as the API and pages."""
    monkeypatch.setattr(Expert, "personal_fields", frozenset({"phone"}), raising=False)
    services.create(None, Expert, {"owner_unit": world.town_a, "name": "王工", "category": "防汛",
                                   "phone": MOBILE, "lng": 113.2, "lat": 23.1})

    def phone_for(user):
        response = _client(user).get(f"{API}/experts/geojson")
        return _rows(response.json()["features"][0])["联系电话"], response.content.decode()

    (masked, href), text = phone_for(world.viewer)
    assert masked == "139****5678" and href is None and MOBILE not in text
    (shown, href), _ = phone_for(world.duty)
    assert shown == MOBILE and href == f"tel:{MOBILE}"
    (shown, _href), _ = phone_for(world.staff_a)  # keeps the record in its own town
    assert shown == MOBILE
    (masked, _href), _ = phone_for(world.staff_b)  # the neighbouring town's staff
    assert masked == "139****5678"


def test_the_experts_number_is_shown_while_it_is_not_a_personal_field(world):
    services.create(None, Expert, {"owner_unit": world.town_a, "name": "王工", "category": "防汛",
                                   "phone": MOBILE, "lng": 113.2, "lat": 23.1})
    feature = _client(world.viewer).get(f"{API}/experts/geojson").json()["features"][0]
    assert _rows(feature)["联系电话"] == (MOBILE, f"tel:{MOBILE}")


def test_every_resource_layer_has_its_own_symbol_and_a_legend_for_its_colours(world):
    layers = map_layers("resources")
    assert [layer["kind"] for layer in layers] == ["warehouses", "teams", "equipment", "experts", "shelters",
                                                   "facilities"]
    symbols = {(layer["symbol"]["shape"], layer["symbol"]["letter"]) for layer in layers}
    assert len(symbols) == len(layers) and all(letter for _s, letter in symbols)
    teams = next(layer for layer in layers if layer["kind"] == "teams")
    assert [(s["value"], s["label"], s["colour"]) for s in teams["statuses"]] == [
        ("available", "可调用", STATUS_COLOURS["ok"]), ("committed", "执行任务中", STATUS_COLOURS["warn"]),
        ("unavailable", "不可用", STATUS_COLOURS["bad"])]
    shelters = next(layer for layer in layers if layer["kind"] == "shelters")
    assert [(s["value"], s["label"]) for s in shelters["statuses"]] == [("true", "开放"), ("false", "未开放")]


def test_units_are_drawn_below_resources_in_declared_order(world):
    mixed = map_layers("resources")[:2] + unit_layers({"district", "town"}) + map_layers("resources")[2:]
    order = [layer["kind"] for layer in map_context(mixed)["layers"]]
    assert order == ["district", "town", "warehouses", "teams", "equipment", "experts", "shelters", "facilities"]


def test_map_pages_offer_the_nearest_tool_and_translated_words(world):
    page = _client(world.duty).get("/map/")
    assert page.status_code == 200
    config = page.context["map_config"]
    assert config["nearest"]["url"] == f"{API}/nearest" and config["nearest"]["types"] == ["teams", "equipment",
                                                                                             "experts"]
    assert config["text"]["legend"] == "图层与图例"
    en = _client(world.duty, "en").get("/resources/map/").context["map_config"]
    assert en["text"]["legend"] == "Layers and legend"
    assert [layer["kind"] for layer in _client(world.duty).get("/resources/map/").context["layers"]][0] == "town"


def test_layers_declare_their_colours_not_the_script(world):
    """The map script draws what the layer says: no type's colour or letter is written in map.js."""
    from pathlib import Path

    import yingji.core

    script = (Path(yingji.core.__file__).parent / "static/yingji/map.js").read_text()
    for layer in map_layers("resources") + unit_layers():
        assert layer["symbol"]["colour"] not in script
        assert f'"{layer["kind"]}"' not in script


@pytest.mark.parametrize("role", [RoleCode.VIEWER, RoleCode.DUTY_OFFICER])
def test_team_duty_phone_is_organisational_and_shown_to_all(world, make_user_at_city, role):
    _team(world)
    feature = _client(make_user_at_city(role)).get(f"{API}/teams/geojson").json()["features"][0]
    assert _rows(feature)["值班电话"][1] == "tel:02088881234"


@pytest.fixture
def make_user_at_city(world):
    from yingji.core import services as core
    from yingji.core.models import User

    def make(role):
        user = core.create_user(None, username=f"u-{role}", password="correct-horse-battery-9", unit=world.city)
        core.assign_role(None, user, role, world.city)
        return User.objects.get(pk=user.pk)

    return make
