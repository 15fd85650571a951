"""The readings store: bulk writes and window reads of (sensor, ts, value), beside the ORM.

Readings arrive by the hundred thousand; Django's bulk_create manages ~58k rows/s, so the store talks to the
database driver directly: SQLite `executemany` with INSERT OR IGNORE, PostgreSQL COPY into a temporary table and
one INSERT … ON CONFLICT DO NOTHING. The primary key (sensor_id, ts) makes every write idempotent: a batch sent
twice stores nothing the second time, and readings may arrive in any order.

This interface is the seam for TimescaleDB or Citus at provincial scale: set `YINGJI_READINGS_STORE` to the
dotted path of another class with the same methods (docs/decisions/0060).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils.module_loading import import_string

from yingji.domain.rules.kernel import Readings

__all__ = ["forget_windows", "ReadingsStore", "SqliteStore", "PostgresStore", "get_store"]

TABLE = "monitoring_reading"
_CHUNK = 900  # ids per IN (…) list
# The last window each store read outside a transaction, by database: (sensor ids, since, until, readings).
_TAILS: dict[tuple, tuple] = {}


def forget_windows() -> None:
    """Drop every remembered window (after a flush or anything else that removes readings)."""
    _TAILS.clear()


class ReadingsStore:
    """Write and read readings. Arrays are int64 sensor ids, int64 epoch milliseconds, float64 values."""

    def insert(self, sensor: np.ndarray, ts: np.ndarray, value: np.ndarray) -> int:
        """Store the rows that are not stored yet; return how many were new. Commits before returning (or with
        the caller's transaction)."""
        raise NotImplementedError

    def window(self, sensor_ids: Iterable[int], since_ms: int, until_ms: int) -> Readings:
        """Readings of these sensors with since_ms <= ts <= until_ms, sorted by (sensor, ts)."""
        ids = sorted({int(i) for i in sensor_ids})
        parts = []
        with connection.cursor() as cur:
            for k in range(0, len(ids), _CHUNK):
                chunk = ids[k:k + _CHUNK]
                cur.execute(f"SELECT sensor_id, ts, value FROM {TABLE} WHERE sensor_id IN "
                            f"({','.join(['%s'] * len(chunk))}) AND ts >= %s AND ts <= %s ORDER BY sensor_id, ts",
                            [*chunk, int(since_ms), int(until_ms)])
                parts.extend(cur.fetchall())
        if not parts:
            return Readings.sorted(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
        s, t, v = zip(*parts, strict=True)
        return Readings.sorted(np.array(s, np.int64), np.array(t, np.int64), np.array(v, np.float64))

    def window_with(self, sensor_ids: Iterable[int], since_ms: int, until_ms: int, stored: Readings) -> Readings:
        """As `window`, where `stored` are readings this process has just stored, all of them new (nothing was
        there before at their sensor and time): those are not read back, nor, outside a transaction, what this
        process read last time before them (the tail of the previous window: in-order data needs none of it
        again). The rest is read, and one count from the index (over the window up to the batch's end) proves
        that the parts are all there is; if not, or if the batch is not inside the window, everything is read
        back. The count suffices because stored readings are never changed (the first value of a moment stays)
        nor removed while their sensor id is in use (ids are never reused; `delete_sensor` forgets the windows):
        rows known to be there, as many as there are, are all there is."""
        ids = {int(i) for i in sensor_ids}
        data = None
        if len(stored):
            t0, t1 = int(stored.ts.min()), int(stored.ts.max())
            own = set(np.unique(stored.sensor).tolist())
            if own <= ids and since_ms <= t0 and t1 <= until_ms:
                data = self._around(ids, own, since_ms, until_ms, stored, t0, t1)
        if data is None:
            data = self.window(ids, since_ms, until_ms)
        if not connection.in_atomic_block:  # committed data only: a rolled-back read must not be remembered
            _TAILS[self._db_key()] = (frozenset(ids), since_ms, until_ms, data)
        return data

    def _db_key(self) -> tuple:
        return type(self), connection.alias, str(connection.settings_dict["NAME"])

    def _around(self, ids, own, since_ms, until_ms, stored, t0, t1) -> Readings | None:
        before, read_from = None, since_ms
        tail = None if connection.in_atomic_block else _TAILS.get(self._db_key())
        if tail is not None and ids <= tail[0] and tail[1] <= since_ms <= tail[2] + 1:
            known, read_from = tail[3], min(tail[2], t0 - 1) + 1
            keep = (known.ts >= since_ms) & (known.ts < read_from)
            if len(ids) < len(tail[0]):
                keep &= np.isin(known.sensor, np.fromiter(ids, np.int64))
            before = Readings.sorted(known.sensor[keep], known.ts[keep], known.value[keep])
        # Parts in time order (before the batch, the batch and other sensors in its span, after it): each
        # sensor's readings come out in time order by a stable sort on the sensor alone.
        parts = [before, self.window(ids, read_from, t0 - 1) if read_from < t0 else None, stored,
                 self.window(ids - own, t0, t1) if ids - own else None]
        parts = [p for p in parts if p is not None and len(p)]
        if self.count_between(ids, since_ms, t1) != sum(len(p) for p in parts):
            return None
        if t1 < until_ms:
            parts.append(self.window(ids, t1 + 1, until_ms))
        parts = [p for p in parts if len(p)]
        if len(parts) == 1:
            return parts[0]
        sensor = np.concatenate([p.sensor for p in parts])
        order = np.argsort(sensor, kind="stable")
        return Readings.sorted(sensor[order], np.concatenate([p.ts for p in parts])[order],
                               np.concatenate([p.value for p in parts])[order])

    def count_between(self, sensor_ids: Iterable[int], since_ms: int, until_ms: int) -> int:
        """How many readings of these sensors have since_ms <= ts <= until_ms (from the index alone)."""
        ids = sorted({int(i) for i in sensor_ids})
        total = 0
        with connection.cursor() as cur:
            for k in range(0, len(ids), _CHUNK):
                chunk = ids[k:k + _CHUNK]
                cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE sensor_id IN ({','.join(['%s'] * len(chunk))}) "
                            "AND ts >= %s AND ts <= %s", [*chunk, int(since_ms), int(until_ms)])
                total += int(cur.fetchone()[0])
        return total

    def count(self, sensor_ids: Iterable[int] | None = None) -> int:
        with connection.cursor() as cur:
            if sensor_ids is None:
                cur.execute(f"SELECT COUNT(*) FROM {TABLE}")
            else:
                ids = [int(i) for i in sensor_ids] or [0]
                cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE sensor_id IN ({','.join(['%s'] * len(ids))})", ids)
            return int(cur.fetchone()[0])

    def delete_sensor(self, sensor_id: int) -> None:
        forget_windows()
        with connection.cursor() as cur:
            cur.execute(f"DELETE FROM {TABLE} WHERE sensor_id = %s", [int(sensor_id)])


class SqliteStore(ReadingsStore):

    def window(self, sensor_ids, since_ms, until_ms) -> Readings:
        """One text row per sensor (group_concat, in the clustered key's order), parsed by numpy in C: several
        times faster than a Python tuple per reading. Order is checked, and restored if SQLite ever changes it."""
        ids = sorted({int(i) for i in sensor_ids})
        sensors, ts, values = [], [], []
        connection.ensure_connection()
        cur = connection.connection.cursor()
        try:
            for k in range(0, len(ids), _CHUNK):
                chunk = ids[k:k + _CHUNK]
                cur.execute(f"SELECT sensor_id, COUNT(*), group_concat(ts), group_concat(value) FROM {TABLE} "
                            f"WHERE sensor_id IN ({','.join('?' * len(chunk))}) AND ts >= ? AND ts <= ? "
                            "GROUP BY sensor_id ORDER BY sensor_id", [*chunk, int(since_ms), int(until_ms)])
                for sid, n, t_text, v_text in cur.fetchall():
                    sensors.append(np.full(n, sid, np.int64))
                    ts.append(t_text)
                    values.append(v_text)
        finally:
            cur.close()
        if not sensors:
            return Readings.sorted(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.float64))
        s = np.concatenate(sensors)
        t = np.fromstring(",".join(ts), dtype=np.int64, sep=",")
        v = np.fromstring(",".join(values), dtype=np.float64, sep=",")
        if len(s) > 1 and not ((s[1:] > s[:-1]) | ((s[1:] == s[:-1]) & (t[1:] > t[:-1]))).all():
            return Readings.of(s, t, v)
        return Readings.sorted(s, t, v)

    ROWS = 500  # rows per INSERT statement (3 parameters each; SQLite allows 32,766)

    def insert(self, sensor, ts, value) -> int:
        """Rows in (sensor, ts) order (the stable sort keeps the first given of a pair first, and that one is
        kept), ROWS rows per statement: one statement run per 500 rows instead of one per row."""
        n = len(ts)
        if not n:
            return 0
        sensor, ts, value = np.asarray(sensor, np.int64), np.asarray(ts, np.int64), np.asarray(value, np.float64)
        if n > 1 and not ((sensor[1:] > sensor[:-1]) | ((sensor[1:] == sensor[:-1]) & (ts[1:] >= ts[:-1]))).all():
            order = np.lexsort((ts, sensor))
            sensor, ts, value = sensor[order], ts[order], value[order]
        flat = np.empty(3 * n, dtype=object)
        flat[0::3], flat[1::3], flat[2::3] = sensor.tolist(), ts.tolist(), value.tolist()
        flat = flat.tolist()
        k = min(self.ROWS, n)
        whole = n // k * k
        with transaction.atomic():
            connection.ensure_connection()
            cur = connection.connection.cursor()  # the driver's own cursor: no per-row Django wrapping
            try:
                cur.executemany(self._sql(k), [flat[i:i + 3 * k] for i in range(0, 3 * whole, 3 * k)])
                done = max(cur.rowcount, 0)
                if whole < n:
                    cur.execute(self._sql(n - whole), flat[3 * whole:])
                    done += max(cur.rowcount, 0)
                return done
            finally:
                cur.close()

    @staticmethod
    def _sql(rows: int) -> str:
        return f"INSERT OR IGNORE INTO {TABLE} (sensor_id, ts, value) VALUES " + ",".join(["(?,?,?)"] * rows)


_COPY_ROW = np.dtype([("fields", ">i2"), ("n1", ">i4"), ("sensor", ">i8"), ("n2", ">i4"), ("ts", ">i8"),
                      ("n3", ">i4"), ("value", ">f8")])
_COPY_HEAD = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TAIL = struct.pack(">h", -1)


def _copy_binary(sensor, ts, value) -> bytes:
    """The rows in COPY's binary format (bigint, bigint, double precision), built by numpy in one go."""
    rows = np.empty(len(ts), dtype=_COPY_ROW)
    rows["fields"] = 3
    rows["n1"] = rows["n2"] = rows["n3"] = 8
    rows["sensor"], rows["ts"], rows["value"] = sensor, ts, value
    return _COPY_HEAD + rows.tobytes() + _COPY_TAIL


class PostgresStore(ReadingsStore):
    def window(self, sensor_ids, since_ms, until_ms) -> Readings:
        """The query's rows in COPY's binary format, fixed-size records numpy reads in place: no Python object
        per reading (a tuple each would also set off the garbage collector several times per read)."""
        ids = sorted({int(i) for i in sensor_ids})
        if not ids:
            return super().window(ids, since_ms, until_ms)
        chunks = []
        with transaction.atomic():  # one snapshot for every part
            connection.ensure_connection()
            with connection.connection.cursor() as cur:
                for k in range(0, len(ids), _CHUNK):
                    listed = ",".join(map(str, ids[k:k + _CHUNK]))  # ints only: safe to inline (COPY binds nothing)
                    query = (f"COPY (SELECT sensor_id::int8, ts::int8, value::float8 FROM {TABLE} WHERE sensor_id IN "
                             f"({listed}) AND ts >= {int(since_ms)} AND ts <= {int(until_ms)} ORDER BY sensor_id, ts) "
                             "TO STDOUT (FORMAT BINARY)")
                    with cur.copy(query) as cp:
                        chunks.append(b"".join(bytes(block) for block in cp))
        rows = [np.frombuffer(c, dtype=_COPY_ROW, offset=len(_COPY_HEAD), count=(len(c) - len(_COPY_HEAD) - 2)
                              // _COPY_ROW.itemsize) for c in chunks]
        data = rows[0] if len(rows) == 1 else np.concatenate(rows)
        return Readings.sorted(data["sensor"].astype(np.int64), data["ts"].astype(np.int64),
                               data["value"].astype(np.float64))

    def insert(self, sensor, ts, value) -> int:
        """COPY straight into the table (as fast as COPY gets); a batch that repeats a stored reading (or one of
        its own) fails on the primary key, and then goes into a temporary table and from there by INSERT …
        ON CONFLICT DO NOTHING, which keeps the first of a pair, as SQLite's INSERT OR IGNORE does."""
        from psycopg import errors as psycopg_errors

        if not len(ts):
            return 0
        data = _copy_binary(np.asarray(sensor, np.int64), np.asarray(ts, np.int64), np.asarray(value, np.float64))
        with transaction.atomic():
            connection.ensure_connection()
            try:
                with transaction.atomic(), connection.connection.cursor() as cur:
                    with cur.copy(f"COPY {TABLE} (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)") as cp:
                        cp.write(data)
                    return max(cur.rowcount, 0)
            except psycopg_errors.UniqueViolation:
                pass
            with connection.connection.cursor() as cur:
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS mon_reading_in (sensor_id bigint, ts bigint, "
                            "value double precision) ON COMMIT DELETE ROWS")
                with cur.copy("COPY mon_reading_in (sensor_id, ts, value) FROM STDIN (FORMAT BINARY)") as cp:
                    cp.write(data)
                cur.execute(f"INSERT INTO {TABLE} (sensor_id, ts, value) SELECT sensor_id, ts, value FROM "
                            "mon_reading_in ON CONFLICT DO NOTHING")
                return max(cur.rowcount, 0)


def get_store() -> ReadingsStore:
    path = getattr(settings, "YINGJI_READINGS_STORE", None)
    if path:
        return import_string(path)()
    return PostgresStore() if connection.vendor == "postgresql" else SqliteStore()
