"""Every registered type's generic form works: the new and edit pages answer 200 for a system administrator, and
posting the form back as a browser would (its own fields, filled in) creates a new row and changes an existing one.

The sensor form was a 500 on every visit because the type lists columns the system keeps (its last reading,
`editable=False`) and the form asked Django for them; this walks every type, so no type can do that again."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models, transaction
from django.db.models import ProtectedError

from yingji.core.kinds.registry import all_kinds
from yingji.core.kinds.views import _form_class


class _FormValues(HTMLParser):
    """The values a browser would submit from a page's form controls: {name: [values]}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self.selects: dict[str, list[str]] = {}  # every non-empty option, to fill a required empty choice
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.values.setdefault(name, []).append(a.get("value") or "on")
            elif kind not in ("submit", "button", "file"):
                self.values.setdefault(name, []).append(a.get("value") or "")
        elif tag == "select" and name:
            self._select = name
            self.selects[name] = []
            self.values.setdefault(name, [])
        elif tag == "option" and self._select:
            value = a.get("value") or ""
            if value:
                self.selects[self._select].append(value)
            if "selected" in a:
                self.values[self._select].append(value)
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            text = self.values[self._textarea][-1] + data
            self.values[self._textarea][-1] = text[1:] if text.startswith("\n") and not self.values[
                self._textarea][-1] else text  # a newline right after <textarea> is not content (HTML)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_data(html: str, names) -> tuple[dict, dict]:
    parser = _FormValues()
    parser.feed(html)
    data = {n: v for n, v in parser.values.items() if n in names}
    return data, parser.selects


def _filled(kind, data: dict, selects: dict, tag: str, fresh: bool) -> dict:
    """Required fields left empty get a value (the first choice, or text); unique text fields a fresh one."""
    data = dict(data)
    for name in _form_class(kind)().fields:
        field = kind.model._meta.get_field(name)
        value = [v for v in data.get(name, []) if v]
        if fresh and field.unique and not field.is_relation:
            data[name] = [_fresh(kind.model, name, (value or ["X1"])[0])]
        elif not value and (name in kind.required or not field.blank):
            if selects.get(name):
                data[name] = [selects[name][0]]
            elif name in kind.example:
                data[name] = [str(kind.example[name])]
            elif isinstance(field, models.URLField):
                data[name] = ["https://example.org/hook"]
            elif getattr(field, "max_length", None):
                data[name] = [f"{tag} {name}"[: field.max_length]]
    return data


def _fresh(model, name: str, value: str) -> str:
    """`value` with its last characters changed in kind (digit for digit, letter for letter), so a code keeps
    its format, and no row has it yet."""
    for n in range(1, 100):  # the last two characters only: a material's code says its parent before them
        tail = str(n).zfill(2)
        out = "".join(t if c.isdigit() else c for c, t in zip(value[-2:], tail, strict=False)) if len(value) >= 2 \
            else value + tail
        out = value[:-2] + out if len(value) >= 2 else out
        if out == value:
            if any(c.isdigit() for c in value[-2:]):
                continue
            out = f"{value}-{n}"
        if not model.objects.filter(**{name: out}).exists():
            return out
    raise AssertionError(f"no fresh value for {model.__name__}.{name}")


# Fields of which a row gives one, while its edit page shows both (a holding's hazard category next to its
# chemical): a new row keeps the first that is filled in.
_ONE_OF = {"risk:holdings": ("chemical", "category")}


def _keep_one(kind, data: dict) -> None:
    filled = [n for n in _ONE_OF.get(f"{kind.app}:{kind.key}", ()) if any(data.get(n, []))]
    for name in filled[1:]:
        data[name] = [""]


def _kinds():
    return [k for k in all_kinds() if k.writable]


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city (every module's demo data), seeded once for this module and removed after it."""
    from django.core.management import call_command

    from yingji.core.demo import seed_demo

    with django_db_blocker.unblock():
        seed_demo()
        yield
        call_command("flush", interactive=False, verbosity=0)


def test_every_writable_type_is_covered():
    keys = {f"{k.app}:{k.key}" for k in _kinds()}
    assert {"monitoring:sensors", "monitoring:stations", "resources:teams", "risk:sources", "sample:pumps"} <= keys


@pytest.mark.parametrize("kind", _kinds(), ids=lambda k: f"{k.app}-{k.key}")
def test_new_and_edit_pages_work_for_every_type(demo_city, db, client_for, kind):
    from django.urls import reverse

    from yingji.core.models import User

    admin = User.objects.get(username="admin")
    client = client_for(admin)
    names = set(_form_class(kind)().fields)
    new_url = reverse(f"{kind.app}:create", kwargs={"key": kind.key})
    page = client.get(new_url)
    assert page.status_code == 200, page.content[:2000]

    existing = None
    for existing in kind.model.objects.order_by("-pk")[:50]:  # the last rows: leaves, not held by others
        # A row the demo made, as its edit page shows it, entered again as new: valid by construction. The
        # row itself is removed first (unique pairs, grid cells that may not overlap); where other rows hold
        # on to every row tried, the copy gets fresh codes.
        page = client.get(reverse(f"{kind.app}:edit", kwargs={"key": kind.key, "pk": existing.pk}))
        assert page.status_code == 200, page.content[:2000]
        try:
            with transaction.atomic():
                existing.delete()
        except ProtectedError:
            continue
        existing = None
        break
    data, selects = _form_data(page.content.decode(), names)
    _keep_one(kind, data)
    before = kind.model.objects.count()
    data = _filled(kind, data, selects, "N", fresh=existing is not None)
    answer = client.post(new_url, data)
    assert answer.status_code == 302, (_errors(answer), data)
    assert kind.model.objects.count() == before + 1
    created = kind.model.objects.order_by("-pk").first()

    edit_url = reverse(f"{kind.app}:edit", kwargs={"key": kind.key, "pk": created.pk})
    page = client.get(edit_url)
    assert page.status_code == 200, page.content[:2000]
    data, selects = _form_data(page.content.decode(), names)
    _keep_one(kind, data)
    name, value, expected = _changed(kind, names, data)
    data[name] = [value]
    answer = client.post(edit_url, data)
    assert answer.status_code == 302, _errors(answer)
    created.refresh_from_db()
    assert getattr(created, name) == expected


def _changed(kind, names, data: dict) -> tuple[str, str, object]:
    """A field to change, the value posted and the value stored: text first, else a yes/no, else a number."""
    skip = set(_ONE_OF.get(f"{kind.app}:{kind.key}", ()))
    fields = [kind.model._meta.get_field(n) for n in sorted(names) if n not in skip]
    for f in fields:
        if type(f) in (models.CharField, models.TextField) and not f.choices and not f.unique \
                and all(isinstance(v, MaxLengthValidator | ProhibitNullCharactersValidator) for v in f.validators):
            old = (data.get(f.name) or [""])[0]
            new = (old + "（改）")[-(f.max_length or 100):]
            return f.name, new, new
    for f in fields:
        if isinstance(f, models.BooleanField):
            return f.name, "" if data.get(f.name) else "on", not data.get(f.name)
    for f in fields:
        if isinstance(f, models.IntegerField | models.DecimalField) and not f.choices and not f.is_relation:
            old = f.to_python((data.get(f.name) or ["1"])[0] or 1)
            return f.name, str(old + 1), old + 1
    raise AssertionError(f"nothing to change in {kind.app}:{kind.key}")


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return f"{response.status_code} {form.errors.as_json() if form else response.content[:2000]!r}"
