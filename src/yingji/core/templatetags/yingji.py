"""Small template helpers shared by every app."""

from django import template

register = template.Library()


@register.filter
def dictget(mapping, key):
    """`{{ d|dictget:k }}`: look up a key held in a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None
