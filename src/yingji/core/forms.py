"""Forms of the core UI."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yingji.core import ratelimit
from yingji.core.models import OrgUnit


class LoginForm(AuthenticationForm):
    """Django's login form with throttling: a check is reserved before the password is tested (see ratelimit).

    When the account or address is locked, `retry_after` holds the seconds to wait (the view answers 429)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码错误。"),
        "locked": _("登录失败次数过多，请 %(minutes)s 分钟后再试。"),
    }
    retry_after = 0

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        attempt = ratelimit.begin(username, ratelimit.client_ip(self.request))
        if attempt.locked:
            self.retry_after = attempt.retry_after
            minutes = max(1, -(-attempt.retry_after // 60))
            raise forms.ValidationError(self.error_messages["locked"], code="locked", params={"minutes": minutes})
        cleaned = super().clean()  # a wrong password raises and keeps its reserved slot
        if self.get_user() is not None:  # not when a field was missing and nothing was checked
            attempt.succeeded()
        return cleaned


class UnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "lat", "lng", "address", "contact_name", "contact_phone", "is_active"]
