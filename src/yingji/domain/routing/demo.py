"""Synthetic road network of the demo city (示范市): streets, arterials, two ring roads and a bridged river.

Deterministic for a given seed, so demo resources placed on it and the travel times between them are
reproducible. Centred on lon 113.30, lat 23.10; about 40 km west–east by 30 km south–north.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._geo import EARTH_RADIUS_M, haversine_m
from .graph import RoadGraph
from .results import LonLat
from .speeds import DEFAULT_CLASS_SPEEDS_KMH

__all__ = [
    "DEMO_CENTRE",
    "DEMO_EXTENT_M",
    "BRIDGE_X_M",
    "demo_city_graph",
    "demo_point",
    "river_y_m",
]

DEMO_CENTRE: LonLat = (113.30, 23.10)
DEMO_EXTENT_M = (40_000.0, 30_000.0)
# Street bridges cross the river on these arterials (metres east of the centre); the ring roads cross too.
BRIDGE_X_M = (-12_000.0, -4_000.0, 2_000.0, 10_000.0)

_SPACING_M = 250.0
_ARTERIAL_EVERY = 8  # every 2 km
_SECONDARY_EVERY = 4  # every 1 km
_RIVER_HALF_WIDTH_M = 110.0
_OLD_TOWN = (-3_000.0, 3_000.0, 800.0, 3_800.0)  # x0, x1, y0, y1 in metres: alternating one-way streets
_RINGS = ((6_000.0, 4_500.0, "trunk"), (15_000.0, 11_000.0, "motorway"))  # semi-axes (m) and class


def demo_point(x_m: float, y_m: float) -> LonLat:
    """(lon, lat) of the point `x_m` metres east and `y_m` metres north of the demo city centre."""
    lon, lat = _to_lonlat(np.array([x_m]), np.array([y_m]))
    return (float(lon[0]), float(lat[0]))


def river_y_m(x_m: NDArray[np.float64] | float) -> NDArray[np.float64]:
    """Northing (metres from the centre) of the river's centreline at easting `x_m` (metres)."""
    x = np.asarray(x_m, dtype=np.float64)
    return 1200.0 * np.sin(2 * np.pi * x / 26_000.0) + 400.0 * np.sin(2 * np.pi * x / 9_000.0 + 1.0)


def demo_city_graph(seed: int = 42, **options: object) -> RoadGraph:
    """Build the demo city's `RoadGraph`; `options` go to the `RoadGraph` constructor (e.g. `max_snap_m`)."""
    rng = np.random.default_rng(seed)
    x, y, lattice_ok, cols, rows = _lattice(rng)
    edges: list[tuple[NDArray[np.int64], NDArray[np.int64], str, NDArray[np.int8]]] = []
    edges += _lattice_edges(x, y, lattice_ok, cols, rows, rng)
    ring_x, ring_y, ring_edges = _rings(x, y, lattice_ok, cols, rows, start=x.size)
    edges += ring_edges
    x, y = np.concatenate((x, ring_x)), np.concatenate((y, ring_y))
    lon, lat = _to_lonlat(x, y)

    tails, heads, seconds, metres = [], [], [], []
    for a, b, highway, direction in edges:
        length = haversine_m(lon[a], lat[a], lon[b], lat[b])
        time = length / (DEFAULT_CLASS_SPEEDS_KMH[highway] / 3.6)
        fwd, bwd = direction >= 0, direction <= 0
        tails += [a[fwd], b[bwd]]
        heads += [b[fwd], a[bwd]]
        seconds += [time[fwd], time[bwd]]
        metres += [length[fwd], length[bwd]]
    t, h = np.concatenate(tails), np.concatenate(heads)
    # Keep only nodes some road touches, renumbered densely.
    used = np.zeros(x.size, bool)
    used[t] = used[h] = True
    renumber = np.cumsum(used) - 1
    meta = {"source": "demo", "seed": seed, "centre": list(DEMO_CENTRE)}
    return RoadGraph.from_arcs(
        renumber[t],
        renumber[h],
        np.concatenate(seconds),
        np.concatenate(metres),
        lon[used],
        lat[used],
        meta=meta,
        **options,  # type: ignore[arg-type]
    )


def _to_lonlat(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lat0 = np.radians(DEMO_CENTRE[1])
    deg_per_m = np.degrees(1.0 / EARTH_RADIUS_M)
    return DEMO_CENTRE[0] + x * deg_per_m / np.cos(lat0), DEMO_CENTRE[1] + y * deg_per_m


def _lattice(
    rng: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_], int, int]:
    half_w, half_h = DEMO_EXTENT_M[0] / 2, DEMO_EXTENT_M[1] / 2
    cols = int(round(2 * half_w / _SPACING_M)) + 1
    rows = int(round(2 * half_h / _SPACING_M)) + 1
    gx, gy = np.meshgrid(np.arange(cols) * _SPACING_M - half_w, np.arange(rows) * _SPACING_M - half_h)
    x, y = gx.ravel(), gy.ravel()
    on_bridge = np.isin(x, BRIDGE_X_M)
    ok = (np.abs(y - river_y_m(x)) >= _RIVER_HALF_WIDTH_M) | on_bridge
    # Jitter after the river test so bridge columns stay straight; ±30 m makes streets less regular.
    x = x + np.where(on_bridge, 0.0, rng.uniform(-30, 30, x.size))
    y = y + rng.uniform(-30, 30, y.size)
    return x, y, ok, cols, rows


def _street_class(line: NDArray[np.int64]) -> NDArray[np.str_]:
    return np.where(
        line % _ARTERIAL_EVERY == 0,
        "primary",
        np.where(line % _SECONDARY_EVERY == 0, "secondary", "residential"),
    )


def _lattice_edges(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    ok: NDArray[np.bool_],
    cols: int,
    rows: int,
    rng: np.random.Generator,
) -> list[tuple[NDArray[np.int64], NDArray[np.int64], str, NDArray[np.int8]]]:
    ids = np.arange(rows * cols).reshape(rows, cols)
    col_of, row_of = ids % cols, ids // cols
    east = (ids[:, :-1].ravel(), ids[:, 1:].ravel(), row_of[:, :-1].ravel())  # along a row: class by row
    north = (
        ids[:-1, :].ravel(),
        ids[1:, :].ravel(),
        col_of[:-1, :].ravel(),
    )  # along a column: class by column
    out = []
    for (a, b, line), along_row in ((east, True), (north, False)):
        keep = ok[a] & ok[b]
        # The river: no street crosses the centreline except on a bridge column.
        crosses = np.sign(y[a] - river_y_m(x[a])) != np.sign(y[b] - river_y_m(x[b]))
        bridge = np.isin(np.round(x[a]), BRIDGE_X_M) & (not along_row)
        keep &= ~crosses | bridge
        highway = _street_class(line)
        # Fewer local streets far out: the outskirts are villages and fields, not a dense grid.
        mx, my = (x[a] + x[b]) / 2, (y[a] + y[b]) / 2
        r = np.hypot(mx / (DEMO_EXTENT_M[0] / 2), my / (DEMO_EXTENT_M[1] / 2))
        p_keep = np.clip(1.0 - (r - 0.35) * 1.2, 0.25, 1.0)
        keep &= (highway != "residential") | (rng.random(a.size) < p_keep)
        direction = _old_town_direction(mx, my, line, highway)
        for cls in ("primary", "secondary", "residential"):
            sel = keep & (highway == cls)
            out.append((a[sel], b[sel], cls, direction[sel]))
    return out


def _old_town_direction(
    mx: NDArray[np.float64],
    my: NDArray[np.float64],
    line: NDArray[np.int64],
    highway: NDArray[np.str_],
) -> NDArray[np.int8]:
    # Old-town residential streets are one-way, alternating direction street by street (like a real
    # old centre); the two-way secondary streets every kilometre keep every block reachable. The same rule
    # serves rows (east/west) and columns (north/south).
    x0, x1, y0, y1 = _OLD_TOWN
    inside = (mx > x0) & (mx < x1) & (my > y0) & (my < y1) & (highway == "residential")
    alternating = np.where(line % 2 == 0, 1, -1).astype(np.int8)
    return np.where(inside, alternating, 0).astype(np.int8)


def _rings(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    ok: NDArray[np.bool_],
    cols: int,
    rows: int,
    start: int,
) -> tuple[
    NDArray[np.float64],
    NDArray[np.float64],
    list[tuple[NDArray[np.int64], NDArray[np.int64], str, NDArray[np.int8]]],
]:
    half_w, half_h = DEMO_EXTENT_M[0] / 2, DEMO_EXTENT_M[1] / 2
    xs, ys, edges = [], [], []
    next_id = start
    for ax, ay, highway in _RINGS:
        count = int(2 * np.pi * max(ax, ay) / _SPACING_M)
        theta = np.linspace(0, 2 * np.pi, count, endpoint=False)
        rx, ry = ax * np.cos(theta), ay * np.sin(theta)
        ring = np.arange(next_id, next_id + count)
        both = np.zeros(count, np.int8)
        # Two-way carriageway modelled as one two-way road; a closed loop.
        edges.append((ring, np.roll(ring, -1), highway, both))
        # Interchanges where the ring meets an arterial: link to the nearest lattice node on that arterial.
        c = np.clip(np.round((rx + half_w) / _SPACING_M).astype(np.int64), 0, cols - 1)
        r = np.clip(np.round((ry + half_h) / _SPACING_M).astype(np.int64), 0, rows - 1)
        node = r * cols + c
        arterial = (c % _ARTERIAL_EVERY == 0) | (r % _ARTERIAL_EVERY == 0)
        near = np.hypot(x[node] - rx, y[node] - ry) < 130.0
        sel = arterial & near & ok[node]
        _, first = np.unique(node[sel], return_index=True)
        links = np.flatnonzero(sel)[first]
        edges.append((ring[links], node[links], "primary_link", np.zeros(links.size, np.int8)))
        xs.append(rx)
        ys.append(ry)
        next_id += count
    return np.concatenate(xs), np.concatenate(ys), edges
