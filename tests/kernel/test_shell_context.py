"""The shell's template context carries only what templates use, never secrets from the settings."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_context_has_no_settings_secrets(world, settings):
    settings.YINGJI = {**settings.YINGJI, "MQTT_URL": "mqtt://user:s3cret@broker:1883", "AUDIT_KEY": "k3y"}
    c = Client()
    c.force_login(world.duty)
    r = c.get("/map/")
    assert set(r.context["yingji_tiles"]) == {"TILE_URL", "TILE_ATTRIBUTION", "TILE_CRS"}
    page = r.content.decode()
    assert "s3cret" not in page and "k3y" not in page


def test_exercise_rows_are_labelled_in_exports(world):
    from tests.sample_app.models import (
        Hydrant,
        Pump,  # noqa: F401 — pumps are not exercises; hydrants are
    )

    Hydrant.objects.create(owner_unit=world.town_a, code="H-X", name="演练栓", is_exercise=True)
    c = Client()
    c.force_login(world.staff_a)
    text = c.get("/api/v1/sample/hydrants/export?format=csv").content.decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    assert header.split(",")[-1] == "演练" and row.split(",")[-1] == "是"


def test_the_audit_seal_runs_as_a_periodic_job(world, settings, tmp_path):
    from yingji.core import jobs
    from yingji.core.chains import checkpoint_dir

    assert "core.audit_seal" in {j.name for j in jobs.jobs()}
    before = set(checkpoint_dir().glob("*.json")) if checkpoint_dir().exists() else set()
    from yingji.core.kernel_jobs import seal_audit

    seal_audit.call_local() if hasattr(seal_audit, "call_local") else seal_audit()
    assert len(set(checkpoint_dir().glob("*.json")) - before) == 1
