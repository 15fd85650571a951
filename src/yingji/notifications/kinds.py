"""The kinds of notification, each with its label and default channels; apps register theirs in AppConfig.ready.

Users choose channels per kind (the preferences page lists this registry); sending a kind nobody registered
is a programming error and fails loudly rather than reaching nobody's preferences.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

__all__ = ["Kind", "register", "get", "all_kinds", "GENERAL", "ESCALATION", "REGISTRY_EXPIRY"]


@dataclass(frozen=True)
class Kind:
    code: str
    label: str
    default_channels: tuple[str, ...] = ()


_KINDS: dict[str, Kind] = {}


def register(code: str, label, default_channels: tuple[str, ...] = ()) -> Kind:
    kind = Kind(code, label, tuple(default_channels))
    _KINDS[code] = kind
    return kind


def get(code: str) -> Kind | None:
    return _KINDS.get(code)


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


GENERAL = register("general", _("一般通知")).code
ESCALATION = register("notifications.escalation", _("签收超时升级"), ("email", "sms")).code
REGISTRY_EXPIRY = register("resources.expiry", _("物资临期与装备检查超期"), ("email",)).code
