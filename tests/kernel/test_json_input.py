"""Hostile JSON text (nested 100,000 deep, numbers of 5,000 digits) wherever people type JSON: the shared reader
`yingji.core.jsontext`, the one geometry validator every geometry field uses, the generic form's JSON fields
and the importer. Each is a clear refusal in the user's language, never a 500."""

from __future__ import annotations

import pytest
from django.utils import translation

from yingji.core import jsontext
from yingji.core.errors import ValidationFailed
from yingji.core.geojson import validate_geometry

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a": ' * 5_000 + "1" + "}" * 5_000
HUGE = "1" + "0" * 5_000
SQUARE = '{"type": "Polygon", "coordinates": [[[113.0, 23.0], [113.1, 23.0], [113.1, 23.1], [113.0, 23.0]]]}'


@pytest.mark.parametrize(("text", "code"), [
    (DEEP, "json_too_deep"), (DEEP_OBJECT, "json_too_deep"), ("[" * 65 + "]" * 65, "json_too_deep"),
    (HUGE, "json_number_too_long"), ("[1, " + HUGE + "]", "json_number_too_long"), ("{", "bad_json"),
    (b"\xff[]", "bad_json")])
def test_jsontext_refuses_what_json_loads_would_crash_on(text, code):
    with pytest.raises(jsontext.JsonTextError) as err:
        jsontext.loads(text)
    assert err.value.code == code and isinstance(err.value, ValueError)


def test_jsontext_reads_ordinary_json_and_keeps_its_limits():
    assert jsontext.loads("[" * 64 + "]" * 64) is not None
    assert jsontext.loads('{"a": [1, 2.5, "x", null, true]}') == {"a": [1, 2.5, "x", None, True]}
    assert jsontext.loads(b'{"n": 123456789012345678901234567890}')["n"] == 123456789012345678901234567890
    with pytest.raises(jsontext.JsonTextError, match="4"):
        jsontext.loads("[1, 2]", max_chars=4)
    with translation.override("en"):
        with pytest.raises(jsontext.JsonTextError, match="nested too deeply"):
            jsontext.loads(DEEP)
    with translation.override("zh-hans"):
        with pytest.raises(jsontext.JsonTextError, match="嵌套过深"):
            jsontext.loads(DEEP)


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, HUGE, SQUARE.replace("113.0, 23.0]]]", "113.0, " + HUGE + "]]]")])
def test_every_geometry_field_refuses_hostile_text(text):
    with pytest.raises(ValidationFailed) as err:
        validate_geometry(text, field="area")
    assert err.value.code == "bad_geometry" and "area" in err.value.details


def test_a_deeply_nested_geometry_object_is_refused():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(ValidationFailed):
        validate_geometry({"type": "Polygon", "coordinates": deep})
    assert validate_geometry(SQUARE)["type"] == "Polygon"


@pytest.mark.parametrize("text", [DEEP, DEEP_OBJECT, HUGE])
def test_generic_form_json_fields_refuse_hostile_text(world, client_for, text):
    """A hazard area's boundary on the generic form (Django's JSON form field caught only syntax errors)."""
    from yingji.core import services
    from yingji.core.roles import RoleCode

    user = services.create_user(None, username="areas", password="correct-horse-9", unit=world.city)
    services.assign_role(None, user, RoleCode.SYSTEM_ADMIN, world.city)
    r = client_for(user).post("/risk/areas/new/", {"owner_unit": world.city.pk, "code": "HA-1", "name": "x",
                                                   "area_type": "flood", "boundary": text})
    assert r.status_code == 422
    assert "boundary" in r.context["form"].errors


def test_warning_area_refuses_hostile_text(world, client_for):
    from yingji.core import services
    from yingji.core.roles import RoleCode

    user = services.create_user(None, username="warner", password="correct-horse-9", unit=world.city)
    services.assign_role(None, user, RoleCode.SYSTEM_ADMIN, world.city)
    r = client_for(user).post("/warnings/new/", {
        "owner_unit": world.city.pk, "headline": "暴雨", "hazard_type": "rainstorm", "level": "3",
        "onset": "2030-01-01T08:00", "expires": "2030-01-01T20:00", "area": DEEP})
    assert r.status_code in (200, 422) and r.status_code != 500
    assert "JSON" in r.content.decode()
