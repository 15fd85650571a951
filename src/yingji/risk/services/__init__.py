"""Every write of the risk module (grid cells, hazard sources and their grading, hidden dangers)."""
