"""The observed set P: architectures with their objectives (true, or flagged estimates)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from cenas.errors import ObjectiveError

__all__ = ["ObservedSet"]


class ObservedSet:
    """P: architecture indices with objectives in minimisation form.

    Rows are appended, never removed; each row says whether its objectives are true (trained)
    or one-shot estimates (one-shot LaMOO fills P with estimates). An architecture appears at
    most once. Storage grows geometrically, so appending is amortised O(1) per row.

    Args:
        n_objectives: ``m``, the number of objectives.
        space_size: number of architectures of the space (for the membership mask).
    """

    def __init__(self, n_objectives: int, space_size: int) -> None:
        if n_objectives < 1 or space_size < 1:
            raise ObjectiveError(
                f"ObservedSet needs n_objectives >= 1 and space_size >= 1, got {n_objectives}, "
                f"{space_size}"
            )
        self._m = int(n_objectives)
        self._idx = np.zeros(16, dtype=np.int64)
        self._y = np.zeros((16, self._m), dtype=np.float64)
        self._est = np.zeros(16, dtype=bool)
        self._n = 0
        self._member = np.zeros(space_size, dtype=bool)
        self.version = 0
        """Incremented at every change (for caches keyed on the contents of P)."""
        self._finite = np.zeros(0, dtype=bool)
        self._finite_version = 0

    def __len__(self) -> int:
        return self._n

    @property
    def n_objectives(self) -> int:
        """``m``."""
        return self._m

    @property
    def indices(self) -> NDArray[np.int64]:
        """Architecture indices in insertion order, shape ``(n,)`` (a read-only view)."""
        v = self._idx[: self._n]
        v.flags.writeable = False
        return v

    @property
    def y(self) -> NDArray[np.float64]:
        """Objectives, minimisation form, shape ``(n, m)`` (a read-only view)."""
        v = self._y[: self._n]
        v.flags.writeable = False
        return v

    @property
    def estimated(self) -> NDArray[np.bool_]:
        """True where a row holds one-shot estimates rather than true objectives, shape ``(n,)``."""
        v = self._est[: self._n]
        v.flags.writeable = False
        return v

    @property
    def member_mask(self) -> NDArray[np.bool_]:
        """Boolean mask over the space, True for architectures in P (a read-only view)."""
        v = self._member.view()
        v.flags.writeable = False
        return v

    @property
    def n_true(self) -> int:
        """Rows with true objectives."""
        return int(self._n - self._est[: self._n].sum())

    @property
    def n_estimated(self) -> int:
        """Rows with estimates."""
        return int(self._est[: self._n].sum())

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int | np.integer) and bool(self._member[int(index)])

    def add(self, indices: ArrayLike, y: ArrayLike, *, estimated: bool = False) -> None:
        """Append architectures and their objectives.

        Args:
            indices: int64, shape ``(k,)``, none already in P, distinct.
            y: objectives, minimisation form, shape ``(k, m)`` (NaN allowed: a failed or
                unavailable measurement; such rows are kept but ignored by models).
            estimated: True when ``y`` are one-shot estimates.

        Raises:
            ObjectiveError: on shape mismatch or an architecture already in P.
        """
        idx = np.asarray(indices, dtype=np.int64).reshape(-1)
        yy = np.asarray(y, dtype=np.float64).reshape(idx.size, -1) if idx.size else None
        if yy is None:
            return
        if yy.shape != (idx.size, self._m):
            raise ObjectiveError(
                f"y must have shape ({idx.size}, {self._m}) for {idx.size} indices, got {yy.shape}"
            )
        if np.unique(idx).size != idx.size or self._member[idx].any():
            dup = idx[self._member[idx]] if self._member[idx].any() else idx
            raise ObjectiveError(
                f"architectures are added to P at most once, but {int(dup[0])} is repeated"
            )
        need = self._n + idx.size
        if need > self._idx.size:
            cap = max(need, 2 * self._idx.size)
            self._idx = np.resize(self._idx, cap)
            self._y = np.resize(self._y, (cap, self._m))
            self._est = np.resize(self._est, cap)
        self._idx[self._n : need] = idx
        self._y[self._n : need] = yy
        self._est[self._n : need] = estimated
        self._n = need
        self._member[idx] = True
        self.version += 1

    def finite_rows(self) -> NDArray[np.bool_]:
        """Rows whose objectives are all finite (usable by models and hypervolume), shape
        ``(n,)`` (read-only; cached until P changes)."""
        if self._finite_version != self.version:
            self._finite = np.asarray(np.isfinite(self.y).all(axis=1), dtype=bool)
            self._finite.flags.writeable = False
            self._finite_version = self.version
        return self._finite
