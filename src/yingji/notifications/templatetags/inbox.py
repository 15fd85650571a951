"""`{% inbox_badge %}`: the shell's unread badge, which then keeps itself fresh by polling."""

from django import template
from django.conf import settings

from yingji.notifications import selectors

register = template.Library()


@register.inclusion_tag("notifications/_badge.html", takes_context=True)
def inbox_badge(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"hidden": True}
    return {"unread": selectors.unread_count(user), "every_s": settings.YINGJI_LIVE_POLL_S}
