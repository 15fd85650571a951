"""Rule definitions: clear errors naming the faulty part; templates from the weather standard fire right."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.domain.rules import kernel, templates
from yingji.domain.rules.spec import MINUTE_MS, RuleError, lookback_ms, parse
from yingji.domain.standards import weather

OK = {"level": 2, "clauses": [{"sensors": {"kind": "rain"}, "when": {"of": {"agg": "sum", "hours": 3}, "op": ">=",
                                                                     "value": 50}}]}


@pytest.mark.parametrize("mutate, path", [
    (lambda r: r.update(level=5), "level"),
    (lambda r: r.update(level="red"), "level"),
    (lambda r: r.update(match="most"), "match"),
    (lambda r: r.update(clauses=[]), "clauses"),
    (lambda r: r["clauses"][0]["when"].update(op="=="), "clauses[0].when.op"),
    (lambda r: r["clauses"][0]["when"].update(value=float("nan")), "clauses[0].when.value"),
    (lambda r: r["clauses"][0]["when"]["of"].update(agg="median"), "clauses[0].when.of.agg"),
    (lambda r: r["clauses"][0]["when"]["of"].update(minutes=5), "clauses[0].when.of"),
    (lambda r: r["clauses"][0].update(sensors={}), "clauses[0].sensors"),
    (lambda r: r["clauses"][0].update(min_sensors=0), "clauses[0].min_sensors"),
    (lambda r: r["clauses"][0].update(colour="red"), "clauses[0]"),
])
def test_bad_definitions_name_the_part(mutate, path):
    import copy

    raw = copy.deepcopy(OK)
    mutate(raw)
    with pytest.raises(RuleError) as err:
        parse(raw)
    assert err.value.path == path
    assert "（" in err.value.message  # Chinese first, English gloss


def test_lookback_covers_windows_and_staleness():
    assert lookback_ms(parse(OK)) == 3 * 60 * MINUTE_MS + 60 * MINUTE_MS


def test_rainstorm_template_levels_follow_the_standard():
    rules = {r["level"]: parse(r) for r in templates.rainstorm()}
    assert sorted(rules) == [1, 2, 3, 4]
    # 3 h of rain, 6 mm every 10 minutes = 108 mm: the standard says red; each rule fires for its level.
    hours = 3
    n = hours * 6
    r = kernel.Readings.of([1] * n, [i * 10 * MINUTE_MS for i in range(1, n + 1)], [6.0] * n)
    assert weather.rainstorm_signal(rain_3h_mm=6 * n).level == 1
    for level, rule in rules.items():
        assert len(kernel.evaluate(rule, r).fired) == 1, level


def test_heat_template_has_no_blue_and_red_at_forty():
    rules = {r["level"]: parse(r) for r in templates.heat()}
    assert sorted(rules) == [1, 2, 3]
    r = kernel.Readings.of([1, 1], [0, 3_600_000], [39.5, 40.0])
    assert kernel.evaluate(rules[1], r).fired.tolist() == [3_600_000]


def test_composite_across_sensors_needs_both_clauses():
    rule = parse({"level": 1, "match": "all", "clauses": [
        {"sensors": {"ids": [1]}, "when": {"op": ">=", "value": 10}},
        {"sensors": {"ids": [2, 3]}, "min_sensors": 2, "when": {"persist": 2, "when": {"op": ">", "value": 0}}}]})
    r = kernel.Readings.of([1, 2, 2, 3, 3], [0, 0, 60_000, 0, 60_000], [12, 1, 1, 1, 1])
    ev = kernel.evaluate(rule, r, lambda sel: sel["ids"])
    assert ev.fired.tolist() == [60_000]
    assert np.all(ev.holds[ev.times >= 60_000][:1])
