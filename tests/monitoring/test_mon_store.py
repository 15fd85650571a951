"""The readings store: bulk insert (idempotent, first of a pair kept, any order) and the window read that skips
the batch just stored only when that batch is provably all there is in its span."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.domain.rules.kernel import Readings
from yingji.monitoring.store import get_store

T = 1_780_000_000_000
MIN = 60_000


def _arrays(rows):
    s, t, v = zip(*rows, strict=True)
    return np.array(s, np.int64), np.array(t, np.int64), np.array(v, np.float64)


def _same(a: Readings, b: Readings) -> bool:
    return (
        a.sensor.tolist() == b.sensor.tolist()
        and a.ts.tolist() == b.ts.tolist()
        and a.value.tolist() == b.value.tolist()
    )


def test_insert_counts_new_rows_keeps_the_first_of_a_pair_and_takes_any_order(world, monkeypatch):
    store = get_store()
    a, b = world.rain[0].pk, world.rain[1].pk
    monkeypatch.setattr(type(store), "ROWS", 4, raising=False)  # several statements and a remainder
    rows = [
        (b, T + 5 * MIN, 1.0),
        (a, T + 2 * MIN, 2.0),
        (a, T, 3.0),
        (a, T + 2 * MIN, 9.0),
        (b, T, 4.0),
        (a, T + MIN, 5.0),
        (b, T + MIN, 6.0),
        (a, T + 3 * MIN, 7.0),
        (b, T + 2 * MIN, 8.0),
    ]
    assert store.insert(*_arrays(rows)) == 8
    got = store.window([a, b], T, T + 10 * MIN)
    assert list(zip(got.sensor.tolist(), got.ts.tolist(), got.value.tolist(), strict=True)) == [
        (a, T, 3.0),
        (a, T + MIN, 5.0),
        (a, T + 2 * MIN, 2.0),
        (a, T + 3 * MIN, 7.0),
        (b, T, 4.0),
        (b, T + MIN, 6.0),
        (b, T + 2 * MIN, 8.0),
        (b, T + 5 * MIN, 1.0),
    ]
    assert store.insert(*_arrays(rows)) == 0
    assert store.count_between([a], T + MIN, T + 2 * MIN) == 2


@pytest.mark.parametrize(
    "case", ["in_order", "gap_filled_by_others", "late_batch", "watched_not_in_batch", "batch_before_window"]
)
def test_window_with_a_fresh_batch_equals_a_full_read_back(world, case):
    store = get_store()
    a, b, c = (s.pk for s in world.rain)
    rng = np.random.default_rng(5)
    before = [(s, T + i * MIN, float(rng.integers(0, 9))) for s in (a, b, c) for i in range(60)]
    store.insert(*_arrays(before))
    since, until = T + 30 * MIN, T + 200 * MIN
    if case == "in_order":
        batch = [(s, T + i * MIN, 1.5) for s in (a, b) for i in range(60, 100)]
    elif case == "gap_filled_by_others":  # another writer stored a reading inside the batch's span
        store.insert(*_arrays([(a, T + 70 * MIN + 30_000, 4.0)]))
        batch = [(s, T + i * MIN, 1.5) for s in (a, b) for i in range(60, 100)]
    elif case == "late_batch":  # readings arriving after later ones
        store.insert(*_arrays([(s, T + i * MIN, 2.0) for s in (a, b) for i in range(120, 150)]))
        batch = [(s, T + i * MIN, 1.5) for s in (a, b) for i in range(60, 100)]
    elif case == "watched_not_in_batch":
        store.insert(*_arrays([(c, T + i * MIN, 3.0) for i in range(60, 100)]))
        batch = [(a, T + i * MIN + 1, 1.5) for i in range(55, 100)]
    else:
        batch = [(a, T + i * MIN + 1, 1.5) for i in range(0, 100)]
    assert store.insert(*_arrays(batch)) == len(batch)
    fresh = Readings.of(*_arrays(batch))
    got = store.window_with([a, b, c], since, until, fresh)
    assert _same(got, store.window([a, b, c], since, until))


@pytest.mark.django_db(transaction=True)
def test_in_order_batches_reuse_the_last_window_and_still_match_a_full_read(world, monkeypatch):
    """Outside a transaction the store remembers the last window it read; the next in-order batch reads only
    what lies beyond it. A reading another writer slips into the remembered span is noticed by the count."""
    store = get_store()
    a, b, c = (s.pk for s in world.rain)
    reads = []
    window = type(store).window

    def spy(self, ids, since, until):
        reads.append((since, until))
        return window(self, ids, since, until)

    monkeypatch.setattr(type(store), "window", spy)
    store.insert(*_arrays([(s, T + i * MIN, float(i % 7)) for s in (a, b, c) for i in range(70)]))
    for k in range(4):
        if k == 2:  # another writer, inside the remembered window
            store.insert(*_arrays([(c, T + 100 * MIN + 30_000, 9.0)]))
        rows = [(s, T + i * MIN, float(i % 5)) for s in (a, b) for i in range(70 + 40 * k, 110 + 40 * k)]
        assert store.insert(*_arrays(rows)) == len(rows)
        t0, t1 = T + (70 + 40 * k) * MIN, T + (109 + 40 * k) * MIN
        since, until = t0 - 70 * MIN, t1 + 70 * MIN
        reads.clear()
        got = store.window_with([a, b, c], since, until, Readings.of(*_arrays(rows)))
        used_tail = all(lo > since for lo, _ in reads)
        assert used_tail == (k in (1, 3)), (k, reads)
        assert _same(got, window(store, [a, b, c], since, until))
