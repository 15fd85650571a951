"""Shared fixtures: a small organisation tree, users holding roles at units, API clients."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Property tests draw the same examples on every run, so a red build is reproducible and a green one is not
# luck. YINGJI_HYPOTHESIS=explore draws fresh random examples, YINGJI_HYPOTHESIS_EXAMPLES of them per test
# (default 5,000), to look for new counterexamples; keep any it finds as an @example (docs/testing.md).
settings.register_profile("repeatable", derandomize=True, database=None, deadline=None)
settings.register_profile(
    "explore",
    derandomize=False,
    deadline=None,
    max_examples=int(os.environ.get("YINGJI_HYPOTHESIS_EXAMPLES", "5000")),
)
settings.load_profile("explore" if os.environ.get("YINGJI_HYPOTHESIS") == "explore" else "repeatable")


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: the language middleware activates the request's language on
    the thread, so a test that asked for English pages left later tests in the same worker in English."""
    from django.conf import settings as django_settings
    from django.utils import translation

    if not django_settings.configured:  # `-p no:django` runs the pure-domain tests without Django
        yield
        return
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture
def tree(db):
    """city ─┬─ district A ─┬─ town A1 ── enterprise E1
    │              └─ town A2
    ├─ district B ─── town B1
    └─ department D"""
    from yingji.core import services, vocabulary
    from yingji.core.models import OrgUnitKind as K

    vocabulary.seed_hazard_types()  # a transactional test before this one may have flushed the migrations' rows
    city = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY)
    a = services.create_unit(None, parent=city, code="990101", name="甲区", kind=K.DISTRICT)
    b = services.create_unit(None, parent=city, code="990102", name="乙区", kind=K.DISTRICT)
    a1 = services.create_unit(
        None, parent=a, code="990101001", name="甲一街道", kind=K.TOWN, lat=23.1, lng=113.3
    )
    a2 = services.create_unit(None, parent=a, code="990101002", name="甲二镇", kind=K.TOWN)
    b1 = services.create_unit(None, parent=b, code="990102001", name="乙一街道", kind=K.TOWN)
    e1 = services.create_unit(
        None, parent=a1, code="91990100000000001X", name="某化工有限公司", kind=K.ENTERPRISE
    )
    d = services.create_unit(
        None, parent=city, code="11990100MB0000001", name="应急管理局", kind=K.DEPARTMENT
    )
    return {"city": city, "A": a, "B": b, "A1": a1, "A2": a2, "B1": b1, "E1": e1, "D": d}


@pytest.fixture
def make_user(db):
    from yingji.core import services

    counter = {"n": 0}

    def make(role: str | None, unit, username: str | None = None, password: str = "correct-horse-9"):
        counter["n"] += 1
        name = username or f"{role or 'nobody'}{counter['n']}"
        user = services.create_user(None, username=name, password=password, unit=unit)
        if role:
            services.assign_role(None, user, role, unit)
        return user

    return make


@pytest.fixture
def client_for(client):
    """A Django test client logged in as the given user (a fresh one per call)."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    """PBKDF2's deliberate slowness protects stored passwords, not tests; the login tests still use hashes.

    Pure-domain tests also run without Django (`-p no:django`); then there is nothing to configure."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(request, tmp_path):
    """Each test seals audit checkpoints into its own folder, so one test's checkpoint never judges another's
    database."""
    if not request.config.pluginmanager.hasplugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.YINGJI = {**settings.YINGJI, "AUDIT_CHECKPOINT_DIR": str(tmp_path / "checkpoints")}
