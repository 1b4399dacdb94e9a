"""The numeric kernels that dominate a LaMOO fit in the simulator, made fast.

A simulated run fits hundreds of node SVMs and tests the membership of the whole space in every
new region; scikit-learn's per-call overhead and libsvm's row-by-row kernel evaluation made that
85-90 % of a run's time. Every function gives the same results as the general method
(``SVC.fit``, ``SVC.predict``, :func:`cenas.moo.dominance_number`), checked in the tests.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from sklearn.svm import SVC, _libsvm  # type: ignore[attr-defined]

from cenas.errors import ObjectiveError

__all__ = ["fit_binary_svc", "pairwise_dominance_number", "svm_predicts_good"]


def fit_binary_svc(svm: SVC, x: NDArray[np.float64], good: NDArray[np.bool_]) -> SVC:
    """``svm.fit(x, good.astype(int))`` without scikit-learn's input validation: the same libsvm
    call with the same arguments, leaving the same fitted attributes (``predict`` etc. work).

    scikit-learn's validation (narwhals/array-API checks, ``type_of_target``, class weights) cost
    about three times the libsvm fit of a LaMOO node. ``x`` must be finite and ``good`` hold both
    values (LaMOO's nodes guarantee it); ``svm`` must be an unfitted binary ``SVC`` with a string
    kernel and ``gamma`` "scale", "auto" or a number, ``class_weight`` None and no probability.

    Raises:
        ObjectiveError: when ``good`` does not hold both classes.
    """
    xx = np.ascontiguousarray(x, dtype=np.float64)
    if good.shape != (xx.shape[0],) or good.all() or not good.any():
        raise ObjectiveError("a binary SVM needs labels of both classes, one per row")
    if svm.class_weight is not None or svm.probability is True or not isinstance(svm.kernel, str):
        raise ObjectiveError("fit_binary_svc supports only the plain SVC LaMOO builds")
    y = good.astype(np.float64)  # the class index of labels [0, 1]: what fit passes to libsvm
    if svm.gamma == "scale":
        var = float(xx.var())
        gamma = 1.0 / (xx.shape[1] * var) if var != 0 else 1.0
    elif svm.gamma == "auto":
        gamma = 1.0 / xx.shape[1]
    else:
        gamma = float(svm.gamma)
    # SVC.fit draws a libsvm seed from the global NumPy generator (random_state=None); draw it
    # too so that anything else reading that generator sees the same stream as before.
    seed = np.random.mtrand._rand.randint(np.iinfo("i").max)
    _libsvm.set_verbosity_wrap(int(svm.verbose))  # a process-wide libsvm flag: set it per fit
    support, sv, n_support, dual, intercept, prob_a, prob_b, status, n_iter = _libsvm.fit(
        xx,
        y,
        svm_type=0,  # c_svc
        sample_weight=np.empty(0, dtype=np.float64),
        class_weight=np.ones(2, dtype=np.float64),
        kernel=svm.kernel,
        C=svm.C,
        nu=svm.nu,
        probability=False,
        degree=svm.degree,
        shrinking=svm.shrinking,
        tol=svm.tol,
        cache_size=svm.cache_size,
        coef0=svm.coef0,
        gamma=gamma,
        epsilon=svm.epsilon,
        max_iter=svm.max_iter,
        random_seed=seed,
    )
    if not (np.isfinite(intercept).all() and np.isfinite(dual).all()):
        raise ObjectiveError("the SVM's dual coefficients or intercept are not finite")
    svm._sparse = False
    svm.n_features_in_ = xx.shape[1]
    svm.classes_ = np.array([0, 1], dtype=np.int64)
    svm.class_weight_ = np.ones(2, dtype=np.float64)
    svm._gamma = gamma
    svm._effective_probability = False
    svm.support_ = support
    svm.support_vectors_ = sv
    svm._n_support = n_support
    svm._probA = prob_a
    svm._probB = prob_b
    svm.fit_status_ = status
    svm._num_iter = n_iter
    svm.n_iter_ = n_iter
    svm.shape_fit_ = xx.shape
    # as SVC.fit: libsvm's signs internally, flipped for the public binary attributes
    svm._intercept_ = intercept.copy()
    svm._dual_coef_ = dual
    svm.intercept_ = -intercept
    svm.dual_coef_ = -dual
    return svm


_CHUNK_ROWS = 512
"""Rows of the kernel matrix computed at a time: the elementwise steps stay in cache."""


def _is_binary(a: NDArray[np.float64]) -> bool:
    return bool(((a == 0.0) | (a == 1.0)).all())


def _poly_decision(
    x: NDArray[np.float64],
    sv: NDArray[np.float64],
    gamma: float,
    coef0: float,
    degree: int,
    dual: NDArray[np.float64],
) -> NDArray[np.float64]:
    """``K @ dual`` for ``K = (gamma * x @ sv.T + coef0) ** degree``, the power taken as
    ``b * b * ... * b`` left to right (``np.power`` on floats is several times slower for LaMOO's
    small degrees).

    Computed in row chunks, so that the kernel matrix (15,625 x a few hundred for a whole cell
    space) never leaves the cache; every row's product with ``dual`` is the same BLAS dot product
    whatever the chunk (checked bit for bit in the tests). For 0/1 features (one-hot encodings)
    ``x @ sv.T`` counts matching entries, which float32 holds exactly and computes in a third of
    the time; any other input takes the float64 product of the whole matrix.
    """
    n, m = x.shape[0], sv.shape[0]
    dec = np.zeros(n, dtype=np.float64)
    if n == 0 or m == 0:
        return dec
    xs: NDArray[np.floating] = x
    svt: NDArray[np.floating] = sv.T
    whole = None
    if _is_binary(sv) and _is_binary(x):
        xs, svt = x.astype(np.float32), sv.T.astype(np.float32)
    else:
        # float64 products of arbitrary values may round differently in a chunk than in the
        # whole product (BLAS blocking), so those are computed whole, as before
        whole = x @ sv.T
    rows = min(_CHUNK_ROWS, n)
    base = np.empty((rows, m), dtype=np.float64)
    kern = np.empty((rows, m), dtype=np.float64)
    for i in range(0, n, _CHUNK_ROWS):
        b = base[: min(rows, n - i)]
        k = kern[: b.shape[0]]
        b[...] = xs[i : i + _CHUNK_ROWS] @ svt if whole is None else whole[i : i + _CHUNK_ROWS]
        b *= gamma
        b += coef0
        if degree == 1:
            k[...] = b
        else:
            np.multiply(b, b, out=k)
            for _ in range(degree - 2):
                k *= b
        np.matmul(k, dual, out=dec[i : i + b.shape[0]])
    return dec


def pairwise_dominance_number(y: NDArray[np.float64]) -> NDArray[np.int64]:
    """:func:`dominance_number` by all-pairs comparison: for the few hundred rows of a node this
    is several times faster than the sort-based general method (same result)."""
    # one objective at a time: 2-D masks instead of an (n, n, m) array reduced over m
    col = y[:, 0]
    le = col[:, None] <= col[None, :]  # le[j, i]: y_j <= y_i in every objective so far
    lt = col[:, None] < col[None, :]  # lt[j, i]: y_j < y_i in some objective so far
    for k in range(1, y.shape[1]):
        col = y[:, k]
        le &= col[:, None] <= col[None, :]
        lt |= col[:, None] < col[None, :]
    le &= lt
    return np.asarray(le.sum(axis=0), dtype=np.int64)


def svm_predicts_good(svm: SVC, x: NDArray[np.float64]) -> NDArray[np.bool_]:
    """What a fitted binary ``SVC`` (labels 0/1) predicts for the rows of ``x``, as ``label == 1``.

    The same decision as ``svm.predict(x) == 1``, computed as one matrix product over the support
    vectors: scikit-learn's ``predict`` validates its input and evaluates the kernel row by row in
    libsvm, which made membership tests over the whole space most of a simulated run's time.
    A point exactly on the boundary goes to label 1, as in libsvm.
    """
    sv = svm.support_vectors_
    gamma = float(svm._gamma)
    if svm.kernel == "poly":
        dec = _poly_decision(
            x, sv, gamma, float(svm.coef0), int(svm.degree), svm.dual_coef_[0]
        ) + float(svm.intercept_[0])
    elif svm.kernel == "rbf":
        sq = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ sv.T) + (sv * sv).sum(axis=1)[None, :]
        k = np.exp(-gamma * np.maximum(sq, 0.0))
        dec = k @ svm.dual_coef_[0] + float(svm.intercept_[0])
    else:  # pragma: no cover - LaMOO builds only these two kernels
        return np.asarray(svm.predict(x) == 1, dtype=bool)
    pos = np.asarray(dec >= 0.0, dtype=bool)
    # classes_ is [0, 1] for the labels LaMOO fits; positive decisions mean classes_[1]
    return pos if int(svm.classes_[1]) == 1 else ~pos
