"""Small template helpers shared by every app: lookups, badges, and audit entries in human words."""

from django import template
from django.apps import apps
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()


@register.filter
def dictget(mapping, key):
    """`{{ d|dictget:k }}`: look up a key held in a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None


# --- audit entries ---------------------------------------------------------------------------------------

AUDIT_ACTIONS = {
    "create": pgettext_lazy("审计操作", "新建"),
    "update": pgettext_lazy("审计操作", "修改"),
    "delete": pgettext_lazy("审计操作", "删除"),
    "move": pgettext_lazy("审计操作", "出入库"),
    "revoke": pgettext_lazy("审计操作", "吊销"),
}


@register.filter
def action_label(action: str) -> str:
    """`update` → 修改; an action no app has named yet shows as written."""
    return AUDIT_ACTIONS.get(action, action)


def type_label(object_type: str) -> str:
    """`resources.team` → 救援队伍 (the model's verbose name); an unknown type shows as written."""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


register.filter("type_label", type_label)


@register.simple_tag
def audit_people(entries) -> dict:
    """{actor_id: the person's name} for audit entries (or (entry, before, after) rows), in one query."""
    from yingji.core.models import User

    entries = [e[0] if isinstance(e, tuple) else e for e in entries or ()]
    ids = {e.actor_id for e in entries if e.actor_id is not None}
    if not ids:
        return {}
    return {pk: display or username
            for pk, username, display in User.objects.filter(pk__in=ids).values_list("pk", "username", "display_name")}


# --- badges (docs/ui.md) ---------------------------------------------------------------------------------

LEVEL_CLASSES = {1: "level-1", 2: "level-2", 3: "level-3", 4: "level-4"}


@register.simple_tag
def level_badge(level, label=""):
    """A badge in the one colour map for levels: 1 red, 2 orange, 3 yellow, 4 blue (docs/ui.md)."""
    try:
        css = LEVEL_CLASSES.get(int(level), "text-bg-secondary")
    except (TypeError, ValueError):
        css = "text-bg-secondary"
    return format_html('<span class="badge {}">{}</span>', css, label or level)


@register.simple_tag
def exercise_badge(obj=None):
    """The 演练 label on anything a drill created (`is_exercise`); nothing for real records."""
    if obj is not None and not getattr(obj, "is_exercise", False):
        return ""
    return format_html('<span class="badge exercise" data-testid="exercise">{}</span>', _("演练"))


# --- forms (docs/ui.md) ----------------------------------------------------------------------------------


@register.filter
def bs(field):
    """`{{ field|bs }}`: render a form field's widget with Bootstrap's class, marked invalid when it has errors."""
    from django import forms

    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    attrs = {"class": f"{widget.attrs.get('class', '')} {css}".strip()}
    if field.errors:
        attrs["class"] += " is-invalid"
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    return field.as_widget(attrs=attrs)


# Punctuation around values in a sentence-like line: full-width in Chinese, with a space before "(" in English.
_PUNCTUATION = {"(": pgettext_lazy("标点", "（"), ")": pgettext_lazy("标点", "）"), ",": pgettext_lazy("标点", "，")}


@register.simple_tag
def punct(mark: str) -> str:
    """`{% punct "(" %}`, `{% punct ")" %}`, `{% punct "," %}`: the mark as the page's language writes it."""
    return str(_PUNCTUATION[mark])
