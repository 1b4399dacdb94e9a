"""The optimisers of the EC-NAS comparison, by name (the benchmark script and ``cenas
reproduce`` run the same ones)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from cenas.ecnas._compare import MethodSpec
from cenas.ecnas._semoa import SEMOA
from cenas.errors import ConfigError
from cenas.moo import NSGA2, LaMOOOptimizer, QNEHVIOptimizer, QNEHVISampler, RandomSearch

__all__ = ["COMPARISON_METHODS", "comparison_methods"]

COMPARISON_METHODS = ("random", "semoa", "nsga2", "qnehvi", "lamoo")
"""Names :func:`comparison_methods` knows, in the comparison's order."""


def comparison_methods(
    ref: NDArray[np.float64],
    *,
    pop_size: int = 10,
    n_init: int = 10,
    names: Sequence[str] = COMPARISON_METHODS,
) -> list[MethodSpec]:
    """Random search, SEMOA, NSGA-II, qNEHVI and LaMOO as :class:`MethodSpec` factories.

    Args:
        ref: the hypervolume reference point, minimisation form (qNEHVI and LaMOO use it).
        pop_size: SEMOA's and NSGA-II's population.
        n_init: random architectures qNEHVI and LaMOO start from.
        names: which methods, a subset of :data:`COMPARISON_METHODS` (kept in that order).

    Raises:
        ConfigError: for an unknown method name.
    """
    unknown = [n for n in names if n not in COMPARISON_METHODS]
    if unknown:
        raise ConfigError(
            f"unknown EC-NAS comparison method(s) {', '.join(map(repr, unknown))}; known: "
            f"{', '.join(COMPARISON_METHODS)}"
        )

    def qnehvi_sampler() -> QNEHVISampler:
        return QNEHVISampler(pool_size=1000)

    specs = [
        MethodSpec("random", lambda s, seed: RandomSearch(s, seed=seed)),
        MethodSpec("semoa", lambda s, seed: SEMOA(s, pop_size=pop_size, seed=seed)),
        MethodSpec("nsga2", lambda s, seed: NSGA2(s, pop_size=pop_size, seed=seed)),
        MethodSpec(
            "qnehvi",
            lambda s, seed: QNEHVIOptimizer(
                s, ref_point=ref, n_init=n_init, sampler=qnehvi_sampler(), seed=seed
            ),
        ),
        MethodSpec(
            "lamoo",
            lambda s, seed: LaMOOOptimizer(s, ref_point=ref, n_init=n_init, seed=seed),
        ),
    ]
    return [m for m in specs if m.name in names]
