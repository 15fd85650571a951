"""Pages: the inbox (unread first, with 签收), the live badge in the shell, channel preferences."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import live, web
from yingji.core.errors import YingjiError
from yingji.notifications import channels, kinds, selectors, services


@login_required
def inbox(request):
    request.nav_key = "notifications"
    page = web.page_of(request, selectors.inbox(request.user, unread=True if request.GET.get("unread") else None))
    signoffs = selectors.signoffs_for(page.object_list)
    rows = [(n, signoffs.get(n.pk)) for n in page.object_list]
    return render(request, "notifications/inbox.html", {"page": page, "rows": rows,
                                                         "unread": selectors.unread_count(request.user)})


def _badge_version(request):
    return selectors.badge_version(request.user) if request.user.is_authenticated else "anon"


@live.live(_badge_version)
def badge(request):
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(request.user),
                                                         "every_s": settings.YINGJI_LIVE_POLL_S})


def _back(request, fallback: str = "notifications:inbox"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def read(request, pk: int):
    services.mark_read(request.user, selectors.own(request.user, pk))
    return _back(request)


@login_required
@require_POST
def read_all(request):
    n = services.mark_all_read(request.user)
    messages.success(request, _("已将 %(n)d 条通知标为已读") % {"n": n})
    return _back(request)


@login_required
@require_POST
def sign(request, pk: int):
    n = selectors.own(request.user, pk)  # someone else's: 404, like anything invisible
    try:
        so = services.sign(request.user, n)
    except YingjiError as exc:
        messages.error(request, exc.message)
    else:
        if so.signed_by_id == request.user.pk:
            messages.success(request, _("已签收"))
        else:
            messages.info(request, _("%(who)s 已代表本单位签收") % {"who": so.signed_by})
    return _back(request)


@login_required
def open_item(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    n = services.mark_read(request.user, selectors.own(request.user, pk))
    url = n.message.url
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return redirect(url)
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    request.nav_key = "notifications"
    available = channels.channels()
    current = selectors.preferences(request.user)
    contact = selectors.contact(request.user)
    webhook_url = contact.webhook_url if contact else ""
    errors = {}
    if request.method == "POST":
        choices = {k.code: request.POST.getlist(f"ch_{k.code}") for k in kinds.all_kinds()}
        webhook_url = request.POST.get("webhook_url", "").strip()
        try:
            services.set_preferences(request.user, choices, webhook_url)
        except YingjiError as exc:
            messages.error(request, exc.message)
            errors = exc.details if isinstance(exc.details, dict) else {}
            current = choices
        else:
            messages.success(request, _("已保存"))
            return redirect("notifications:preferences")
    rows = [{"kind": k, "chosen": set(current.get(k.code, [])), "errors": errors.get(k.code, [])}
            for k in kinds.all_kinds()]
    return render(request, "notifications/preferences.html", {
        "rows": rows, "channels": list(available.values()), "webhook_url": webhook_url,
        "webhook_errors": errors.get("webhook_url", []), "user_obj": request.user,
    })
