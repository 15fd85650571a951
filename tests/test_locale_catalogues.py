"""Every translation catalogue of the project (src/yingji/**/locale/*/LC_MESSAGES/django.po): no msgstr repeats its
own text (a merge once wrote eight English strings three times over, msgstr plus continuation lines), and the
committed .mo says what the .po says (compiled after every edit: docs/ui.md, `django-admin compilemessages` from
the app's folder)."""

from __future__ import annotations

import ast
import gettext
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src" / "yingji"
CATALOGUES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po"))


def entries(path: pathlib.Path) -> list[dict]:
    """The entries of a .po file: {"line", "flags", "msgctxt"?, "msgid", "msgid_plural"?, "msgstr" or "msgstr[n]"}."""
    out, cur, key = [], {}, None

    def close():
        nonlocal cur
        if "msgid" in cur:
            out.append(cur)
        cur = {}

    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#,"):
            if "msgid" in cur:
                close()
            cur.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
        elif not line or line.startswith("#"):
            if "msgid" in cur and ("msgstr" in cur or "msgstr[0]" in cur):
                close()
        elif line.startswith('"'):
            cur[key] += ast.literal_eval(line)
        else:
            key, _sep, value = line.partition(" ")
            if key in ("msgctxt", "msgid") and ("msgstr" in cur or "msgstr[0]" in cur):
                close()
            cur.setdefault("line", n)
            cur[key] = ast.literal_eval(value)
    close()
    return out


def repeats_itself(text: str) -> bool:
    """'abcabc' and 'abcabcabc' yes, 'abc' or a short 'OKOK' no."""
    return len(text) >= 8 and (text + text).find(text, 1) < len(text)


def test_the_catalogues_are_found():
    assert len(CATALOGUES) >= 5 and any("alerts" in str(p) for p in CATALOGUES)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_msgstr_repeats_its_own_text(po):
    faults = [f"{po.relative_to(SRC)}:{e['line']}: {e['msgid'][:40]!r} → {v[:60]!r}…"
              for e in entries(po) for k, v in e.items() if k.startswith("msgstr") and repeats_itself(v)]
    assert not faults, "msgstr repeating its own text:\n" + "\n".join(faults)


def test_repeats_itself_catches_the_fault():
    assert repeats_itself("Only drafts can be edited." * 3) and repeats_itself("Replay, Replay, " * 2)
    assert not repeats_itself("Only drafts can be edited.") and not repeats_itself("哈哈")


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_the_compiled_catalogue_matches_its_po(po):
    mo = po.with_suffix(".mo")
    with mo.open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog
    stale = []
    for e in entries(po):
        if not e["msgid"] or "fuzzy" in e.get("flags", ()):
            continue
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            pairs = [((key, int(k[7:-1])), v) for k, v in e.items() if k.startswith("msgstr[")]
        else:
            pairs = [(key, e["msgstr"])]
        stale += [f"{po.relative_to(SRC)}:{e['line']}: {e['msgid'][:40]!r}" for k, v in pairs
                  if v and catalog.get(k) != v]
    assert not stale, f"{mo.relative_to(SRC)} is older than its .po; compile it:\n" + "\n".join(stale[:20])
