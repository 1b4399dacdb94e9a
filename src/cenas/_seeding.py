"""Seeds: accept ``int | None``, draw and record one when None, derive children from a master."""

from __future__ import annotations

import numpy as np

__all__ = ["child_seeds", "make_rng", "resolve_seed"]


def resolve_seed(seed: int | None) -> int:
    """Return ``seed``, or a freshly drawn one (to be recorded) when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2**31 - 1))  # type: ignore[operator]
    if seed < 0:
        raise ValueError(f"seed must be non-negative, but got {seed}")
    return int(seed)


def child_seeds(seed: int, n: int) -> list[int]:
    """Derive ``n`` independent child seeds from one master seed (stable across runs)."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1)[0] % (2**31 - 1)) for c in children]


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy generator from a seed, or the generator itself."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(seed)
