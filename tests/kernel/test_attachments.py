"""Attachments on any subject: limits, hashes, thumbnails, and downloads checked against the subject."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.test import Client
from PIL import Image
from tests.sample_app.models import Hydrant

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _upload(client, subject, name, content, **extra):
    f = io.BytesIO(content)
    f.name = name
    return client.post("/api/v1/attachments", {"subject_type": "sample.hydrant", "subject_id": subject.pk,
                                               "file": f, **extra})


@pytest.fixture
def hydrant(world):
    return Hydrant.objects.create(owner_unit=world.town_a, code="H-1", name="栓")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_photo_upload_hash_thumbnail_list_download(world, hydrant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = _client(world.staff_a)
    png = _png()
    r = _upload(c, hydrant, "现场照片.png", png, note="渗漏")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sha256"] == hashlib.sha256(png).hexdigest() and body["size"] == len(png) and body["has_thumbnail"]
    listed = c.get(f"/api/v1/attachments?subject_type=sample.hydrant&subject_id={hydrant.pk}").json()
    assert [a["name"] for a in listed["items"]] == ["现场照片.png"]
    got = c.get(f"/api/v1/attachments/{body['id']}/download")
    assert b"".join(got.streaming_content) == png
    thumb = b"".join(c.get(f"/files/{body['id']}/?thumb=1").streaming_content)
    assert Image.open(io.BytesIO(thumb)).size[0] <= 320
    # Another town sees neither the list nor the file (404, like a missing one).
    other = _client(world.staff_b)
    assert other.get(f"/api/v1/attachments/{body['id']}/download").status_code == 404
    assert other.get(f"/files/{body['id']}/").status_code == 404


@pytest.mark.parametrize(("name", "content", "code"), [
    ("virus.jpg", b"MZ\x90\x00 not a jpeg", "bad_type"),
    ("run.exe", b"MZ\x90\x00", "bad_type"),
    ("empty.pdf", b"", "validation_failed"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "bad_image"),
])
def test_bad_files_get_a_clear_error_and_change_nothing(world, hydrant, settings, tmp_path, name, content, code):
    settings.MEDIA_ROOT = tmp_path
    r = _upload(_client(world.staff_a), hydrant, name, content)
    assert r.status_code == 422 and r.json()["error"]["code"] == code
    assert not list(tmp_path.rglob("*.*"))


def test_size_limit(world, hydrant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.YINGJI = {**settings.YINGJI, "ATTACHMENT_MAX_MB": 0.001}
    r = _upload(_client(world.staff_a), hydrant, "big.pdf", b"%PDF-" + b"x" * 5000)
    assert r.status_code == 422 and r.json()["error"]["code"] == "too_large"


def test_read_only_roles_cannot_upload(world, hydrant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert _upload(_client(world.viewer), hydrant, "a.pdf", b"%PDF-1.4").status_code == 403
    assert _upload(_client(world.staff_a), hydrant, "a.pdf", b"%PDF-1.4", subject_id=999999).status_code in (404, 422)
