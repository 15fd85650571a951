"""The numpy kernel against the plain-Python oracle on drawn readings and drawn rules (derandomised)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.domain.rules import kernel, oracle
from yingji.domain.rules.spec import MINUTE_MS, parse

# Values on a binary grid (quarters) keep sums exact in any order, so kernel and oracle compare equal.
values = st.integers(min_value=-40, max_value=400).map(lambda q: q / 4)


@st.composite
def readings(draw, max_sensors=4, max_rows=40):
    n_sensors = draw(st.integers(1, max_sensors))
    rows = {}
    for _ in range(draw(st.integers(0, max_rows))):
        s = draw(st.integers(1, n_sensors))
        t = draw(st.integers(0, 600)) * MINUTE_MS // 4  # 15 s steps over 2.5 h
        rows[(s, t)] = draw(values)
    return sorted((s, t, v) for (s, t), v in rows.items())


def series_specs(depth=2):
    base = st.just("value")
    agg = st.fixed_dictionaries({"agg": st.sampled_from(["sum", "max", "mean", "min", "count", "change", "rate"]),
                                 "minutes": st.integers(1, 90)})
    if depth <= 0:
        return st.one_of(base, agg)
    nested = st.builds(lambda a, inner: {**a, "of": inner}, agg, series_specs(depth - 1))
    return st.one_of(base, agg, nested)


def conditions(depth=2):
    cmp = st.fixed_dictionaries({"of": series_specs(1), "op": st.sampled_from([">=", ">", "<=", "<"]),
                                 "value": values})
    if depth <= 0:
        return cmp
    sub = conditions(depth - 1)
    return st.one_of(
        cmp,
        st.fixed_dictionaries({"persist": st.integers(1, 4), "when": sub}),
        st.builds(lambda mode, parts: {mode: parts}, st.sampled_from(["all", "any"]), st.lists(sub, min_size=1, max_size=3)),
    )


def _arrays(rows):
    return kernel.Readings.sorted(np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64),
                                  np.array([r[2] for r in rows], np.float64))


@settings(max_examples=300)
@given(readings(), series_specs())
def test_series_match_the_oracle(rows, spec):
    rule = parse({"level": 1, "clauses": [{"sensors": {"kind": "x"}, "when": {"of": spec, "op": ">=", "value": 0}}]})
    s = rule.clauses[0].when.series
    got = kernel.series(s, _arrays(rows))
    want = oracle.series(s, rows)
    np.testing.assert_allclose(got, np.array(want, dtype=np.float64), rtol=1e-12, atol=1e-9)


@settings(max_examples=300)
@given(readings(), conditions())
def test_conditions_match_the_oracle(rows, cond):
    rule = parse({"level": 1, "clauses": [{"sensors": {"kind": "x"}, "when": cond}]})
    got = kernel.condition(rule.clauses[0].when, _arrays(rows)).tolist()
    assert got == oracle.condition(rule.clauses[0].when, rows)


@settings(max_examples=200)
@given(readings(), st.lists(st.tuples(conditions(1), st.integers(1, 3), st.integers(1, 60),
                                      st.sets(st.integers(1, 4), min_size=1)), min_size=1, max_size=3),
       st.sampled_from(["all", "any"]))
def test_firing_times_match_the_oracle(rows, clauses, match):
    rule = parse({"level": 2, "match": match, "clauses": [
        {"sensors": {"ids": sorted(ids)}, "when": c, "min_sensors": k, "stale_minutes": stale}
        for c, k, stale, ids in clauses]})

    def members(selector):
        return selector["ids"]

    got = kernel.evaluate(rule, _arrays(rows), members).fired.tolist()
    assert got == oracle.fired(rule, rows, members)


def test_readings_of_sorts_and_keeps_the_last_value_of_a_pair():
    r = kernel.Readings.of([2, 1, 2, 1], [5, 9, 5, 3], [1.0, 2.0, 3.0, 4.0])
    assert r.sensor.tolist() == [1, 1, 2] and r.ts.tolist() == [3, 9, 5] and r.value.tolist() == [4.0, 2.0, 3.0]


@settings(max_examples=100)
@given(readings(max_sensors=6, max_rows=60), conditions())
def test_chunked_evaluation_matches_the_oracle(rows, cond):
    """Long inputs are evaluated in slices of whole sensors; a tiny slice size exercises the cuts."""
    saved = kernel.CHUNK
    kernel.CHUNK = 3
    try:
        rule = parse({"level": 1, "clauses": [{"sensors": {"kind": "x"}, "when": cond}]})
        assert kernel.condition(rule.clauses[0].when, _arrays(rows)).tolist() == \
            oracle.condition(rule.clauses[0].when, rows)
    finally:
        kernel.CHUNK = saved


@settings(max_examples=150)
@given(readings(max_sensors=5, max_rows=60), series_specs(), st.integers(1, 3), st.integers(2, 8))
def test_guessed_window_starts_match_the_oracle(rows, spec, step, chunk):
    """Window starts are searched for every _GUESS_STEP-th reading and guessed for the others (checked, and
    searched for when wrong); a step of 1–3 makes short drawn inputs take that path, across slice cuts that reuse
    the same work arrays."""
    saved = kernel._GUESS_STEP, kernel.CHUNK
    kernel._GUESS_STEP, kernel.CHUNK = step, chunk
    try:
        rule = parse({"level": 1, "clauses": [{"sensors": {"kind": "x"}, "when": {"any": [
            {"of": spec, "op": ">=", "value": 2}, {"persist": 2, "when": {"of": spec, "op": "<", "value": 0.5}}]}}]})
        cond = rule.clauses[0].when
        s = cond.parts[0].series
        np.testing.assert_allclose(kernel.series(s, _arrays(rows)), np.array(oracle.series(s, rows), np.float64),
                                   rtol=1e-12, atol=1e-9)
        assert kernel.condition(cond, _arrays(rows)).tolist() == oracle.condition(cond, rows)
    finally:
        kernel._GUESS_STEP, kernel.CHUNK = saved


def test_window_starts_with_sensor_ids_far_apart():
    """Sensor ids too far apart for sensor × stride in int64 fall back to sensor ranks; regular minute data
    takes the guessed starts."""
    n = 300
    s = np.repeat(np.array([1, 2**62], np.int64), n)
    t = np.tile(np.arange(n, dtype=np.int64) * MINUTE_MS, 2)
    v = np.ones(2 * n)
    rule = parse({"level": 1, "clauses": [{"sensors": {"kind": "x"},
                                           "when": {"of": {"agg": "sum", "hours": 1}, "op": ">=", "value": 60}}]})
    got = kernel.series(rule.clauses[0].when.series, kernel.Readings.sorted(s, t, v))
    want = np.minimum(np.arange(1, n + 1), 60).astype(float)
    assert got.tolist() == [*want, *want]
