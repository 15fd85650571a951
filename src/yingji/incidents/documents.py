"""信息快报 as documents: PDF (fpdf2, with WenQuanYi Micro Hei from the `paperang-p2-fonts-cjk` package embedded and
subset, never a system font) and .docx (python-docx; the runs name the same font for East Asian text)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.incidents.models import SituationReport

__all__ = ["sitrep_pdf", "sitrep_docx", "sections"]

FONT_NAME = "WenQuanYi Micro Hei"


def font_path() -> str:
    import os

    import paperang_p2_fonts_cjk

    return os.path.join(os.path.dirname(paperang_p2_fonts_cjk.__file__), "fonts", "wqy-microhei.ttc")


def sections(s: SituationReport) -> list[tuple[str, str]]:
    return [(_("一、时间"), s.time_text), (_("二、地点"), s.place_text), (_("三、事件概况"), s.overview),
            (_("四、伤亡情况"), s.casualties), (_("五、处置情况"), s.response), (_("六、下一步措施"), s.next_steps)]


def _header(s: SituationReport) -> tuple[str, str]:
    inc = s.incident
    issuer = inc.owner_unit.name
    when = timezone.localtime(s.sent_at or s.updated_at).strftime("%Y年%m月%d日 %H:%M")
    label = _("【演练】") if s.is_exercise else ""
    return f"{label}{_('信息快报')}", _("第 %(n)s 期　%(u)s　%(t)s") % {"n": s.number, "u": issuer, "t": when}


def sitrep_pdf(s: SituationReport) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_font("cjk", fname=font_path(), collection_font_number=0)
    pdf.add_page()
    head, sub = _header(s)
    pdf.set_font("cjk", size=22)
    pdf.set_text_color(180, 0, 0)
    pdf.cell(0, 14, head, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 8, sub, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(180, 0, 0)
    pdf.line(20, pdf.get_y() + 1, 190, pdf.get_y() + 1)
    pdf.ln(5)
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 9, s.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for heading, text in sections(s):
        pdf.set_font("cjk", size=12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(0, 7, text or "—", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    return bytes(pdf.output())


def sitrep_docx(s: SituationReport) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT_NAME
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT_NAME)

    def para(text, size=11, bold=False, colour=None, centre=False):
        p = doc.add_paragraph()
        run = p.add_run(text)
        run.font.size, run.font.bold, run.font.name = Pt(size), bold, FONT_NAME
        run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT_NAME)
        if colour:
            run.font.color.rgb = RGBColor(*colour)
        if centre:
            p.alignment = 1
        return p

    head, sub = _header(s)
    para(head, 22, True, (180, 0, 0), True)
    para(sub, 10, centre=True)
    para(s.title, 15, True, centre=True)
    for heading, text in sections(s):
        para(heading, 12, True)
        para(text or "—")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
