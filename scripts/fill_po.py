"""Fill empty msgstr entries of a .po file from a JSON dictionary {msgid: msgstr}; report what is left.

Only single-line msgids with an empty msgstr are filled; fuzzy entries are left for a person to check
(`msgattrib --only-fuzzy` lists them).

Usage: python scripts/fill_po.py src/yingji/locale/en/LC_MESSAGES/django.po translations.json
Then:  cd src/yingji && django-admin compilemessages  (or msgfmt)
"""

from __future__ import annotations

import json
import re
import sys


def main(po_path: str, dict_path: str) -> int:
    table = json.load(open(dict_path, encoding="utf-8"))
    text = open(po_path, encoding="utf-8").read()
    missing = []

    def fill(m: re.Match) -> str:
        msgid = json.loads(m.group(1))
        if msgid in table:
            return f"msgid {m.group(1)}\nmsgstr {json.dumps(table[msgid], ensure_ascii=False)}\n"
        if msgid:
            missing.append(msgid)
        return m.group(0)

    text = re.sub(r'^msgid ("(?:[^"\\]|\\.)*")\nmsgstr ""\n(?!")', fill, text, flags=re.M)
    open(po_path, "w", encoding="utf-8").write(text)
    for m in missing:
        print("untranslated:", m)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
