"""Keyed hash chains with one head row per chain, and signed checkpoints kept outside the database.

Every entry stores HMAC-SHA256(key, its canonical content + the previous entry's hash). The key lives outside
the database (`YINGJI_AUDIT_KEY`, or generated once into `var/audit_key`), so somebody who can only write the
database cannot re-hash a chain after editing it. Appending locks only the head rows of the chains written, in
sorted order, so writers of different subjects never wait on each other and two writers never deadlock on
heads. `seal()` writes a signed checkpoint of every head to `var/audit/checkpoints/` (and optionally posts its
digest to a URL); `verify()` then also catches whole chains or tails deleted before the last checkpoint.
See docs/decisions/0006-audit-chains.md.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction

from yingji.core.models import AuditEntry, ChainHead, TimelineEntry

__all__ = ["GENESIS", "key", "digest", "append", "verify", "seal", "VerifyResult", "checkpoint_dir"]

GENESIS = "0" * 64
log = logging.getLogger("yingji.audit")
_KEEP_CHECKPOINTS = 100


def key() -> bytes:
    configured = settings.YINGJI.get("AUDIT_KEY")
    if configured:
        return configured.encode("utf-8")
    path = Path(settings.VAR_DIR) / "audit_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with path.open("x", encoding="utf-8") as fh:  # "x": two processes never write different keys
                fh.write(secrets.token_hex(32))
            path.chmod(0o600)
        except FileExistsError:
            pass
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def _stamp(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The fields each entry type's hash covers, in order (besides chain, seq, at, actor, request id, prev hash).
_CONTENT = {
    "auditentry": ("action", "object_type", "object_id", "object_repr", "unit_id", "unit_path", "before", "after"),
    "timelineentry": ("subject_id", "kind", "text", "data", "is_exercise"),
}


def digest(entry, secret: bytes | None = None) -> str:
    parts = [entry.chain, str(entry.seq), _stamp(entry.at), str(entry.actor_id or ""), entry.actor_name,
             entry.request_id]
    for name in _CONTENT[entry._meta.model_name]:
        value = getattr(entry, name)
        parts.append("" if value is None else str(value))
    parts.append(entry.prev_hash)
    payload = "\x1f".join(parts).encode("utf-8")
    return hmac.new(secret or key(), payload, hashlib.sha256).hexdigest()


def _lock_heads(chains: Sequence[str]) -> dict[str, ChainHead]:
    """Lock (creating where missing) the head rows of `chains`, always in sorted order."""
    wanted = sorted(set(chains))
    heads = {h.chain: h for h in ChainHead.objects.select_for_update().filter(chain__in=wanted).order_by("chain")}
    missing = [c for c in wanted if c not in heads]
    if missing:
        try:
            with transaction.atomic():
                ChainHead.objects.bulk_create([ChainHead(chain=c) for c in missing])
        except IntegrityError:
            # Another writer created one of them first: insert the rest one by one, skipping theirs.
            for c in missing:
                try:
                    with transaction.atomic():
                        ChainHead.objects.create(chain=c)
                except IntegrityError:
                    pass
        for h in ChainHead.objects.select_for_update().filter(chain__in=missing).order_by("chain"):
            heads[h.chain] = h
    return heads


def append(model: type[models.Model], entries: list, unit_ids: dict[str, int | None] | None = None) -> list:
    """Number, link, sign and insert `entries` (unsaved AuditEntry/TimelineEntry objects with `chain` set).

    Entries of one chain are appended in the order given. `unit_ids` sets each chain's current unit."""
    if not entries:
        return []
    secret = key()
    with transaction.atomic():
        heads = _lock_heads([e.chain for e in entries])
        for e in entries:
            head = heads[e.chain]
            head.last_seq += 1
            e.seq, e.prev_hash = head.last_seq, head.last_hash
            e.hash = head.last_hash = digest(e, secret)
        model.objects.bulk_create(entries, batch_size=500)
        for chain, head in heads.items():
            if unit_ids and chain in unit_ids:
                head.unit_id = unit_ids[chain]
        _save_heads(heads.values())
    return entries


def _save_heads(heads) -> None:
    """One prepared UPDATE run for every head (Django's bulk_update builds a CASE per field and row, which cost
    more than the appends themselves on imports that touch hundreds of chains)."""
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cur:
        cur.executemany(f"UPDATE {table} SET last_seq = %s, last_hash = %s, unit_id = %s WHERE id = %s",
                        [(h.last_seq, h.last_hash, h.unit_id, h.pk) for h in heads])


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    chains: int = 0
    problems: list[str] = field(default_factory=list)
    checkpoint: str = ""


def _walk(model, batch: int = 2000) -> Iterator:
    last = 0
    while True:
        chunk = list(model.objects.filter(pk__gt=last).order_by("pk")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def checkpoint_dir() -> Path:
    configured = settings.YINGJI.get("AUDIT_CHECKPOINT_DIR")
    return Path(configured) if configured else Path(settings.VAR_DIR) / "audit" / "checkpoints"


def _prefix(model) -> str:
    return {AuditEntry: "a:", TimelineEntry: "t:"}[model]


def _verify_model(model, secret: bytes, problems: list[str], max_problems: int,
                  sealed: dict | None = None, seen: dict | None = None) -> tuple[int, dict]:
    state: dict[str, tuple[int, str]] = {}
    checked = 0
    for e in _walk(model):
        checked += 1
        seq, prev = state.get(e.chain, (0, GENESIS))
        if e.seq != seq + 1:
            problems.append(f"{e.chain}: #{seq + 1}…#{e.seq - 1} missing (deleted?)")
        if e.prev_hash != prev:
            problems.append(f"{e.chain}#{e.seq}: link to the previous entry is broken")
        if digest(e, secret) != e.hash:
            problems.append(f"{e.chain}#{e.seq}: content does not match its signature (edited or re-hashed?)")
        state[e.chain] = (e.seq, e.hash)
        if sealed and seen is not None and e.chain in sealed and sealed[e.chain][0] == e.seq:
            seen[e.chain] = e.hash  # the sealed entry, remembered on the way (no query per chain later)
        if len(problems) >= max_problems:
            return checked, state
    prefix = _prefix(model)
    heads = {h.chain: h for h in ChainHead.objects.filter(chain__startswith=prefix)}
    for chain, head in heads.items():
        seq, last = state.get(chain, (0, GENESIS))
        if (head.last_seq, head.last_hash) != (seq, last):
            problems.append(f"{chain}: head says #{head.last_seq}, chain ends at #{seq}: entries removed")
    for chain in state.keys() - heads.keys():
        problems.append(f"{chain}: head row missing")
    return checked, state


def _read_checkpoint(secret: bytes, problems: list[str]) -> tuple[str, dict]:
    folder = checkpoint_dir()
    files = sorted(folder.glob("*.json")) if folder.exists() else []
    if not files:
        return "", {}
    path = files[-1]
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        body = json.dumps(doc["heads"], sort_keys=True, separators=(",", ":"))
        ok = hmac.compare_digest(doc["mac"], hmac.new(secret, (doc["at"] + body).encode(), hashlib.sha256).hexdigest())
    except (OSError, ValueError, KeyError, TypeError):
        ok, doc = False, {"heads": {}}
    if not ok:
        problems.append(f"checkpoint {path.name}: signature invalid (forged or damaged)")
        return path.name, {}
    return path.name, doc["heads"]


def verify(max_problems: int = 50) -> VerifyResult:
    """Recompute every signature and link of every chain, compare heads, and compare with the last checkpoint."""
    secret = key()
    problems: list[str] = []
    checked, state, seen = 0, {}, {}
    name, sealed = _read_checkpoint(secret, problems)
    for model in (AuditEntry, TimelineEntry):
        n, s = _verify_model(model, secret, problems, max_problems, sealed, seen)
        checked += n
        state.update(s)
    for chain, (seq, expected) in sealed.items():
        if len(problems) >= max_problems:
            break
        have = state.get(chain, (0, GENESIS))[0]
        if have < seq:
            problems.append(f"{chain}: checkpoint {name} sealed #{seq}, the chain now ends at #{have}: removed")
            continue
        if seen.get(chain) != expected:
            problems.append(f"{chain}#{seq}: differs from checkpoint {name}")
    return VerifyResult(ok=not problems, checked=checked, chains=len(state), problems=problems[:max_problems],
                        checkpoint=name)


def seal(post: Callable[[str, bytes], None] | None = None) -> Path:
    """Write a signed checkpoint of every chain head; keep the newest 100. Returns its path."""
    secret = key()
    heads = {h.chain: [h.last_seq, h.last_hash] for h in ChainHead.objects.filter(last_seq__gt=0).order_by("chain")}
    at = _stamp(dt.datetime.now(dt.UTC))
    body = json.dumps(heads, sort_keys=True, separators=(",", ":"))
    mac = hmac.new(secret, (at + body).encode(), hashlib.sha256).hexdigest()
    folder = checkpoint_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{at.replace(':', '').replace('.', '')}.json"
    path.write_text(json.dumps({"at": at, "chains": len(heads), "mac": mac, "heads": heads}), encoding="utf-8")
    for old in sorted(folder.glob("*.json"))[:-_KEEP_CHECKPOINTS]:
        old.unlink(missing_ok=True)
    url = settings.YINGJI.get("AUDIT_CHECKPOINT_URL")
    if url:
        payload = json.dumps({"at": at, "chains": len(heads), "mac": mac}).encode()
        try:
            (post or _post)(url, payload)
        except OSError as exc:  # the file is the record; the URL is a second copy
            log.warning("audit checkpoint not posted to %s: %s", url, exc)
    return path


def _post(url: str, payload: bytes) -> None:
    import urllib.request

    req = urllib.request.Request(url, data=payload, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10):  # noqa: S310 — an operator-configured URL
        pass
