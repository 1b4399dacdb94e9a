"""The fast LaMOO kernels give bit-identical results to the general methods they replace."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.svm import SVC

from cenas.errors import ObjectiveError
from cenas.moo._lamoo_fast import _CHUNK_ROWS, _poly_decision, fit_binary_svc, svm_predicts_good

FITTED = (
    "support_",
    "support_vectors_",
    "_n_support",
    "dual_coef_",
    "_dual_coef_",
    "intercept_",
    "_intercept_",
    "_probA",
    "_probB",
    "fit_status_",
    "n_iter_",
    "classes_",
    "class_weight_",
    "shape_fit_",
    "n_features_in_",
    "_gamma",
)


def _one_hot(rng: np.random.Generator, n: int, edges: int = 6, ops: int = 5) -> np.ndarray:
    x = np.zeros((n, edges * ops))
    np.put_along_axis(x, np.arange(edges) * ops + rng.integers(0, ops, (n, edges)), 1.0, axis=1)
    return x


@pytest.mark.parametrize("kernel", ["poly", "rbf"])
@pytest.mark.parametrize("one_hot", [True, False])
def test_fit_binary_svc_leaves_what_svc_fit_leaves(kernel: str, one_hot: bool) -> None:
    rng = np.random.default_rng(3)
    x = _one_hot(rng, 120) if one_hot else rng.normal(size=(120, 5))
    good = (x @ rng.normal(size=x.shape[1]) + 0.3 * rng.normal(size=120)) > 0
    # SVC.fit draws its libsvm seed from the legacy global stream; so must the fast path
    np.random.seed(11)  # noqa: NPY002
    ref = SVC(kernel=kernel, degree=4, gamma="scale").fit(x, good.astype(np.int64))
    after_ref = np.random.randint(1 << 30)  # noqa: NPY002
    np.random.seed(11)  # noqa: NPY002
    fast = fit_binary_svc(SVC(kernel=kernel, degree=4, gamma="scale"), x, good)
    assert np.random.randint(1 << 30) == after_ref  # noqa: NPY002
    for attr in FITTED:
        np.testing.assert_array_equal(getattr(fast, attr), getattr(ref, attr), err_msg=attr)
    z = _one_hot(rng, 300) if one_hot else rng.normal(size=(300, 5))
    np.testing.assert_array_equal(fast.predict(z), ref.predict(z))
    np.testing.assert_array_equal(fast.decision_function(z), ref.decision_function(z))


def test_fit_binary_svc_needs_both_classes() -> None:
    x = np.random.default_rng(0).normal(size=(10, 3))
    with pytest.raises(ObjectiveError, match="both classes"):
        fit_binary_svc(SVC(), x, np.ones(10, dtype=bool))
    with pytest.raises(ObjectiveError, match="plain SVC"):
        fit_binary_svc(SVC(class_weight="balanced"), x, np.arange(10) % 2 == 0)


def _poly_reference(
    x: np.ndarray, sv: np.ndarray, gamma: float, coef0: float, degree: int
) -> np.ndarray:
    """The formula before the speed-up: float64 product, then repeated multiplication."""
    base: np.ndarray = gamma * (x @ sv.T) + coef0
    out = base.copy()
    for _ in range(degree - 1):
        out *= base
    return out


@pytest.mark.parametrize("degree", [1, 2, 3, 4])
@pytest.mark.parametrize("one_hot", [True, False])
def test_chunked_poly_decision_is_bit_identical(degree: int, one_hot: bool) -> None:
    rng = np.random.default_rng(degree)
    gamma, coef0 = 1.0 / (30 * 0.16), 0.25
    for n in (1, 3, _CHUNK_ROWS, 2 * _CHUNK_ROWS + 37, 5 * _CHUNK_ROWS - 1):
        x = _one_hot(rng, n) if one_hot else rng.normal(size=(n, 30))
        for m in (1, 41, 263):
            sv = _one_hot(rng, m) if one_hot else rng.normal(size=(m, 30))
            dual = rng.normal(size=m)
            got = _poly_decision(x, sv, gamma, coef0, degree, dual)
            want = _poly_reference(x, sv, gamma, coef0, degree) @ dual
            np.testing.assert_array_equal(got, want, err_msg=f"n={n} m={m}")
    assert _poly_decision(x[:0], sv, gamma, coef0, degree, dual).shape == (0,)


def test_one_hot_prediction_over_many_chunks_matches_scikit_learn() -> None:
    rng = np.random.default_rng(5)
    x = _one_hot(rng, 200)
    good = x[:, 0] + x[:, 7] + 0.5 * rng.random(200) > 0.9
    svm = fit_binary_svc(SVC(kernel="poly", degree=4, gamma="scale"), x, good)
    z = _one_hot(rng, 3 * _CHUNK_ROWS + 5)
    dec = svm.decision_function(z)
    clear = np.abs(dec) > 1e-9  # libsvm's own sums may differ in the last bits on the boundary
    np.testing.assert_array_equal(svm_predicts_good(svm, z)[clear], (svm.predict(z) == 1)[clear])
