"""The tamper-evident audit log: every change made through services, in one keyed hash chain per object.

Appending locks only the changed objects' chain heads (yingji.core.chains), so an import never holds up an
unrelated edit; `verify()` checks every chain, the heads and the last signed checkpoint.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone

from yingji.core import chains
from yingji.core.context import current_request_id
from yingji.core.models import AuditEntry

__all__ = ["snapshot", "record", "record_many", "verify", "VerifyResult", "Change", "GENESIS", "chain_of", "seal"]

GENESIS = chains.GENESIS
VerifyResult = chains.VerifyResult
verify = chains.verify
seal = chains.seal


def _json_value(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if hasattr(value, "name") and hasattr(value, "url"):  # a FieldFile
        return value.name or ""
    return value


# Timestamps and columns derived from other fields (indexes, cached road snaps): not data of their own.
_DERIVED = frozenset({"created_at", "updated_at", "lat_band", "capability_index", "hazard_index", "road_node",
                      "road_snap_m", "road_graph"})


def snapshot(instance: models.Model) -> dict:
    """The instance's stored field values as JSON-safe data (foreign keys by id, secrets left out)."""
    exclude = getattr(instance, "audit_exclude", frozenset())
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude or f.name in _DERIVED:
            continue
        data[f.attname] = _json_value(getattr(instance, f.attname))
    return data


def _canonical(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value)


@dataclass
class Change:
    """One change to record: what happened to which object, with its state before and after."""

    action: str
    object_type: str
    object_id: str = ""
    object_repr: str = ""
    unit: object = None
    before: dict | None = None
    after: dict | None = None

    @classmethod
    def of(cls, action: str, instance: models.Model, before: dict | None, after: dict | None) -> Change:
        meta = instance._meta
        unit = getattr(instance, "owner_unit", None)
        return cls(action, f"{meta.app_label}.{meta.model_name}", str(instance.pk or ""), str(instance)[:300],
                   unit, before, after)


def _actor_name(actor) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", str(actor))


def chain_of(object_type: str, object_id) -> str:
    return f"a:{object_type}:{object_id}"


def record_many(changes: Iterable[Change], actor=None) -> list[AuditEntry]:
    """Append entries for `changes` in order, each to its object's chain, in one transaction."""
    changes = list(changes)
    if not changes:
        return []
    at = timezone.now()
    rid = current_request_id()
    entries, units = [], {}
    for c in changes:
        unit = c.unit
        chain = chain_of(c.object_type, c.object_id)
        units[chain] = getattr(unit, "pk", None)
        entries.append(AuditEntry(
            chain=chain, at=at, actor_id=getattr(actor, "pk", None), actor_name=_actor_name(actor),
            request_id=rid, action=c.action, object_type=c.object_type, object_id=c.object_id,
            object_repr=c.object_repr[:300], unit_id=getattr(unit, "pk", None),
            unit_path=getattr(unit, "path", "") or "",
            before="" if c.before is None else _canonical(c.before),
            after="" if c.after is None else _canonical(c.after)))
    return chains.append(AuditEntry, entries, units)


def record(action: str, instance: models.Model, before: dict | None, after: dict | None, actor=None):
    return record_many([Change.of(action, instance, before, after)], actor)[0]


def parsed(text: str) -> dict | None:
    return json.loads(text) if text else None
