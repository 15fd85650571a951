"""The hazard taxonomy and levels, as other systems and the pages read them."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.core import vocabulary
from yingji.core.levels import COLOURS, EventLevel, RiskLevel, WarningLevel, colour_of

pytestmark = pytest.mark.django_db


def test_hazard_types_api_lists_codes_names_parents(world):
    c = Client()
    c.force_login(world.viewer)
    body = c.get("/api/v1/hazard-types").json()
    by_code = {h["code"]: h for h in body["items"]}
    assert {"natural", "accident", "public_health", "social_security"} <= set(by_code)
    assert by_code["flash_flood"]["parent"] == "flood_drought" and by_code["flash_flood"]["name"] == "山洪"
    assert by_code["wsa10009"]["standard_code"] == "WSA10009" and by_code["wsa10009"]["code_status"] == "standard"
    tree = c.get("/api/v1/hazard-types/tree").json()["items"]
    assert [t["code"] for t in tree] == ["natural", "accident", "public_health", "social_security"]
    assert Client().get("/api/v1/hazard-types").status_code == 401


def test_english_names_and_parsing():
    from django.utils import translation

    with translation.override("en"):
        assert vocabulary.hazard_labels(["flash_flood"]) == "Flash flood"
    assert vocabulary.parse_hazards("山洪、Landslide；typhoon") == ["flash_flood", "landslide", "typhoon"]
    assert vocabulary.with_ancestors(["flash_flood"]) == {"flash_flood", "flood_drought", "natural"}


def test_one_level_family_one_colour_map():
    assert EventLevel.I == WarningLevel.RED == RiskLevel.MAJOR == 1
    assert colour_of(WarningLevel.RED)["name"] == "red" and colour_of(4)["name"] == "blue"
    assert set(COLOURS) == {1, 2, 3, 4}


def test_the_stylesheet_uses_the_one_colour_map():
    import re
    from importlib import resources

    css = resources.files("yingji.core").joinpath("static/yingji/app.css").read_text("utf-8")
    for level, colour in COLOURS.items():
        assert re.search(rf"--yj-level-{level}:\s*{colour['bg']}", css, re.I), level


@pytest.mark.django_db(transaction=True)
def test_reference_rows_come_back_after_a_flush():
    """A flushed database (`flush`, or a transactional test's teardown) gets the shipped vocabularies and each
    module's reference rows back through post_migrate, not only a database built by the data migrations."""
    from django.core.management import call_command

    from yingji.alerts.models import ChainLink
    from yingji.core.models import HazardType
    from yingji.supervision.models import ResultCode

    call_command("flush", interactive=False, verbosity=0)
    assert HazardType.objects.filter(code="flash_flood").exists()
    assert set(ResultCode.objects.values_list("code", flat=True)) == {"A", "B", "C", "D"}
    assert ChainLink.objects.filter(cause="typhoon").exists()
    from django.utils import translation

    with translation.override("en"):
        assert vocabulary.hazard_labels(["flash_flood"]) == "Flash flood"
    # Rows an administrator removed stay removed on the next migrate: only an empty table is seeded.
    ResultCode.objects.filter(code="D").delete()
    call_command("migrate", verbosity=0)
    assert not ResultCode.objects.filter(code="D").exists()


# Labels that are the same words in both languages (none today; an abbreviation like "CBRN" would be one).
SAME_IN_BOTH: set[str] = set()


def test_every_hazard_label_has_an_english_translation_and_labels_are_unique():
    """The pickers on /monitoring/rules/<id>/ and /warnings/new/ showed 25 accident types in Chinese on English
    pages, and 'Landslide' twice (a geological disaster and GB 6441's accident type)."""
    from django.utils import translation

    vocabulary.seed_hazard_types()
    with translation.override("zh-hans"):
        zh = vocabulary.hazard_names()
    with translation.override("en"):
        en = vocabulary.hazard_names()
    assert set(zh) == set(en) and len(zh) >= 80
    same = {code for code in zh if zh[code] == en[code]} - SAME_IN_BOTH
    assert not same, same
    for labels in (zh, en):
        assert len(set(labels.values())) == len(labels), [v for v in labels.values() if list(labels.values()).count(v) > 1]
    assert en["landslide"] != en["wsa10025"] and zh["landslide"] != zh["wsa10025"]
    assert "Struck by object" == en["wsa10001"]


def test_a_database_seeded_before_the_english_names_gets_them():
    from yingji.core.models import HazardType

    HazardType.objects.filter(code__startswith="wsa").update(name_en="")
    HazardType.objects.filter(code="landslide").update(name_en="Mudslide (edited)")  # an administrator's words stay
    vocabulary.seed_hazard_types()
    assert not HazardType.objects.filter(name_en="").exists()
    assert HazardType.objects.get(code="landslide").name_en == "Mudslide (edited)"


def test_a_shared_name_stays_plain_for_the_hazard_and_labels_read_back():
    from django.utils import translation

    vocabulary.seed_hazard_types()
    with translation.override("zh-hans"):
        names = vocabulary.hazard_names()
        assert names["landslide"] == "滑坡" and names["wsa10025"] == "滑坡（事故灾难）"
        assert vocabulary.parse_hazards("滑坡、滑坡（事故灾难）") == ["landslide", "wsa10025"]
    with translation.override("en"):
        assert vocabulary.parse_hazards(vocabulary.hazard_labels(["wsa10025", "wsa10001"])) == ["wsa10025", "wsa10001"]
