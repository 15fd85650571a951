"""Forms of the core UI."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yingji.core import ratelimit
from yingji.core.models import OrgUnit


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginForm(AuthenticationForm):
    """Django's login form with throttling: a locked account is refused before the password is checked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。"),
        "locked": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if ratelimit.is_locked(username, ip):
            from django.conf import settings

            minutes = max(1, settings.YINGJI["LOGIN_WINDOW_S"] // 60)
            raise forms.ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            ratelimit.note_failure(username, ip)
            raise
        ratelimit.reset(username, ip)
        return cleaned


class UnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "lat", "lng", "address", "contact_name", "contact_phone", "is_active"]
