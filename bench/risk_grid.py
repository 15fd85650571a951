"""Locating points in grid cells (网格): the risk module's batch lookup (one vectorised STRtree query for many
points, as imports, relocation and the demo use it) against the same STRtree asked one point at a time (what a
per-object save does), on 600 Voronoi cells over a 40 × 30 km city, 20,000 points. Answers must be equal.

    python bench/risk_grid.py [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
import shapely
from _common import median_of, result_line

from yingji.risk.geo import _Index  # the module's own index (pure shapely/numpy)

WEST, EAST, SOUTH, NORTH = 113.104, 113.496, 22.965, 23.235


def cells(n: int, rng) -> list:
    pts = shapely.MultiPoint(np.column_stack([rng.uniform(WEST, EAST, n), rng.uniform(SOUTH, NORTH, n)]))
    box = shapely.box(WEST, SOUTH, EAST, NORTH)
    return [g.intersection(box) for g in shapely.voronoi_polygons(pts, extend_to=box).geoms]


def main() -> None:
    quick = "--quick" in sys.argv
    rng = np.random.default_rng(13)
    geoms = cells(600, rng)
    index = _Index("bench", list(enumerate(geoms, start=1)))
    n = 2_000 if quick else 20_000
    lngs, lats = rng.uniform(WEST, EAST, n), rng.uniform(SOUTH, NORTH, n)

    def ours():
        return index.find(lngs, lats)

    def one_by_one():
        out = []
        for x, y in zip(lngs.tolist(), lats.tolist(), strict=True):
            hit = index.tree.query(shapely.Point(x, y), predicate="intersects")
            out.append(int(index.ids[hit[0]]) if len(hit) else None)
        return out

    assert ours() == one_by_one(), "the two lookups disagree"
    repeat = 3 if quick else 5
    t_ours, t_peer = median_of(ours, repeat), median_of(one_by_one, repeat)
    print(f"{n} points in 600 cells: batch {t_ours * 1e3:.1f} ms, one by one {t_peer * 1e3:.1f} ms")
    print(result_line("risk_grid_locate", "batch_ms", t_ours * 1e3, "single_ms", t_peer * 1e3, t_peer / t_ours))


if __name__ == "__main__":
    main()
