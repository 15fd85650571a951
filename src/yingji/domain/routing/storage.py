"""The road graph file: a numpy `.npz` archive of CSR arrays, node data and a JSON metadata string."""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .errors import RoadDataError

__all__ = ["FORMAT", "VERSION", "ARRAYS", "write", "read"]

FORMAT = "yingji-roads"
VERSION = 1
# Array names and the dtypes they are stored with; a loader rejects files missing any of them.
ARRAYS: Mapping[str, str] = {
    "indptr": "int32",
    "indices": "int32",
    "time_s": "float64",
    "length_m": "float32",
    "lon": "float64",
    "lat": "float64",
    "node_id": "int64",
    "snappable": "bool",
}


def write(
    path: str | os.PathLike[str],
    arrays: Mapping[str, NDArray[Any]],
    meta: Mapping[str, Any],
    compress: bool = False,
) -> None:
    """Write `arrays` (the names in `ARRAYS`) and `meta` (JSON-serialisable) to `path`.

    The file is written beside the target and renamed into place, so a server never loads half a file.
    """
    missing = set(ARRAYS) - set(arrays)
    if missing:
        raise RoadDataError(f"cannot save road graph: missing arrays {sorted(missing)}")
    header = {"format": FORMAT, "version": VERSION, "meta": dict(meta)}
    payload = {name: np.asarray(arrays[name], dtype=dtype) for name, dtype in ARRAYS.items()}
    # A 0-d unicode array loads without pickle, unlike a dict or object array.
    payload["header"] = np.array(json.dumps(header, ensure_ascii=False))
    target = os.fspath(path)
    tmp = target + ".tmp"
    with open(tmp, "wb") as fh:
        (np.savez_compressed if compress else np.savez)(fh, **payload)
    os.replace(tmp, target)


def read(path: str | os.PathLike[str]) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
    """Read a file written by `write`: returns (arrays by name, metadata dict)."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as npz:
            header = json.loads(str(npz["header"][()]))
            if header.get("format") != FORMAT:
                raise RoadDataError(f"{path}: not a {FORMAT} file")
            if header.get("version") != VERSION:
                raise RoadDataError(f"{path}: unsupported {FORMAT} version {header.get('version')}")
            arrays = {name: npz[name] for name in ARRAYS}
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise RoadDataError(f"cannot read road graph {path}: {exc}") from exc
    return arrays, dict(header.get("meta", {}))
