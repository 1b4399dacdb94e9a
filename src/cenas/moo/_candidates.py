"""Candidate pools over a finite search space: in-region, not yet observed, cached features."""

from __future__ import annotations

import contextlib
import weakref

import numpy as np
from numpy.typing import NDArray

from cenas.moo._lamoo import Region
from cenas.space import SearchSpace

__all__ = ["ENUMERATE_LIMIT", "region_pool", "space_features"]

ENUMERATE_LIMIT = 200_000
"""Spaces up to this size are enumerated (every candidate's membership is tested); larger ones are
sampled by rejection."""

_REJECTION_BATCH = 20_000
_REJECTION_ROUNDS = 20

_cache: weakref.WeakKeyDictionary[SearchSpace, NDArray[np.float64]] = weakref.WeakKeyDictionary()


def space_features(space: SearchSpace) -> NDArray[np.float64] | None:
    """Features of every architecture of an enumerable space, shape ``(size, d)``, cached per space
    object (read-only); None for spaces larger than :data:`ENUMERATE_LIMIT`."""
    if space.size > ENUMERATE_LIMIT:
        return None
    try:
        feats = _cache.get(space)
    except TypeError:  # an unhashable space: no caching
        feats = None
    if feats is None:
        feats = np.asarray(space.features(space.all_indices()), dtype=np.float64)
        feats.setflags(write=False)
        with contextlib.suppress(TypeError):  # an unhashable space: no caching
            _cache[space] = feats
    return feats


def region_pool(
    space: SearchSpace,
    region: Region,
    excluded: NDArray[np.bool_],
    rng: np.random.Generator,
    limit: int | None = None,
) -> NDArray[np.int64]:
    """Distinct architectures inside ``region`` and not ``excluded``, in random order.

    Args:
        space: the search space.
        region: the region (``Region.everything()`` for the whole space).
        excluded: boolean mask of shape ``(space.size,)``; True marks observed or pending ones.
        rng: generator for the order (and the rejection draws of large spaces).
        limit: return at most this many (a uniform random subset); None for all.

    Returns:
        Indices, int64. For spaces too large to enumerate, a rejection sample of at most
        ``limit`` (or 20,000) distinct candidates, possibly fewer if the region is tiny.
    """
    feats = space_features(space)
    if feats is not None:
        cand = np.flatnonzero(~excluded).astype(np.int64)
        if region.depth:
            cand = cand[region.contains(feats[cand])]
        cand = rng.permutation(cand)
        return cand if limit is None else cand[:limit]
    want = limit if limit is not None else _REJECTION_BATCH
    found: list[NDArray[np.int64]] = []
    seen = np.zeros(0, dtype=np.int64)
    for _ in range(_REJECTION_ROUNDS):
        draw = np.unique(rng.integers(0, space.size, _REJECTION_BATCH)).astype(np.int64)
        draw = draw[~excluded[draw]]
        draw = np.setdiff1d(draw, seen, assume_unique=True)
        if region.depth and draw.size:
            draw = draw[region.contains(space.features(draw))]
        found.append(draw)
        seen = np.concatenate([seen, draw])
        if seen.size >= want:
            break
    return rng.permutation(seen)[:want]
