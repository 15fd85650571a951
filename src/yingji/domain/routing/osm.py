"""Reading drivable ways from an OpenStreetMap PBF file with pyosmium into arc arrays."""

from __future__ import annotations

import os

import osmium

from ._progress import Progress
from ._ways import ArcArrays, WayCollector
from .errors import RoadDataError
from .speeds import SpeedTable
from .tags import is_accessible, way_direction

__all__ = ["read_pbf"]


def read_pbf(
    path: str | os.PathLike[str], speeds: SpeedTable | None = None, progress: bool = False
) -> ArcArrays:
    """Arcs (seconds and metres) for every drivable way in `path`, respecting one-way rules.

    A way is drivable when its `highway` class is in `speeds` and motor vehicles are not barred (see
    `tags.is_accessible`). Nodes missing from the extract cut the way there instead of joining across the
    gap. With `progress`, a first quick pass counts highway ways so stderr can show a percentage.
    """
    table = speeds or SpeedTable()
    name = os.fspath(path)
    if not os.path.isfile(name):
        raise RoadDataError(f"no such PBF file: {name}")
    try:
        total = _count_highways(name) if progress else 0
        meter = Progress(total, "roads", "ways", enabled=progress)
        collector = WayCollector()
        ways = (
            osmium.FileProcessor(name)
            .with_locations()
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for way in ways:
            meter.advance()
            tags = way.tags
            highway = tags.get("highway")
            if not table.is_drivable(highway) or not is_accessible(tags):
                continue
            ids, lons, lats = [], [], []
            for ref in way.nodes:
                ids.append(ref.ref)
                loc = ref.location
                if loc.valid():
                    lons.append(loc.lon)
                    lats.append(loc.lat)
                else:
                    lons.append(float("nan"))
                    lats.append(float("nan"))
            speed = table.speed_kmh(highway, tags.get("maxspeed"))
            collector.add(ids, lons, lats, speed, way_direction(tags))
        meter.finish()
    except RuntimeError as exc:  # libosmium reports corrupt or unsupported input this way
        raise RoadDataError(f"cannot read {name}: {exc}") from exc
    return collector.build()


def _count_highways(name: str) -> int:
    # Ways only, no node locations: a fraction of the cost of the real pass.
    ways = osmium.FileProcessor(name, osmium.osm.WAY).with_filter(osmium.filter.KeyFilter("highway"))
    return sum(1 for _ in ways)
