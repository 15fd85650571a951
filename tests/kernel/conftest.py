"""Fixtures for the kernel tests: the resources world (a city, a district, two towns with boundaries)."""

from tests.resources.conftest import World, admin_a, square, world  # noqa: F401 — shared fixtures
