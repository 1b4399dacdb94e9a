"""LaMOO: learned space partitioning for multi-objective optimisation (Zhao et al., ICLR 2022).

From the observed samples (architecture features and objectives), LaMOO grows a binary tree. In
each node the samples are labelled by dominance number (how many of the node's samples dominate
each one; the better half is "good"), an SVM learns the good/bad boundary in feature space, and
the node's samples go to the two children by the SVM's prediction. A node is split while it holds
more than ``leaf_size`` samples, is shallower than ``max_depth`` and the SVM separates it into two
non-empty sides. A region (a leaf) is then chosen by UCB,
``hv(node) + 2 * Cp * sqrt(2 ln n_parent / n_node)``; membership of a candidate is passing every
SVM on the path from the root.

Defaults follow the reference implementation (github aoiang/LaMOO, ``MCTS.py`` / ``Node.py`` /
``Classifier.py``): an SVC with a polynomial kernel of degree 4 and ``gamma='scale'`` (RBF is the
alternative), labels by dominance number with the better half good, a node with at most 15
samples is never split, and the search region is the leaf with the highest UCB among all leaves
(``node_select='leaf'``). The reference uses an absolute ``Cp`` (6 on Branin-Currin, about 10 % of
its maximum hypervolume of 59.36); since hypervolume scales with the objectives' units, ``cp=None``
here means 10 % of the root's hypervolume. Differences: the reference has no depth limit (it stops
once the tree holds 50 nodes; ``max_depth=8`` bounds it here) and assigns the samples to the
children by their labels; here they follow the SVM's prediction, so that the samples of a region
are exactly the observed samples the region's membership test accepts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.svm import SVC

from cenas._seeding import make_rng
from cenas.errors import ConfigError, ObjectiveError
from cenas.moo._hypervolume import as_reference_point, default_reference_point, hypervolume
from cenas.moo._lamoo_fast import fit_binary_svc, pairwise_dominance_number, svm_predicts_good
from cenas.moo._pareto import as_objective_array, dominance_number

__all__ = [
    "LaMOO",
    "LaMOONode",
    "LaMOOTree",
    "NodeSummary",
    "Region",
    "RegionStep",
    "SelectStrategy",
    "SvmKernel",
]

log = logging.getLogger(__name__)

CP_REL_DEFAULT = 0.1
"""``cp=None`` means this fraction of the root's hypervolume (the reference's Cp/HV_max)."""


class SvmKernel(StrEnum):
    """Kernel of the SVM that learns each split."""

    POLY = "poly"
    RBF = "rbf"


class SelectStrategy(StrEnum):
    """How :meth:`LaMOOTree.select` picks the search region.

    ``LEAF``: the leaf with the highest UCB among all leaves (the reference's default).
    ``UCB``: descend from the root, at each node taking the child with the higher UCB.
    ``GREEDY``: descend taking the child with the higher hypervolume (no exploration term).
    """

    LEAF = "leaf"
    UCB = "ucb"
    GREEDY = "greedy"


@dataclass(frozen=True, eq=False)
class RegionStep:
    """One decision on a region's path: the parent's SVM must predict ``good``."""

    svm: SVC
    good: bool

    def accepts(self, features: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which rows of ``features`` (shape ``(n, d)``) the SVM sends to this side."""
        if features.shape[0] == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(svm_predicts_good(self.svm, features) == self.good, dtype=bool)


@dataclass(frozen=True, eq=False)
class Region:
    """A region of the search space: the intersection of the SVM decisions on a tree path.

    Attributes:
        steps: the decisions from the root down; empty for the whole space.
        node_id: id of the tree node the region belongs to (0, the root, for the whole space).
        n_train: observed samples of the node.
        hv: hypervolume of the node's observed samples.
    """

    steps: tuple[RegionStep, ...] = ()
    node_id: int = 0
    n_train: int = 0
    hv: float = 0.0

    @classmethod
    def everything(cls) -> Region:
        """The whole space (no constraint)."""
        return cls()

    @property
    def depth(self) -> int:
        """Number of SVM decisions on the path."""
        return len(self.steps)

    @property
    def path(self) -> str:
        """The path as a string of ``g`` (good side) and ``b`` (bad side), root first."""
        return "".join("g" if s.good else "b" for s in self.steps)

    def contains(self, features: ArrayLike) -> NDArray[np.bool_]:
        """Membership of candidates, vectorised.

        Args:
            features: candidate features, shape ``(n, d)`` (the encoding the tree was fitted on).

        Returns:
            Boolean mask, shape ``(n,)``: True where every SVM on the path accepts the candidate.
        """
        x = np.asarray(features, dtype=np.float64)
        if x.ndim != 2:
            raise ObjectiveError(f"features must have shape (n, d), but got {x.shape}")
        mask = np.ones(x.shape[0], dtype=bool)
        for step in self.steps:
            idx = np.flatnonzero(mask)
            if idx.size == 0:
                break
            mask[idx] = step.accepts(x[idx])
        return mask


@dataclass(eq=False)
class LaMOONode:
    """A node of a LaMOO tree.

    Attributes:
        id: position in :attr:`LaMOOTree.nodes` (the root is 0).
        depth: 0 for the root.
        parent: parent id, None for the root.
        good: True for a parent's good child, False for its bad child, None for the root.
        rows: indices of the node's samples in the training arrays, int64.
        hv: hypervolume of the node's samples against the tree's reference point.
        svm: the fitted boundary of an internal node (None for a leaf).
        children: ``(good child id, bad child id)`` of an internal node, else None.
    """

    id: int
    depth: int
    parent: int | None
    good: bool | None
    rows: NDArray[np.int64]
    hv: float
    svm: SVC | None = None
    children: tuple[int, int] | None = None

    @property
    def n(self) -> int:
        """Number of samples in the node."""
        return int(self.rows.size)

    @property
    def is_leaf(self) -> bool:
        """Whether the node was not split."""
        return self.children is None


@dataclass(frozen=True)
class NodeSummary:
    """One row of :meth:`LaMOOTree.describe`."""

    id: int
    depth: int
    parent: int | None
    side: str
    n: int
    hv: float
    ucb: float
    leaf: bool


@dataclass(eq=False)
class LaMOOTree:
    """A fitted LaMOO tree.

    Attributes:
        nodes: every node, root first, children after their parent.
        features: the training features, shape ``(n, d)``.
        y: the training objectives, shape ``(n, m)``, minimisation form.
        ref_point: the reference point of the node hypervolumes, shape ``(m,)``.
        cp: the exploration constant used in UCB (absolute, hypervolume units).
    """

    nodes: list[LaMOONode]
    features: NDArray[np.float64]
    y: NDArray[np.float64]
    ref_point: NDArray[np.float64]
    cp: float
    _rng: np.random.Generator = field(repr=False)

    @property
    def root(self) -> LaMOONode:
        """The root node (all samples)."""
        return self.nodes[0]

    def leaves(self) -> list[LaMOONode]:
        """The leaves in id order."""
        return [n for n in self.nodes if n.is_leaf]

    def ucb(self, node: LaMOONode) -> float:
        """``hv(node) + 2 * Cp * sqrt(2 ln n_parent / n_node)``; ``inf`` for the root."""
        if node.parent is None:
            return math.inf
        n_parent = self.nodes[node.parent].n
        return node.hv + 2.0 * self.cp * math.sqrt(2.0 * math.log(n_parent) / node.n)

    def region(self, node: LaMOONode | int) -> Region:
        """The region of a node: the SVM decisions on the path from the root."""
        target = self.nodes[node] if isinstance(node, int) else node
        steps: list[RegionStep] = []
        cur = target
        while cur.parent is not None:
            parent = self.nodes[cur.parent]
            if parent.svm is None or cur.good is None:  # pragma: no cover - invariant of fit
                raise ConfigError(f"node {cur.id} has a parent without a boundary")
            steps.append(RegionStep(parent.svm, cur.good))
            cur = parent
        return Region(tuple(reversed(steps)), target.id, target.n, target.hv)

    def _argmax(self, values: Sequence[float]) -> int:
        v = np.asarray(values, dtype=np.float64)
        best = np.flatnonzero(v == v.max())
        return int(best[0] if best.size == 1 else self._rng.choice(best))

    def select(self, strategy: SelectStrategy = SelectStrategy.LEAF) -> Region:
        """The region to search next.

        Args:
            strategy: see :class:`SelectStrategy`. Ties are broken at random by the tree's seeded
                generator (for ``GREEDY``, equal hypervolumes go to the good child, as in the
                reference).

        Returns:
            The selected leaf's :class:`Region` (the whole space when the root is a leaf).
        """
        strategy = SelectStrategy(strategy)
        if strategy is SelectStrategy.LEAF:
            leaves = self.leaves()
            return self.region(leaves[self._argmax([self.ucb(n) for n in leaves])])
        node = self.root
        while node.children is not None:
            kids = [self.nodes[c] for c in node.children]
            if strategy is SelectStrategy.UCB:
                node = kids[self._argmax([self.ucb(k) for k in kids])]
            else:
                node = kids[0] if kids[0].hv >= kids[1].hv else kids[1]
        return self.region(node)

    def describe(self) -> list[NodeSummary]:
        """One summary row per node (for printing and JSON)."""
        out = []
        for n in self.nodes:
            side = "root" if n.good is None else ("good" if n.good else "bad")
            out.append(
                NodeSummary(n.id, n.depth, n.parent, side, n.n, n.hv, self.ucb(n), n.is_leaf)
            )
        return out


class LaMOO:
    """Builds LaMOO trees from observed samples.

    Args:
        cp: exploration constant of UCB in hypervolume units; None for 10 % of the root's
            hypervolume (see the module docstring for the reference's value).
        kernel: SVM kernel (``POLY`` in the reference).
        degree: degree of the polynomial kernel (4 in the reference).
        leaf_size: a node is split only while it holds more than this many samples (15 in the
            reference).
        max_depth: depth below which no node is split (the root has depth 0).
        svm_c: the SVM's regularisation constant ``C`` (scikit-learn's default, 1.0, as in the
            reference).
        hv_ref: reference point of the node hypervolumes, minimisation form; None for the data's
            worst point plus 10 % of its range (:func:`default_reference_point`).
        seed: seed of the tie-breaking in :meth:`LaMOOTree.select`.
    """

    def __init__(
        self,
        cp: float | None = None,
        kernel: SvmKernel = SvmKernel.POLY,
        degree: int = 4,
        leaf_size: int = 15,
        max_depth: int = 8,
        *,
        svm_c: float = 1.0,
        hv_ref: ArrayLike | None = None,
        seed: int | None = None,
    ) -> None:
        if cp is not None and not (math.isfinite(cp) and cp >= 0):
            raise ConfigError(f"LaMOO cp must be a finite number >= 0, but got {cp}")
        if degree < 1:
            raise ConfigError(f"LaMOO degree must be >= 1, but got {degree}")
        if leaf_size < 1:
            raise ConfigError(f"LaMOO leaf_size must be >= 1, but got {leaf_size}")
        if max_depth < 0:
            raise ConfigError(f"LaMOO max_depth must be >= 0, but got {max_depth}")
        if not svm_c > 0:
            raise ConfigError(f"LaMOO svm_c must be > 0, but got {svm_c}")
        self.cp = cp
        self.kernel = SvmKernel(kernel)
        self.degree = int(degree)
        self.leaf_size = int(leaf_size)
        self.max_depth = int(max_depth)
        self.svm_c = float(svm_c)
        self.hv_ref = None if hv_ref is None else np.asarray(hv_ref, dtype=np.float64)
        self.seed = seed

    def __repr__(self) -> str:
        return (
            f"LaMOO(cp={self.cp}, kernel={self.kernel.value}, degree={self.degree}, "
            f"leaf_size={self.leaf_size}, max_depth={self.max_depth})"
        )

    def _svm(self) -> SVC:
        return SVC(kernel=self.kernel.value, degree=self.degree, gamma="scale", C=self.svm_c)

    @staticmethod
    def good_labels(y: NDArray[np.float64]) -> NDArray[np.bool_]:
        """The better half by dominance number (ties by position): ``ceil(n / 2)`` are good."""
        dn = pairwise_dominance_number(y) if y.shape[0] <= 256 else dominance_number(y)
        order = np.argsort(dn, kind="stable")
        good = np.zeros(y.shape[0], dtype=bool)
        good[order[: (y.shape[0] + 1) // 2]] = True
        return good

    def _split(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[SVC, NDArray[np.bool_]] | None:
        """Fit the node's boundary; None when it cannot separate the node into two sides."""
        labels = self.good_labels(y)
        if labels.all() or not labels.any():
            return None
        # The inputs are finite float arrays built here; scikit-learn's per-call validation
        # cost three times the libsvm fit itself (a simulated run fits hundreds of node SVMs).
        svm = fit_binary_svc(self._svm(), x, labels)
        pred = svm_predicts_good(svm, x)
        if pred.all() or not pred.any():
            return None
        return svm, pred

    def fit(
        self,
        features: ArrayLike,
        y: ArrayLike,
        *,
        hv_ref: ArrayLike | None = None,
        rng: np.random.Generator | None = None,
    ) -> LaMOOTree:
        """Build the tree.

        Args:
            features: sample features, shape ``(n, d)``, ``n >= 1``.
            y: sample objectives, shape ``(n, m)``, minimisation form.
            hv_ref: overrides the constructor's reference point for this fit.
            rng: overrides the constructor's seed for the tree's tie-breaking.

        Returns:
            The fitted :class:`LaMOOTree`.
        """
        x = np.asarray(features, dtype=np.float64)
        yy = as_objective_array(y)
        if x.ndim != 2 or x.shape[0] != yy.shape[0] or x.shape[0] == 0:
            raise ObjectiveError(
                f"features must have shape (n, d) with n = len(Y) >= 1, but got features "
                f"{x.shape} and Y {yy.shape}"
            )
        if not np.all(np.isfinite(x)):
            raise ObjectiveError("features must be finite")
        ref_in = hv_ref if hv_ref is not None else self.hv_ref
        ref = (
            default_reference_point(yy)
            if ref_in is None
            else as_reference_point(ref_in, yy.shape[1], "hv_ref")
        )
        all_rows = np.arange(x.shape[0], dtype=np.int64)
        root = LaMOONode(0, 0, None, None, all_rows, hypervolume(yy, ref))
        nodes = [root]
        cp = CP_REL_DEFAULT * root.hv if self.cp is None else self.cp
        frontier = [root]
        while frontier:
            node = frontier.pop(0)
            if node.n <= self.leaf_size or node.depth >= self.max_depth:
                continue
            split = self._split(x[node.rows], yy[node.rows])
            if split is None:
                continue
            svm, pred = split
            node.svm = svm
            kids = []
            for side in (True, False):
                rows = node.rows[pred == side]
                kid = LaMOONode(
                    len(nodes), node.depth + 1, node.id, side, rows, hypervolume(yy[rows], ref)
                )
                nodes.append(kid)
                kids.append(kid)
            node.children = (kids[0].id, kids[1].id)
            frontier.extend(kids)
        log.debug("LaMOO tree: %d nodes, %d leaves", len(nodes), sum(n.is_leaf for n in nodes))
        gen = rng if rng is not None else make_rng(self.seed)
        return LaMOOTree(nodes, x, yy, ref, float(cp), gen)
