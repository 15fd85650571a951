"""The supervision pages: my unit's desk with counts, the task page's forms, the list with filters and export,
the ranking and the monthly report (.xlsx and a PDF whose Chinese text is in an embedded font)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from tests.supervision.conftest import SEED_SCORES, in_days

from yingji.core.models import AuditEntry
from yingji.supervision import services
from yingji.supervision.models import Assignment, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(motion):
    t = services.create_task(motion.officer, owner_unit=motion.bureau, requester_unit=motion.congress,
                             title="关于加强应急救援体系建设的议案", reference="100202202240133")
    return services.assign(motion.officer, t, lead=(motion.bureau, in_days(30)), co=[(motion.fire, in_days(2))])


def _counts(html: str, key: str) -> int:
    import re

    m = re.search(rf'data-testid="count-{key}"[^>]*><b>(\d+)</b>', html)
    assert m, key
    return int(m.group(1))


def test_desk_counts_and_signing_from_it(motion, assigned, client_for):
    c = client_for(motion.fire1)
    html = c.get("/supervision/").content.decode()
    assert _counts(html, "to_sign") == 1 and _counts(html, "due_soon") == 1 and _counts(html, "overdue") == 0
    a = Assignment.objects.get(task=assigned, owner_unit=motion.fire)
    r = c.post(f"/supervision/tasks/{assigned.pk}/sign/", {"assignment": a.pk})
    assert r.status_code == 302
    html = c.get("/supervision/").content.decode()
    assert _counts(html, "to_sign") == 0 and _counts(html, "in_progress") == 1
    # the live fragment answers 304 to a matching ETag
    r1 = c.get("/supervision/inbox/live/")
    assert r1.status_code == 200 and r1.has_header("ETag")
    assert c.get("/supervision/inbox/live/", HTTP_IF_NONE_MATCH=r1["ETag"]).status_code == 304


def test_reply_and_feedback_forms(motion, assigned, client_for):
    m = motion
    fire, officer, deputy = client_for(m.fire1), client_for(m.officer), client_for(m.deputy)
    url = f"/supervision/tasks/{assigned.pk}/"
    for who, unit in ((fire, m.fire), (officer, m.bureau)):
        a = Assignment.objects.get(task=assigned, owner_unit=unit)
        who.post(url + "sign/", {"assignment": a.pk})
        page = who.get(url).content.decode()
        assert 'data-testid="reply-form"' in page
        r = who.post(url + "reply/", {"assignment": a.pk, "reply-result_code": "A", "reply-comm_mode": "phone"})
        assert r.status_code == 302, r.content.decode()[:2000]
    page = deputy.get(url).content.decode()
    assert 'data-testid="feedback-form"' in page
    before = AuditEntry.objects.count()
    bad = {"feedback-satisfaction": "satisfied", **{f"feedback-score_{i}": v for i, v in enumerate([20, 20, 31, 28])}}
    r = deputy.post(url + "feedback/", bad)
    assert r.status_code == 422 and "超出范围" in r.content.decode()
    assert AuditEntry.objects.count() == before and Task.objects.get(pk=assigned.pk).state == "replied"
    r = fire.post(url + "feedback/", {**bad, "feedback-score_2": 28})  # a handling unit may not score
    assert r.status_code in (403, 404)
    good = {"feedback-satisfaction": "satisfied",
            **{f"feedback-score_{i}": v for i, v in enumerate(SEED_SCORES.values())}}
    assert deputy.post(url + "feedback/", good).status_code == 302
    t = Task.objects.get(pk=assigned.pk)
    assert (t.state, t.scores) == ("closed", SEED_SCORES)
    page = officer.get(url).content.decode()
    assert 'data-testid="feedback"' in page and "28 / 30" in page
    # reply after closure through the page: refused, nothing written
    a = Assignment.objects.get(task=assigned, owner_unit=m.fire)
    before = AuditEntry.objects.count()
    r = fire.post(url + "reply/", {"assignment": a.pk, "reply-result_code": "B"})
    assert r.status_code == 409 and "办结" in r.content.decode()
    assert AuditEntry.objects.count() == before


def test_assign_form_refuses_a_past_deadline(motion, client_for):
    m = motion
    c = client_for(m.officer)
    r = c.post("/supervision/tasks/new/", {"title": "新议案", "requester_unit": m.congress.pk,
                                          "owner_unit": m.bureau.pk, "urgency": 3})
    assert r.status_code == 302
    t = Task.objects.get(title="新议案")
    r = c.post(f"/supervision/tasks/{t.pk}/assign/", {"assign-lead_unit": m.bureau.pk,
                                                      "assign-lead_deadline": "2001-01-01"})
    assert r.status_code == 422 and "早于交办日期" in r.content.decode()
    assert Task.objects.get(pk=t.pk).state == "draft" and not Assignment.objects.filter(task=t).exists()


def test_list_filters_and_export(motion, assigned, client_for):
    from openpyxl import load_workbook

    c = client_for(motion.officer)
    assert "100202202240133" in c.get("/supervision/tasks/", {"q": "0133"}).content.decode()
    assert "100202202240133" not in c.get("/supervision/tasks/", {"q": "无此事项"}).content.decode()
    r = c.get("/supervision/tasks/export.xlsx", {"q": "0133"})
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.values)
    assert rows[1][0] == "100202202240133" and rows[1][4] == motion.bureau.name
    assert "100202202240133" not in client_for(motion.stranger).get("/supervision/tasks/").content.decode()


def _seed_like_history(m):
    """Motion 0133 as the seed records it, dated as it happened (the system may record history)."""
    tz = timezone.get_current_timezone()
    at = lambda s: dt.datetime.fromisoformat(s).replace(tzinfo=tz)  # noqa: E731
    t = services.create_task(None, owner_unit=m.bureau, requester_unit=m.congress, title="关于加强应急救援体系建设的议案",
                             reference="100202202240133", at=at("2022-02-24 09:00"))
    services.assign(None, t, lead=(m.bureau, dt.date(2022, 6, 30)), co=[(m.fire, dt.date(2022, 5, 31))],
                    at=at("2022-03-01 09:00"), notify=False)
    lead, co = (Assignment.objects.get(task=t, owner_unit=u) for u in (m.bureau, m.fire))
    services.sign(None, lead, at=at("2022-03-02 09:00"))
    services.sign(None, co, at=at("2022-03-02 10:00"))
    services.reply(None, co, result_code="B", comm_mode="phone", at=at("2022-06-02 16:12"))
    services.reply(None, lead, result_code="A", comm_mode="phone", at=at("2022-06-30 16:56"))
    services.feedback(None, t, scores=SEED_SCORES, satisfaction="satisfied", at=at("2022-12-15 17:07"))
    return t


def test_ranking_shows_the_co_handlers_late_reply(motion, client_for):
    from yingji.supervision import reports

    _seed_like_history(motion)
    rows = {f.unit: f for f in reports.ranking(motion.officer, dt.date(2022, 1, 1), dt.date(2022, 12, 31))}
    bureau, fire = rows[motion.bureau.name], rows[motion.fire.name]
    assert (bureau.lead_total, bureau.lead_rate, bureau.overdue) == (1, 100.0, 0)
    assert (fire.co_total, fire.co_rate, fire.overdue) == (1, 0.0, 1)
    assert bureau.avg_scores == {"办理态度": 20, "联系沟通": 20, "答复质量": 28, "问题解决": 28}
    assert bureau.satisfied_rate == 100.0
    page = client_for(motion.officer).get("/supervision/ranking/", {"start": "2022-01-01", "end": "2022-12-31"})
    html = page.content.decode()
    assert f'data-testid="rank-{motion.fire.name}"' in html and "0.0%" in html


def test_monthly_report_xlsx_and_pdf_with_embedded_cjk_font(motion, client_for):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    _seed_like_history(motion)
    c = client_for(motion.officer)
    r = c.get("/supervision/report.xlsx", {"month": "2022-06"})
    rows = list(load_workbook(io.BytesIO(r.content)).active.values)
    assert rows[0][0].startswith("督查督办月报") and {row[0] for row in rows[2:]} == {motion.bureau.name}
    r = c.get("/supervision/report.pdf", {"start": "2022-05-01", "end": "2022-06-30"})
    assert r["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(r.content))
    text = reader.pages[0].extract_text()
    assert "督查督办月报" in text and motion.fire.name in text and "协办按时办结率" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = []
    for ref in fonts.values():
        font = ref.get_object()
        for desc in font.get("/DescendantFonts", []):
            fd = desc.get_object()["/FontDescriptor"].get_object()
            embedded.append((str(font["/BaseFont"]), "/FontFile2" in fd or "/FontFile3" in fd))
    assert embedded and all(ok for _n, ok in embedded) and any("WenQuanYi" in n for n, _ok in embedded)
