"""LaMOO tree: splits, labels, UCB, region membership, degenerate inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cenas.errors import ConfigError, ObjectiveError
from cenas.moo import (
    LaMOO,
    Region,
    SelectStrategy,
    SvmKernel,
    dominance_number,
    hypervolume,
)


def _data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (n, 12)).astype(float)
    w1, w2 = rng.normal(size=12), rng.normal(size=12)
    y = np.column_stack([x @ w1, x @ w2 + 0.5 * (x @ w1) ** 2]) + 0.01 * rng.normal(size=(n, 2))
    return x, y


def test_good_labels_are_the_better_half_by_dominance_number() -> None:
    _, y = _data(41)
    good = LaMOO.good_labels(y)
    assert good.sum() == 21
    dn = dominance_number(y)
    assert dn[good].max() <= dn[~good].min()


def test_tree_invariants() -> None:
    x, y = _data(120)
    lamoo = LaMOO(leaf_size=10, max_depth=4, seed=0)
    tree = lamoo.fit(x, y)
    assert tree.root.n == 120
    assert tree.root.hv == pytest.approx(hypervolume(y, tree.ref_point))
    assert len(tree.nodes) > 1
    for node in tree.nodes:
        assert node.depth <= 4
        assert node.hv == pytest.approx(hypervolume(y[node.rows], tree.ref_point))
        if node.children is None:
            assert node.svm is None
        else:
            assert node.n > 10
            good, bad = (tree.nodes[c] for c in node.children)
            assert good.good is True and bad.good is False
            assert good.n > 0 and bad.n > 0
            np.testing.assert_array_equal(np.sort(np.concatenate([good.rows, bad.rows])), node.rows)
    # The samples a leaf's region accepts are exactly the leaf's samples.
    for leaf in tree.leaves():
        mask = tree.region(leaf).contains(x)
        np.testing.assert_array_equal(np.flatnonzero(mask), np.sort(leaf.rows))


def test_ucb_formula_and_leaf_selection() -> None:
    x, y = _data(100, seed=1)
    tree = LaMOO(cp=5.0, leaf_size=15, seed=0).fit(x, y)
    assert tree.cp == 5.0
    assert tree.ucb(tree.root) == math.inf
    node = tree.nodes[1]
    parent = tree.nodes[0]
    assert tree.ucb(node) == pytest.approx(
        node.hv + 2 * 5.0 * math.sqrt(2 * math.log(parent.n) / node.n)
    )
    region = tree.select(SelectStrategy.LEAF)
    best = max(tree.ucb(n) for n in tree.leaves())
    assert tree.ucb(tree.nodes[region.node_id]) == pytest.approx(best)
    assert tree.nodes[region.node_id].is_leaf
    assert region.depth == tree.nodes[region.node_id].depth
    assert set(region.path) <= {"g", "b"}


def test_default_cp_is_a_tenth_of_the_root_hypervolume() -> None:
    x, y = _data(60, seed=2)
    tree = LaMOO(seed=0).fit(x, y)
    assert tree.cp == pytest.approx(0.1 * tree.root.hv)


@pytest.mark.parametrize("strategy", list(SelectStrategy))
def test_descending_strategies(strategy: SelectStrategy) -> None:
    x, y = _data(150, seed=3)
    tree = LaMOO(leaf_size=10, seed=0).fit(x, y)
    region = tree.select(strategy)
    assert tree.nodes[region.node_id].is_leaf
    if strategy is SelectStrategy.GREEDY:
        node = tree.root
        while node.children is not None:
            g, b = (tree.nodes[c] for c in node.children)
            node = g if g.hv >= b.hv else b
        assert region.node_id == node.id


def _tied_halves() -> tuple[np.ndarray, np.ndarray]:
    # Two separable clusters with the same objective values: the root splits into two leaves
    # of equal size and hypervolume, so every strategy but GREEDY meets a tie.
    x = np.r_[np.zeros((10, 3)), np.ones((10, 3))]
    y = np.tile([[1.0, 2.0]], (20, 1))
    return x, y


@pytest.mark.parametrize("strategy", [SelectStrategy.LEAF, SelectStrategy.UCB])
def test_selection_is_seeded(strategy: SelectStrategy) -> None:
    x, y = _tied_halves()
    tree = LaMOO(leaf_size=10, seed=0).fit(x, y)
    leaves = tree.leaves()
    assert len(leaves) == 2 and tree.ucb(leaves[0]) == tree.ucb(leaves[1])
    # The same seed breaks the tie the same way every time; the seed does decide it.
    picks = {}
    for seed in range(8):
        again = {
            LaMOO(leaf_size=10, seed=seed).fit(x, y).select(strategy).node_id for _ in range(6)
        }
        assert len(again) == 1
        picks[seed] = again.pop()
    assert set(picks.values()) == {leaf.id for leaf in leaves}


def test_rbf_kernel() -> None:
    x, y = _data(80, seed=5)
    tree = LaMOO(kernel=SvmKernel.RBF, leaf_size=10, seed=0).fit(x, y)
    assert tree.root.svm is not None
    assert tree.root.svm.kernel == "rbf"


def test_degenerate_inputs_do_not_crash() -> None:
    rng = np.random.default_rng(0)
    # Identical features: the SVM cannot separate anything; the root stays a leaf.
    x = np.ones((40, 5))
    y = rng.normal(size=(40, 2))
    tree = LaMOO(leaf_size=5).fit(x, y)
    assert len(tree.nodes) == 1
    region = tree.select()
    assert region.depth == 0 and region.contains(rng.random((7, 5))).all()
    # Identical objectives.
    x2, _ = _data(40)
    tree2 = LaMOO(leaf_size=5).fit(x2, np.zeros((40, 2)))
    assert tree2.select().contains(x2).any()
    # One sample, and fewer samples than a leaf.
    assert len(LaMOO().fit(x2[:1], y[:1]).nodes) == 1
    assert len(LaMOO(leaf_size=15).fit(x2[:15], y[:15]).nodes) == 1
    # Depth 0 means no split.
    assert len(LaMOO(max_depth=0).fit(x2, y).nodes) == 1


def test_region_everything_and_shapes() -> None:
    r = Region.everything()
    assert r.contains(np.zeros((3, 2))).all()
    assert r.contains(np.zeros((0, 2))).shape == (0,)
    with pytest.raises(ObjectiveError, match="shape"):
        r.contains(np.zeros(3))


def test_bad_configuration_and_input() -> None:
    with pytest.raises(ConfigError, match="cp"):
        LaMOO(cp=-1.0)
    with pytest.raises(ConfigError, match="leaf_size"):
        LaMOO(leaf_size=0)
    with pytest.raises(ObjectiveError, match="features"):
        LaMOO().fit(np.zeros((3, 2)), np.zeros((4, 2)))
    with pytest.raises(ObjectiveError, match="hv_ref"):
        LaMOO().fit(np.zeros((3, 2)), np.zeros((3, 2)), hv_ref=[1.0])


def test_describe_rows() -> None:
    x, y = _data(60, seed=6)
    tree = LaMOO(leaf_size=10, seed=0).fit(x, y)
    rows = tree.describe()
    assert [r.id for r in rows] == list(range(len(tree.nodes)))
    assert rows[0].side == "root" and rows[0].parent is None
    assert sum(r.leaf for r in rows) == len(tree.leaves())


@pytest.mark.parametrize("kernel", ["poly", "rbf"])
def test_fast_svm_prediction_matches_scikit_learn(kernel: str) -> None:
    from sklearn.svm import SVC

    from cenas.moo._lamoo_fast import svm_predicts_good

    rng = np.random.default_rng(3)
    x = (rng.random((120, 12)) < 0.3).astype(np.float64)
    labels = (x[:, :4].sum(axis=1) + rng.normal(0, 0.5, 120) > 1.2).astype(np.int64)
    svm = SVC(kernel=kernel, degree=4, gamma="scale").fit(x, labels)
    z = rng.random((3000, 12))
    dec = svm.decision_function(z)
    clear = np.abs(dec) > 1e-9
    assert clear.sum() > 2900
    np.testing.assert_array_equal(svm_predicts_good(svm, z)[clear], (svm.predict(z) == 1)[clear])
    assert 0 < svm_predicts_good(svm, z).sum() < z.shape[0]


def test_pairwise_dominance_number_matches_the_general_one() -> None:
    from cenas.moo._lamoo_fast import pairwise_dominance_number

    rng = np.random.default_rng(5)
    y = rng.integers(0, 6, (200, 2)).astype(np.float64)  # many ties and duplicates
    np.testing.assert_array_equal(pairwise_dominance_number(y), dominance_number(y))
    y3 = rng.integers(0, 4, (150, 3)).astype(np.float64)
    np.testing.assert_array_equal(pairwise_dominance_number(y3), dominance_number(y3))
