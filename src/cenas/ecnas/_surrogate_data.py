"""The data and features of EC-NAS's surrogate energy model (see ``_surrogate`` for the model).

Data: ``nas/ecnas/surrogate_7v_data.pt`` (4,310 measured 7-vertex-space cells): adjacency
``[n, 7, 7]``, operation codes ``[n, 7]``, energy (kWh) ``[n]``, parameters ``[n]``. Operation
codes are the surrogate repository's, not NAS-Bench-101's labels: ``0`` padding, ``1`` input,
``2`` conv1x1-bn-relu, ``3`` conv3x3-bn-relu, ``4`` maxpool3x3, ``5`` output; cells with fewer
than 7 vertices put the output at their last vertex and pad after it with zeros.

Features (36, EC-NAS's layout): the 28 entries of ``np.triu_indices(7)`` of the adjacency (the 7
diagonal entries are always 0 and carry no information), the 7 operation codes, and the
parameter count. cenas takes ``log(params)`` instead of EC-NAS's ``params / 1e6`` (energy grows
roughly with the parameter count over two orders of magnitude), then standardises every feature
with the training split's mean and standard deviation (constant features get scale 1), and
standardises the target (kWh) the same way.
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.data import locate
from cenas.errors import ConfigError, DataError
from cenas.space import NB101_INPUT, NB101_OUTPUT, NB101Cell

if TYPE_CHECKING:
    pass

__all__ = [
    "SURROGATE_DATA",
    "SURROGATE_N_FEATURES",
    "SURROGATE_OP_CODES",
    "SurrogateData",
    "encode_cells",
    "load_surrogate_data",
    "surrogate_features",
]

SURROGATE_DATA = "nas/ecnas/surrogate_7v_data.pt"
_V = 7
SURROGATE_N_FEATURES = _V * (_V + 1) // 2 + _V + 1
# Operation name -> code of the surrogate data (0 is padding).
SURROGATE_OP_CODES: dict[str, int] = {
    NB101_INPUT: 1,
    "conv1x1-bn-relu": 2,
    "conv3x3-bn-relu": 3,
    "maxpool3x3": 4,
    NB101_OUTPUT: 5,
}


@dataclass(frozen=True)
class SurrogateData:
    """Cells with measured training energy, in the surrogate's 7-vertex layout.

    Attributes:
        adjacency: ``(n, 7, 7)`` int8, upper-triangular.
        ops: ``(n, 7)`` int8 operation codes (:data:`SURROGATE_OP_CODES`, 0 = padding).
        energy_kwh: ``(n,)`` float64 measured training energy.
        params: ``(n,)`` int64 trainable parameters.
    """

    adjacency: NDArray[np.int8]
    ops: NDArray[np.int8]
    energy_kwh: NDArray[np.float64]
    params: NDArray[np.int64]

    def __post_init__(self) -> None:
        n = self.ops.shape[0]
        shapes = {
            "adjacency": (self.adjacency.shape, (n, _V, _V)),
            "ops": (self.ops.shape, (n, _V)),
            "energy_kwh": (self.energy_kwh.shape, (n,)),
            "params": (self.params.shape, (n,)),
        }
        for name, (got, want) in shapes.items():
            if got != want:
                raise DataError(f"surrogate data: {name} has shape {got}, expected {want}")

    def __len__(self) -> int:
        return int(self.ops.shape[0])

    def subset(self, idx: ArrayLike) -> SurrogateData:
        """The rows ``idx``."""
        i = np.asarray(idx, dtype=np.int64)
        return SurrogateData(self.adjacency[i], self.ops[i], self.energy_kwh[i], self.params[i])

    def features(self) -> NDArray[np.float64]:
        """Raw (unnormalised) features, shape ``(n, 36)``."""
        return surrogate_features(self.adjacency, self.ops, self.params)


def load_surrogate_data(data_dir: str | Path | None = None) -> SurrogateData:
    """Read ``nas/ecnas/surrogate_7v_data.pt`` after checking its SHA-256.

    The file is a torch archive of four tensors; it is read with ``torch.load(...,
    weights_only=True)`` (torch's restricted unpickler), and only after the checksum matched.

    Raises:
        DataFileMissingError, ChecksumError: absent or different from the catalog.
        DataError: the tensors are not the expected four.
    """
    import torch

    path = locate(SURROGATE_DATA, data_dir)
    try:
        obj = torch.load(path, weights_only=True, map_location="cpu")
    except (RuntimeError, OSError, ValueError, pickle.UnpicklingError) as e:
        raise DataError(f"{path}: not a readable torch archive: {e}") from None
    if not (isinstance(obj, tuple | list) and len(obj) == 4):
        raise DataError(f"{path}: expected 4 tensors (adjacency, ops, energy, params)")
    if not all(isinstance(t, torch.Tensor) for t in obj):
        raise DataError(f"{path}: expected 4 tensors, got {[type(t).__name__ for t in obj]}")
    adj, ops, energy, params = (t.numpy() for t in obj)
    return SurrogateData(
        adj.astype(np.int8),
        ops.astype(np.int8),
        energy.astype(np.float64),
        params.astype(np.int64),
    )


def encode_cells(cells: Sequence[NB101Cell]) -> tuple[NDArray[np.int8], NDArray[np.int8]]:
    """Cells in the surrogate's layout: adjacency ``(n, 7, 7)`` and op codes ``(n, 7)``, with
    smaller cells zero-padded after their output vertex (as the surrogate data is)."""
    n = len(cells)
    adj = np.zeros((n, _V, _V), dtype=np.int8)
    ops = np.zeros((n, _V), dtype=np.int8)
    for r, c in enumerate(cells):
        v = c.num_vertices
        if v > _V:
            raise ConfigError(f"the surrogate handles cells of at most {_V} vertices, got {v}")
        adj[r, :v, :v] = c.matrix
        ops[r, :v] = [SURROGATE_OP_CODES[o] for o in c.ops]
    return adj, ops


def surrogate_features(
    adjacency: ArrayLike, ops: ArrayLike, params: ArrayLike
) -> NDArray[np.float64]:
    """Raw features, shape ``(n, 36)``: ``np.triu_indices(7)`` entries of the adjacency (28),
    the 7 operation codes, and ``log(params)``.

    Args:
        adjacency: ``(n, 7, 7)`` 0/1.
        ops: ``(n, 7)`` codes of :data:`SURROGATE_OP_CODES` (0 = padding).
        params: ``(n,)`` positive parameter counts.
    """
    a = np.asarray(adjacency)
    o = np.asarray(ops)
    p = np.asarray(params, dtype=np.float64)
    n = o.shape[0] if o.ndim == 2 else -1
    if a.shape != (n, _V, _V) or o.shape != (n, _V) or p.shape != (n,):
        raise ConfigError(
            f"surrogate input needs adjacency (n, 7, 7), ops (n, 7), params (n,); got "
            f"{a.shape}, {o.shape}, {p.shape}"
        )
    if n and (p.min() <= 0 or not np.isfinite(p).all()):
        raise ConfigError(f"parameter counts must be positive, got min {p.min()}")
    if n and (o.min() < 0 or o.max() > max(SURROGATE_OP_CODES.values())):
        raise ConfigError(f"operation codes must be in 0..5, got {o.min()}..{o.max()}")
    iu = np.triu_indices(_V)
    return np.concatenate(
        [a[:, iu[0], iu[1]].astype(np.float64), o.astype(np.float64), np.log(p)[:, None]], axis=1
    )
