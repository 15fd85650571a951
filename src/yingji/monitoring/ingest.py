"""Batch ingest: parse JSON or CSV readings, check every row, store the good ones through the readings store,
update the sensors' latest values and evaluate the rules on the new data.

A row is `[sensor_code, ts, value]` or `{"sensor": code, "ts": ts, "value": value}`; `ts` is epoch
milliseconds (a number) or ISO 8601 text (without an offset it is the deployment's time zone). A bad row (not
UTF-8, wrong type, unknown sensor, NaN, a time far in the future or before 2000) is reported by its 1-based row
number and changes nothing; the good rows of the same batch are stored.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import jsontext
from yingji.core.errors import BadRequest, ValidationFailed
from yingji.core.permissions import restrict
from yingji.core.roles import Action
from yingji.monitoring.models import Sensor, SensorStatus
from yingji.monitoring.store import get_store

__all__ = ["Batch", "parse_json", "parse_csv", "ingest", "MAX_ROWS", "MAX_ERRORS"]

MAX_ROWS = 50_000  # ~1.5 MB of JSON, under Django's 2.5 MB request body limit
MAX_ERRORS = 1000
EARLIEST_MS = 946_684_800_000  # 2000-01-01T00:00Z


def future_tolerance_ms() -> int:
    return int(getattr(settings, "YINGJI_READINGS_FUTURE_MINUTES", 10)) * 60_000


@dataclass
class Batch:
    codes: list = field(default_factory=list)
    ts: list = field(default_factory=list)
    values: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # 1-based row numbers of the entries above
    errors: list = field(default_factory=list)  # {"row", "field", "message"}
    total: int = 0

    def error(self, row: int, name: str, message: str) -> None:
        self.errors.append({"row": row, "field": name, "message": str(message)})


def _ts_text(raw: str) -> int | None:
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return int(moment.timestamp() * 1000)


def _row(batch: Batch, n: int, code, ts, value) -> None:
    """Check one row the slow way, with a message for each fault."""
    bad = False
    if not isinstance(code, str) or not code.strip():
        batch.error(n, "sensor", _("传感器编号应为文本"))
        bad = True
    if isinstance(ts, bool) or not isinstance(ts, int | float | str):
        batch.error(n, "ts", _("时间应为毫秒数或 ISO 8601 文本"))
        bad = True
    elif isinstance(ts, str):
        ts = _ts_text(ts)
        if ts is None:
            batch.error(n, "ts", _("时间无法识别，应为 ISO 8601，例如 2026-07-01T08:00:00+08:00"))
            bad = True
    elif not math.isfinite(ts):
        batch.error(n, "ts", _("时间不是有限数字"))
        bad = True
    else:
        ts = int(ts)
    if isinstance(value, bool) or not isinstance(value, int | float):
        batch.error(n, "value", _("读数应为数字"))
        bad = True
    elif not math.isfinite(value):
        batch.error(n, "value", _("读数不是有限数字（NaN 或无穷大）"))
        bad = True
    if not bad:
        batch.codes.append(code.strip())
        batch.ts.append(ts)
        batch.values.append(float(value))
        batch.rows.append(n)


def _fast(batch: Batch, items: list, literals: bool) -> bool:
    """The common case at C speed: every row a [text, int, number] list. False: check row by row.

    `literals`: the body holds true/false somewhere, and numpy would take a boolean for a number; such batches
    go row by row."""
    if literals or not items or set(map(type, items)) != {list} or sum(map(len, items)) != 3 * len(items):
        return False
    codes, ts, values = zip(*items, strict=True)
    try:
        if not all(type(c) is str and c.strip() == c and c for c in set(codes)):
            return False
        t = np.array(ts)
        v = np.array(values)
    except (TypeError, ValueError):
        return False
    if t.dtype != np.int64 or v.dtype.kind not in "fi" or not np.isfinite(v).all():
        return False
    batch.codes, batch.ts, batch.values = codes, t, v.astype(np.float64, copy=False)
    batch.rows = range(1, len(items) + 1)
    return True


def _items(batch: Batch, items: list, literals: bool = True) -> Batch:
    batch.total = len(items)
    if batch.total > MAX_ROWS:
        raise BadRequest(_("一批最多 %(n)d 条读数，请分批发送") % {"n": MAX_ROWS})
    if _fast(batch, items, literals):
        return batch
    for n, item in enumerate(items, 1):
        if isinstance(item, list) and len(item) == 3:
            _row(batch, n, *item)
        elif isinstance(item, dict):
            unknown = sorted(set(item) - {"sensor", "ts", "value"})
            if unknown:
                batch.error(n, unknown[0], _("未知字段：%(f)s") % {"f": ", ".join(unknown)})
                continue
            _row(batch, n, item.get("sensor"), item.get("ts"), item.get("value"))
        else:
            batch.error(n, "", _("每条读数应为 [传感器编号, 时间, 读数] 或含 sensor、ts、value 的对象"))
    return batch


@contextmanager
def _no_gc():
    """A batch parses into one small list per row (20,000 lists), which would set off the cyclic garbage
    collector several times per batch, and now and then a full pass over every object of the process (100 ms
    and more). The rows hold no cycles: they are freed by reference counting once turned into arrays."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _loads(body: bytes):
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    # What orjson refuses, the standard library decides, with its messages (line and column) and its leniency
    # (NaN, numbers beyond 64 bits: reported row by row below).
    # Nesting past the limit and numbers of thousands of digits are refused too (jsontext), never a 500.
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(_("请求体不是有效的 UTF-8（第 %(pos)d 字节）") % {"pos": exc.start + 1}) from None
    try:
        return jsontext.loads(text)
    except jsontext.JsonTextError as exc:
        raise BadRequest(exc.message, code=exc.code) from None


def parse_json(body: bytes) -> Batch:
    with _no_gc():
        data = _loads(body)
        items = data.get("readings") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise BadRequest(_("请求体应为 {\"readings\": [...]} 或读数列表"))
        batch = _items(Batch(), items, literals=b"true" in body or b"false" in body)
        del data, items
    return batch


def parse_csv(body: bytes) -> Batch:
    """CSV with a header `sensor,ts,value`; each line decoded by itself, so one bad line is one row error."""
    lines = body.split(b"\n")
    header = lines[0].decode("utf-8", "replace").strip().lstrip("\ufeff").replace(" ", "").lower()
    if header != "sensor,ts,value":
        raise BadRequest(_("CSV 第一行应为表头 sensor,ts,value"))
    batch = Batch()
    n = 0
    for raw in lines[1:]:
        if not raw.strip():
            continue
        n += 1
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            batch.error(n, "", _("该行不是有效的 UTF-8"))
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3:
            batch.error(n, "", _("应有 3 列（sensor,ts,value），实有 %(n)d 列") % {"n": len(parts)})
            continue
        code, ts, value = parts
        ts_v: object = int(ts) if ts.lstrip("-").isdigit() else ts
        try:
            value_v: object = float(value)
        except ValueError:
            value_v = value
        _row(batch, n, code, ts_v, value_v)
    batch.total = n
    if n > MAX_ROWS:
        raise BadRequest(_("一批最多 %(n)d 条读数，请分批发送") % {"n": MAX_ROWS})
    return batch


def _sensor_ids(actor, codes: set[str]) -> dict[str, int]:
    qs = Sensor.objects.filter(code__in=codes).exclude(status=SensorStatus.RETIRED)
    return dict(restrict(qs, actor, Action.CHANGE).values_list("code", "pk"))


def _touch_sensors(ids: np.ndarray, ts: np.ndarray, values: np.ndarray) -> None:
    """Latest value per sensor (only if newer than what is there) and the heartbeat; an offline sensor with data
    again is active. One UPDATE … FROM a VALUES list per 900 sensors on both databases (SQLite ≥ 3.33): a
    statement per sensor cost 5 ms per batch of 200 sensors on SQLite, a round trip each on PostgreSQL."""
    order = np.lexsort((ts, ids))
    ids, ts, values = ids[order], ts[order], values[order]
    last = np.ones(len(ids), dtype=bool)
    last[:-1] = ids[1:] != ids[:-1]
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    latest = [(sid, adapt(dt.datetime.fromtimestamp(t / 1000, tz=dt.UTC)), v)
              for sid, t, v in zip(ids[last].tolist(), ts[last].tolist(), values[last].tolist(), strict=True)]
    row = "(%s::bigint, %s::timestamptz, %s::float8)" if connection.vendor == "postgresql" else "(%s, %s, %s)"
    with transaction.atomic(), connection.cursor() as cur:  # one transaction, not one per sensor
        for k in range(0, len(latest), 900):
            chunk = latest[k:k + 900]
            cur.execute(
                "WITH v(id, at, value) AS (VALUES " + ",".join([row] * len(chunk)) + ") "
                "UPDATE monitoring_sensor AS s SET last_seen_at = %s, "
                "last_value = CASE WHEN s.last_at IS NULL OR s.last_at <= v.at THEN v.value ELSE s.last_value END, "
                "last_at = CASE WHEN s.last_at IS NULL OR s.last_at <= v.at THEN v.at ELSE s.last_at END "
                "FROM v WHERE s.id = v.id", [x for r in chunk for x in r] + [now])
        Sensor.objects.filter(pk__in=ids[last].tolist(), status=SensorStatus.OFFLINE).update(
            status=SensorStatus.ACTIVE)


def ingest(actor, batch: Batch, *, evaluate: bool = True, now_ms: int | None = None) -> dict:
    """Store the good rows of a parsed batch and evaluate the rules on them; the report names each bad row."""
    from yingji.monitoring import evaluation

    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    mapping = _sensor_ids(actor, set(batch.codes))
    lookup = defaultdict(int, mapping)
    ids = np.array(list(map(lookup.__getitem__, batch.codes)), dtype=np.int64)
    ts = np.asarray(batch.ts, dtype=np.int64)
    values = np.asarray(batch.values, dtype=np.float64)
    good = (ids > 0) & (ts >= EARLIEST_MS) & (ts <= now_ms + future_tolerance_ms())
    if not good.all():
        rows = np.asarray(batch.rows)
        for i in np.flatnonzero(~good).tolist():
            n = int(rows[i])
            if ids[i] == 0:
                batch.error(n, "sensor", _("未知传感器或无权写入：%(c)s") % {"c": batch.codes[i]})
            elif ts[i] > now_ms:
                batch.error(n, "ts", _("时间在未来：%(t)s") % {"t": _iso(ts[i])})
            else:
                batch.error(n, "ts", _("时间早于 2000 年，时间应为毫秒数：%(t)s") % {"t": int(ts[i])})
        ids, ts, values = ids[good], ts[good], values[good]
    batch.errors.sort(key=lambda e: e["row"])
    if not len(ids):
        if batch.errors:
            raise ValidationFailed(_("没有可存储的读数，共 %(n)d 处错误") % {"n": len(batch.errors)},
                                   details={"rows": batch.errors[:MAX_ERRORS], "rejected": len(batch.errors)})
        return {"received": 0, "stored": 0, "duplicates": 0, "rejected": 0, "errors": [], "fired": []}
    with transaction.atomic():  # the readings and the sensors' latest values: one commit
        inserted = get_store().insert(ids, ts, values)
        _touch_sensors(ids, ts, values)
    # All rows new: they are in the store as given, and the rules need not read them back.
    fired = evaluation.after_ingest(ids, ts, values if inserted == len(ids) else None) if evaluate and inserted else []
    rejected = len({e["row"] for e in batch.errors})
    return {"received": batch.total, "stored": inserted, "duplicates": int(len(ids) - inserted),
            "rejected": rejected, "errors": batch.errors[:MAX_ERRORS], "fired": fired}


def _iso(ms) -> str:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC).isoformat()
