"""Strict JSON of results: the one conversion of NumPy values, dataclasses, enums and paths."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["json_dumps", "to_jsonable"]


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy scalars/arrays, dataclasses, enums and paths into JSON-ready values.

    Non-finite floats become None so the output is strict JSON.
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, np.generic):
        return to_jsonable(obj.item())
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def json_dumps(obj: Any) -> str:
    """Strict, indented JSON of ``obj`` after :func:`to_jsonable`."""
    return json.dumps(to_jsonable(obj), indent=2, allow_nan=False)
