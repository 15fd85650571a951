"""The tamper-evident audit log: every change made through services, hash-chained.

Each entry stores SHA-256 over its own canonical content plus the previous entry's hash. Appends lock
the single AuditHead row, so concurrent writers queue instead of forking the chain; `verify()` walks
the chain and reports any edited, inserted or deleted entry.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from yingji.core.context import current_request_id
from yingji.core.models import AuditEntry, AuditHead

__all__ = ["snapshot", "record", "record_many", "verify", "VerifyResult", "Change", "GENESIS"]

GENESIS = "0" * 64


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


def snapshot(instance: models.Model) -> dict:
    """The instance's stored field values as JSON-safe data (foreign keys by id, secrets left out)."""
    exclude = getattr(instance, "audit_exclude", frozenset())
    data = {}
    for f in instance._meta.concrete_fields:
        if f.name in exclude or f.name in ("created_at", "updated_at"):
            continue
        data[f.attname] = _json_value(getattr(instance, f.attname))
    return data


def _canonical(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_json_value)


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _digest(e: AuditEntry) -> str:
    payload = "\x1f".join(
        [
            str(e.seq),
            _stamp(e.at),
            str(e.actor_id or ""),
            e.actor_name,
            e.request_id,
            e.action,
            e.object_type,
            e.object_id,
            e.object_repr,
            str(e.unit_id or ""),
            e.unit_path,
            e.before,
            e.after,
            e.prev_hash,
        ]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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


def record_many(changes: Iterable[Change], actor=None) -> list[AuditEntry]:
    """Append entries for `changes` in order, in one transaction, continuing the chain."""
    changes = list(changes)
    if not changes:
        return []
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        at = timezone.now()
        rid = current_request_id()
        entries = []
        prev, seq = head.last_hash, head.last_seq
        for c in changes:
            seq += 1
            unit = c.unit
            e = AuditEntry(
                seq=seq,
                at=at,
                actor_id=getattr(actor, "pk", None),
                actor_name=_actor_name(actor),
                request_id=rid,
                action=c.action,
                object_type=c.object_type,
                object_id=c.object_id,
                object_repr=c.object_repr[:300],
                unit_id=getattr(unit, "pk", None),
                unit_path=getattr(unit, "path", "") or "",
                before="" if c.before is None else _canonical(c.before),
                after="" if c.after is None else _canonical(c.after),
                prev_hash=prev,
            )
            e.hash = prev = _digest(e)
            entries.append(e)
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        head.last_seq, head.last_hash = seq, prev
        head.save(update_fields=["last_seq", "last_hash"])
    return entries


def record(action: str, instance: models.Model, before: dict | None, after: dict | None, actor=None):
    return record_many([Change.of(action, instance, before, after)], actor)[0]


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    problems: list[str] = field(default_factory=list)


def _walk(batch: int = 2000) -> Iterator[AuditEntry]:
    last = 0
    while True:
        chunk = list(AuditEntry.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify(max_problems: int = 50) -> VerifyResult:
    """Recompute every hash and link; also check the head so a deleted tail is caught."""
    problems: list[str] = []
    prev, expected_seq, checked = GENESIS, 1, 0
    for e in _walk():
        checked += 1
        if e.seq != expected_seq:
            problems.append(f"#{expected_seq}…#{e.seq - 1}: missing entries (deleted?)")
        if e.prev_hash != prev:
            problems.append(f"#{e.seq}: link to the previous entry is broken")
        if _digest(e) != e.hash:
            problems.append(f"#{e.seq}: content does not match its hash (edited?)")
        prev, expected_seq = e.hash, e.seq + 1
        if len(problems) >= max_problems:
            break
    head = AuditHead.objects.filter(pk=1).first()
    if head and len(problems) < max_problems:
        if head.last_seq != expected_seq - 1 or head.last_hash != prev:
            problems.append(f"head says #{head.last_seq}, chain ends at #{expected_seq - 1}: entries removed")
    return VerifyResult(ok=not problems, checked=checked, problems=problems)


def parsed(text: str) -> dict | None:
    return json.loads(text) if text else None
