"""Property: the banded-index distance and box filters return exactly what a brute-force check returns,
including points on band edges and on the circle."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core import crud
from yingji.core.kinds import search as selectors
from yingji.resources.models import Warehouse
from yingji.resources.models.base import prepare
from yingji.resources.registry import KINDS

R = 6_371_008.8


def hav(lng1, lat1, lng2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * R * math.asin(math.sqrt(min(h, 1.0)))


# Points near the demo city, many of them exactly on 0.01° band edges.
coord = st.tuples(
    st.one_of(st.floats(113.0, 113.6), st.integers(11300, 11360).map(lambda v: v / 100)),
    st.one_of(st.floats(22.9, 23.3), st.integers(2290, 2330).map(lambda v: v / 100)),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(points=st.lists(coord, min_size=1, max_size=40), centre=coord, radius_km=st.floats(0.1, 30),
       box=st.tuples(coord, coord))
def test_distance_and_box_match_brute_force(world, points, centre, radius_km, box):
    Warehouse.objects.all().delete()
    objs = []
    for i, (lng, lat) in enumerate(points):
        w = Warehouse(owner_unit=world.town_a, code=f"P{i}", name=f"库{i}", lng=lng, lat=lat)
        prepare(w)
        objs.append(w)
    crud.bulk_create(None, objs)
    kind = KINDS["warehouses"]
    _, distances = selectors.search(world.duty, kind, selectors.Filters(near=centre, radius_km=radius_km))
    expected = {w.pk for w in Warehouse.objects.all() if hav(centre[0], centre[1], w.lng, w.lat) <= radius_km * 1000}
    # points within a micrometre of the circle may fall either way between the two float formulas
    borderline = {w.pk for w in Warehouse.objects.all()
                  if abs(hav(centre[0], centre[1], w.lng, w.lat) - radius_km * 1000) < 1e-6}
    assert set(distances) - borderline == expected - borderline
    (x1, y1), (x2, y2) = box
    bbox = (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    qs, _ = selectors.search(world.duty, kind, selectors.Filters(bbox=bbox))
    assert set(qs.values_list("pk", flat=True)) == {
        w.pk for w in Warehouse.objects.all() if bbox[0] <= w.lng <= bbox[2] and bbox[1] <= w.lat <= bbox[3]}
