"""The surrogate energy model: features, layout, training determinism, save/load, errors."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from cenas.ecnas import (
    SURROGATE_N_FEATURES,
    SURROGATE_OP_CODES,
    EnergySurrogate,
    SurrogateConfig,
    SurrogateData,
    encode_cells,
    learning_curve,
    load_surrogate_data,
    split_indices,
    surrogate_features,
    train_surrogate,
)
from cenas.errors import ArchitectureError, ConfigError, DataError, DataFileMissingError
from cenas.space import NB101_OPS, NB101Cell, nb101_param_count

FAST = SurrogateConfig(hidden=16, epochs=3, batch_size=64)


def random_cells(n: int, seed: int) -> list[NB101Cell]:
    rng = np.random.default_rng(seed)
    cells: dict[str, NB101Cell] = {}
    while len(cells) < n:
        m = np.triu(rng.random((7, 7)) < 0.35, 1).astype(int)
        ops = ["input", *rng.choice(NB101_OPS, 5).tolist(), "output"]
        try:
            c = NB101Cell(m, ops)
        except ArchitectureError:
            continue
        cells[c.graph_hash] = c
    return list(cells.values())


def synthetic(n: int = 240, seed: int = 0) -> SurrogateData:
    cells = random_cells(n, seed)
    adj, ops = encode_cells(cells)
    params = np.array([nb101_param_count(c) for c in cells], dtype=np.int64)
    rng = np.random.default_rng(seed)
    energy = 0.004 + 1e-9 * params + rng.normal(0, 1e-4, n)
    return SurrogateData(adj, ops, energy, params)


def test_features_follow_the_ecnas_layout() -> None:
    cell = NB101Cell(np.eye(3, k=1), ["input", "maxpool3x3", "output"])
    adj, ops = encode_cells([cell])
    assert adj.shape == (1, 7, 7) and ops.tolist() == [[1, 4, 5, 0, 0, 0, 0]]
    x = surrogate_features(adj, ops, [1000])
    assert x.shape == (1, SURROGATE_N_FEATURES) == (1, 36)
    iu = np.triu_indices(7)
    assert x[0, :28].tolist() == adj[0][iu].tolist()
    assert x[0, 28:35].tolist() == [1, 4, 5, 0, 0, 0, 0]
    assert x[0, 35] == pytest.approx(np.log(1000))
    assert SURROGATE_OP_CODES["conv3x3-bn-relu"] == 3
    with pytest.raises(ConfigError, match="parameter counts must be positive"):
        surrogate_features(adj, ops, [0])
    with pytest.raises(ConfigError, match=r"adjacency \(n, 7, 7\)"):
        surrogate_features(adj[:, :5, :5], ops, [10])


def test_split_is_seeded_and_disjoint() -> None:
    a, b = split_indices(100, 3), split_indices(100, 3)
    assert (a.train == b.train).all() and (a.test == b.test).all()
    assert (len(a.train), len(a.valid), len(a.test)) == (70, 10, 20)
    assert len(set(a.train) | set(a.valid) | set(a.test)) == 100
    assert not (split_indices(100, 4).train == a.train).all()


def test_training_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    data = synthetic()
    fit1 = train_surrogate(data, seed=1, config=FAST)
    fit2 = train_surrogate(data, seed=1, config=FAST)
    fit3 = train_surrogate(data, seed=2, config=FAST)
    x = data.features()
    p1, p2 = fit1.model.predict_features(x), fit2.model.predict_features(x)
    np.testing.assert_array_equal(p1, p2)
    assert not np.array_equal(p1, fit3.model.predict_features(x))
    assert (fit1.n_train, fit1.n_valid, fit1.n_test) == (168, 24, 48)
    assert len(fit1.train_loss) == len(fit1.valid_mae_kwh) == 3
    assert 0 <= fit1.best_epoch < 3 and -1 <= fit1.kendall_tau <= 1 and fit1.mae_kwh > 0
    path = fit1.model.save(tmp_path / "m" / "surrogate.pt")
    loaded = EnergySurrogate.load(path)
    np.testing.assert_allclose(loaded.predict_features(x), p1, rtol=0, atol=1e-12)
    assert loaded.config == FAST
    cells = random_cells(3, 9)
    np.testing.assert_allclose(
        loaded.predict_cells(cells),
        loaded.predict(*encode_cells(cells), [nb101_param_count(c) for c in cells]),
    )


def test_learning_curve_uses_growing_training_sets() -> None:
    pts = learning_curve(synthetic(), (0.25, 1.0), seed=0, config=FAST)
    assert [p.n_train for p in pts] == [42, 168]
    assert all(np.isfinite(p.mae_kwh) for p in pts)


def test_bad_model_files_and_configs(tmp_path: Path) -> None:
    with pytest.raises(DataFileMissingError, match="does not exist"):
        EnergySurrogate.load(tmp_path / "absent.pt")
    other = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, other)
    with pytest.raises(DataError, match="not a cenas surrogate model"):
        EnergySurrogate.load(other)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"nonsense")
    with pytest.raises(DataError, match="not a surrogate model file"):
        EnergySurrogate.load(junk)
    # A zip archive whose pickle is not plain data: refused in one line, and never with
    # torch's advice to retry with weights_only=False.
    evil = tmp_path / "evil.pt"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("evil/data.pkl", b"\x80\x02cos\nsystem\nq\x00.")
    with pytest.raises(DataError, match="not a readable surrogate model") as e:
        EnergySurrogate.load(evil)
    assert "weights_only" not in str(e.value) and "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="fractions must sum to 1"):
        SurrogateConfig(fractions=(0.5, 0.1, 0.1))
    with pytest.raises(ConfigError, match=r"surrogate epochs must be >= 1, but got 0$"):
        SurrogateConfig(epochs=0)
    with pytest.raises(ConfigError, match="surrogate lr must be a finite number > 0, but got inf"):
        SurrogateConfig(lr=math.inf)
    with pytest.raises(ConfigError, match="train_fraction"):
        train_surrogate(synthetic(60), config=FAST, train_fraction=0)


@pytest.mark.data
def test_real_data_layout_and_a_short_training(data_dir: Path) -> None:
    data = load_surrogate_data(data_dir)
    assert len(data) == 4310
    assert data.features().shape == (4310, 36)
    # Re-encoding the cells reproduces the file's layout, and the parameter counts match.
    names = {v: k for k, v in SURROGATE_OP_CODES.items()}
    rows = np.arange(0, 4310, 7)
    cells = []
    for a, o in zip(data.adjacency[rows], data.ops[rows], strict=True):
        nv = int((o != 0).sum())
        cells.append(NB101Cell(a[:nv, :nv], [names[int(x)] for x in o[:nv]]))
    adj, ops = encode_cells(cells)
    np.testing.assert_array_equal(adj, data.adjacency[rows])
    np.testing.assert_array_equal(ops, data.ops[rows])
    np.testing.assert_array_equal([nb101_param_count(c) for c in cells], data.params[rows])
    fit = train_surrogate(data, seed=0, config=SurrogateConfig(epochs=3))
    assert (fit.n_train, fit.n_valid, fit.n_test) == (3017, 431, 862)
    assert fit.kendall_tau > 0.8  # a sanity floor; the full model is measured by the CLI
