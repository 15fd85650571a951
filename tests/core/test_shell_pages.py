"""The shell without a browser: language precedence, error pages, the unknown-host hint, assets, the audit page."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from yingji.core import services
from yingji.core.models import AuditEntry
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db


# --- language: YINGJI_LANGUAGE beats Accept-Language; the user's switch beats both ---------------------------

def test_browser_language_does_not_override_the_configured_default(tree):
    r = Client(headers={"Accept-Language": "en-US,en;q=0.9"}).get("/login/")
    assert '<html lang="zh-hans">' in r.content.decode() and "Log in" not in r.content.decode()


def test_configured_english_default_beats_a_chinese_browser(tree, settings):
    settings.LANGUAGE_CODE = "en"
    r = Client(headers={"Accept-Language": "zh-CN"}).get("/login/")
    assert '<html lang="en">' in r.content.decode() and "Log in" in r.content.decode()


def test_users_explicit_switch_still_wins(tree):
    c = Client(headers={"Accept-Language": "zh-CN"})
    c.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in c.get("/login/").content.decode()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "登录" in c.get("/login/").content.decode()


def test_unknown_language_cookie_falls_back_to_default(tree, settings):
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-nonsense"
    assert '<html lang="zh-hans">' in c.get("/login/").content.decode()


# --- error pages ----------------------------------------------------------------------------------------------

def test_unknown_page_is_a_styled_404_in_the_users_language(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.VIEWER, tree["A"]))
    r = c.get("/no/such/page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and 'data-testid="error-page"' in body
    assert 'data-nav="home"' in body  # the shell, with its navigation, not Django's bare page
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Page not found" in c.get("/no/such/page/").content.decode()


def test_404_for_anonymous_user_has_no_navigation_but_is_styled(tree):
    r = Client().get("/nothing-here")
    assert r.status_code == 404 and "页面不存在" in r.content.decode() and "bootstrap.min.css" in r.content.decode()


def test_api_paths_keep_json_errors(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.VIEWER, tree["A"]))
    r = c.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    assert r.json()["error"]["code"] == "not_found"


def test_403_page_is_styled(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.VIEWER, tree["A"]))
    r = c.get("/audit/")
    assert r.status_code == 403 and 'data-testid="error-page"' in r.content.decode()


def test_handlers_answer_json_under_api_and_a_page_elsewhere(tree):
    from django.core.exceptions import PermissionDenied

    from yingji.core import views

    rf = RequestFactory()
    api = views.permission_denied(rf.get("/api/v1/units/"), PermissionDenied())
    assert api.status_code == 403 and b'"permission_denied"' in api.content
    page = views.server_error(rf.get("/units/"))
    assert page.status_code == 500 and "系统出错".encode() in page.content
    assert views.server_error(rf.get("/api/v1/x")).status_code == 500


def test_lan_address_not_in_allowed_hosts_names_the_setting(tree):
    r = Client(HTTP_HOST="192.168.1.23:8000").get("/")
    body = r.content.decode()
    assert r.status_code == 400
    assert "YINGJI_ALLOWED_HOSTS" in body and "192.168.1.23" in body


def test_disallowed_host_page_escapes_the_host(tree):
    r = Client(HTTP_HOST="x.example<script>").get("/")
    assert r.status_code == 400 and "<script>" not in r.content.decode()


def test_favicon_and_vendor_assets_are_served(tree):
    c = Client()
    r = c.get("/favicon.ico")
    assert r.status_code == 301 and r["Location"].endswith("/static/yingji/favicon.svg")
    for path in ("/static/yingji/favicon.svg", "/static/vendor/bootstrap/css/bootstrap.min.css",
                 "/static/vendor/bootstrap/js/bootstrap.bundle.min.js", "/static/ninja/swagger-ui-bundle.js"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        b"".join(resp.streaming_content) if resp.streaming else resp.content


def test_api_docs_reference_local_assets_only(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.VIEWER, tree["A"]))
    body = c.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in body and "cdn" not in body.lower()


# --- the audit log in human words -----------------------------------------------------------------------------

def test_audit_page_shows_words_names_and_a_type_picker(tree, make_user, client_for):
    admin = make_user(RoleCode.SYSTEM_ADMIN, tree["city"], username="wang")
    admin.display_name = "王主任"
    admin.save(update_fields=["display_name"])
    services.update_unit(admin, tree["A1"], {"name": "甲一街道（新）"})
    assert AuditEntry.objects.filter(action="update", actor_name="wang").exists()

    body = client_for(admin).get("/audit/?object_type=core.orgunit").content.decode()
    row = body[body.index("甲一街道（新）") - 600:body.index("甲一街道（新）")]
    assert "王主任" in row and "修改" in row and "组织单位" in row
    assert ">update<" not in body and "core.orgunit #" not in body
    assert '<option value="core.orgunit" selected>组织单位</option>' in body
    assert '<option value="core.user">用户</option>' in body  # every audited type the user may read


def test_audit_page_in_english(tree, make_user, client_for):
    admin = make_user(RoleCode.SYSTEM_ADMIN, tree["city"])
    services.update_unit(admin, tree["A1"], {"name": "甲一街道（新）"})
    c = client_for(admin)
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = c.get("/audit/").content.decode()
    assert "Updated" in body and "Organisation unit" in body
