"""Compressed-sparse-row helpers: building a deduplicated graph, strong components, path walking."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csgraph, csr_matrix

__all__ = ["dedupe_arcs", "to_csr", "large_component_mask", "walk_predecessors", "arc_position"]


def dedupe_arcs(
    tails: NDArray[np.int64],
    heads: NDArray[np.int64],
    time_s: NDArray[np.float64],
    length_m: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Sort arcs by (tail, head) and keep only the fastest of parallel arcs, dropping self-loops.

    scipy would *sum* duplicate entries when building a sparse matrix, turning two parallel roads into
    one slow one, so duplicates must go before the matrix is built.
    """
    keep = tails != heads
    tails, heads, time_s, length_m = tails[keep], heads[keep], time_s[keep], length_m[keep]
    order = np.lexsort((time_s, heads, tails))
    tails, heads, time_s, length_m = tails[order], heads[order], time_s[order], length_m[order]
    first = np.ones(tails.size, dtype=bool)
    first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
    return tails[first], heads[first], time_s[first], length_m[first]


def to_csr(indptr: NDArray[np.int64], indices: NDArray[np.int32], data: NDArray[np.float64]) -> csr_matrix:
    """Wrap arrays as a square float64 CSR matrix without copying (the form csgraph wants)."""
    n = indptr.size - 1
    matrix = csr_matrix((data, indices, indptr), shape=(n, n), copy=False)
    matrix.has_sorted_indices = True
    return matrix


def large_component_mask(matrix: csr_matrix, min_nodes: int = 1000) -> NDArray[np.bool_]:
    """Nodes in the largest strongly connected component, or in any other one of at least `min_nodes`.

    Snapping to a node in a tiny island (a driveway cut off at the extract edge, a one-way stub) would make
    every trip from it unreachable, so only well-connected parts of the network are offered for snapping.
    """
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    _, labels = csgraph.connected_components(matrix, directed=True, connection="strong")
    sizes = np.bincount(labels)
    big = (sizes >= min_nodes) | (sizes == sizes.max())
    return big[labels]


def walk_predecessors(predecessors: NDArray[np.int32], source: int, target: int) -> list[int]:
    """Node path from `source` to `target` given csgraph's predecessor row; empty when unreachable."""
    if source == target:
        return [source]
    path = [target]
    node = target
    while node != source:
        node = int(predecessors[node])
        if node < 0:
            return []
        path.append(node)
    path.reverse()
    return path


def arc_position(indptr: NDArray[np.int64], indices: NDArray[np.int32], tail: int, head: int) -> int:
    """Position of arc tail→head in the CSR arrays (indices are sorted within each row)."""
    lo, hi = int(indptr[tail]), int(indptr[tail + 1])
    pos = lo + int(np.searchsorted(indices[lo:hi], head))
    if pos >= hi or indices[pos] != head:
        raise KeyError((tail, head))
    return pos
