"""What a dispatcher sees: who goes where, why demand is left unmet, and the top-k list for one incident."""

from __future__ import annotations

import numpy as np
import pytest

from yingji.domain.dispatch import (
    Allocation,
    Demand,
    InvalidDispatchInput,
    Resource,
    UnmetReason,
    allocate,
    allocate_greedy,
    rank,
)


def reasons(result: Allocation) -> dict[tuple[str, str], UnmetReason]:
    return {(u.incident_id, u.capability): u.reason for u in result.unmet}


def test_each_unmet_reason_is_reported() -> None:
    demands = [
        Demand("fire", "ladder", 1),  # nobody has a ladder
        Demand("fire", "hazmat", 1),  # the only hazmat team is busy
        Demand("flood", "boat", 1),  # the boat is 2 hours away, limit 30 min
        Demand("flood", "pump", 5),  # only 3 pumps exist in range
    ]
    resources = [
        Resource("hz1", {"hazmat": 1}, available=False),
        Resource("boat1", {"boat": 1}),
        Resource("p1", {"pump": 2}),
        Resource("p2", {"pump": 1}),
    ]
    times = {"fire": [300, 300, 300, 300], "flood": [600, 7200, 600, 900]}
    result = allocate(demands, resources, times, max_response_s=1800)
    assert reasons(result) == {
        ("fire", "ladder"): UnmetReason.NO_CAPABILITY,
        ("fire", "hazmat"): UnmetReason.ALL_BUSY,
        ("flood", "boat"): UnmetReason.OUT_OF_RANGE,
        ("flood", "pump"): UnmetReason.NOT_ENOUGH_QUANTITY,
    }
    pump = next(u for u in result.unmet if u.capability == "pump")
    assert (pump.requested, pump.met, pump.missing) == (5, 3, 2)
    assert "1800" in next(u for u in result.unmet if u.capability == "boat").detail
    assert {a.resource_id for a in result.assignments} == {"p1", "p2"}


def test_contended_resource_goes_where_it_is_worth_more() -> None:
    # One engine, two fires: the higher-priority fire gets it; the other is short for competing demand.
    demands = [Demand("small", "engine", 1, priority=1), Demand("big", "engine", 1, priority=5)]
    resources = [Resource("e1", {"engine": 1})]
    result = allocate(demands, resources, [[60.0, 600.0]])
    assert [(a.resource_id, a.incident_id) for a in result.assignments] == [("e1", "big")]
    assert reasons(result) == {("small", "engine"): UnmetReason.COMPETING_DEMAND}


def test_multi_capability_resource_is_used_once_and_counts_one_capability() -> None:
    demands = [Demand("x", "medics", 4), Demand("x", "boat", 1)]
    resources = [Resource("rescue-boat", {"boat": 1, "medics": 4})]
    result = allocate(demands, resources, [[100.0]])
    assert len(result.assignments) == 1
    assert len(result.unmet) == 1


def test_meeting_demand_beats_arriving_sooner() -> None:
    # Greedy sends the near multi-skilled unit to the first line and leaves the second unmet; the exact
    # allocator sends it where only it can help and uses the slower specialist elsewhere.
    demands = [Demand("a", "pump", 1, priority=2), Demand("b", "boat", 1, priority=1)]
    resources = [Resource("amphibian", {"pump": 1, "boat": 1}), Resource("pump2", {"pump": 1})]
    times = {"a": [60.0, 1500.0], "b": [60.0, np.inf]}
    greedy = allocate_greedy(demands, resources, times)
    exact = allocate(demands, resources, times)
    assert len(greedy.unmet) == 1
    assert exact.unmet == []
    assert {(a.resource_id, a.incident_id) for a in exact.assignments} == {("amphibian", "b"), ("pump2", "a")}
    assert exact.objective == 2 * 1500.0 + 60.0


def test_partial_fulfilment_is_better_than_nothing() -> None:
    result = allocate([Demand("q", "rescuers", 10)], [Resource("t1", {"rescuers": 6})], [[300.0]])
    assert [a.resource_id for a in result.assignments] == ["t1"]
    assert result.unmet[0].met == 6 and result.unmet[0].reason is UnmetReason.NOT_ENOUGH_QUANTITY
    assert result.coverage == pytest.approx(0.6)


def test_travel_time_forms_give_the_same_answer() -> None:
    demands = [Demand("a", "pump", 2), Demand("b", "pump", 1, priority=3)]
    resources = [Resource(f"p{i}", {"pump": 1}) for i in range(4)]
    matrix = np.array([[100.0, 900.0], [200.0, 50.0], [300.0, 400.0], [np.inf, 80.0]])
    mapping = {"a": matrix[:, 0], "b": matrix[:, 1]}
    index = {r.id: i for i, r in enumerate(resources)}

    def as_callable(resource: Resource, incident: str) -> float:
        return float(matrix[index[resource.id], ["a", "b"].index(incident)])

    results = [allocate(demands, resources, tt) for tt in (matrix, mapping, as_callable)]
    assert results[0].assignments == results[1].assignments == results[2].assignments
    # p3 is slower to b than p1, but freeing p1 for a saves more: 100 + 200 + 3 × 80 = 540.
    assert results[0].objective == 100.0 + 200.0 + 3 * 80.0


def test_bad_input_is_rejected_with_a_clear_error() -> None:
    demands = [Demand("a", "pump", 1)]
    with pytest.raises(InvalidDispatchInput):
        allocate(demands, [Resource("p", {"pump": 1}), Resource("p", {"pump": 1})], [[1.0], [2.0]])
    with pytest.raises(InvalidDispatchInput):
        allocate(demands, [Resource("p", {"pump": 1})], [[1.0, 2.0]])
    with pytest.raises(InvalidDispatchInput):
        allocate(demands, [Resource("p", {"pump": 1})], [[np.nan]])
    with pytest.raises(InvalidDispatchInput):
        allocate(demands, [Resource("p", {"pump": 1})], {"other": [1.0]})
    with pytest.raises(InvalidDispatchInput):
        Demand("a", "pump", 0)
    with pytest.raises(InvalidDispatchInput):
        Demand("a", "pump", 1, priority=-1)


def test_nothing_to_do() -> None:
    assert allocate([], [Resource("p", {"pump": 1})], np.zeros((1, 0))).assignments == []
    result = allocate([Demand("a", "pump", 1)], [], np.zeros((0, 1)))
    assert result.unmet[0].reason is UnmetReason.NO_CAPABILITY


def test_rank_lists_fastest_capable_available_units_with_running_total() -> None:
    resources = [
        Resource("near-busy", {"pump": 1}, available=False),
        Resource("far", {"pump": 3}),
        Resource("near", {"pump": 1}),
        Resource("no-pump", {"boat": 1}),
        Resource("tie-big", {"pump": 2}),
        Resource("unreachable", {"pump": 5}),
    ]
    eta = [10.0, 900.0, 120.0, 5.0, 120.0, np.inf]
    top = rank(Demand("x", "pump", 3), resources, eta, k=3)
    assert [r.resource_id for r in top] == ["tie-big", "near", "far"]
    assert [r.cumulative for r in top] == [2.0, 3.0, 6.0]
    assert [r.meets_demand for r in top] == [False, True, True]
    assert [r.resource_id for r in rank("pump", resources, eta, max_response_s=600)] == ["tie-big", "near"]
    by_id = dict(zip([r.id for r in resources], eta, strict=True))
    assert rank("pump", resources, by_id) == rank("pump", resources, eta)
    assert rank("pump", resources, lambda r: by_id[r.id], k=1)[0].resource_id == "tie-big"
