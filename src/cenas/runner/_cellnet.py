"""A small real workload: NAS-Bench-201 cells on feature vectors, trained with PyTorch on CPU.

Why this exists: the live search needs real training, real supernets and measured energy, and
must run end to end on 2 CPU cores in minutes. The NAS-Bench-201 cell (6 edges, 5 operations) is
kept; its operations act on feature vectors instead of images (``nor_conv_1x1`` is one linear
layer, ``nor_conv_3x3`` a wider two-layer block, ``avg_pool_3x3`` a width-3 average over
features), so the same 15,625 architectures train in well under a second on sklearn's digits or
a synthetic set. Objectives: validation error (%, min) and parameter count (min).

Determinism: every task seeds torch from its own seed and runs single-threaded, so the same task
gives the same result in any process (needed for resume to reach the same final set).
The supernet of region ``r`` is fine-tuned from the newest supernet of an earlier region (paths
sampled uniformly), so sampling work is "supernet fine-tuning and estimates".
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cenas.errors import ConfigError
from cenas.runner._workload import Workload
from cenas.space import NB201_EDGES, NB201Space

if TYPE_CHECKING:
    import torch

__all__ = ["DATASETS", "CellNetWorkload", "load_dataset"]

DATASETS = ("synthetic", "digits")


def load_dataset(name: str) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Features ``(n, d)`` (standardised) and labels ``(n,)`` of a built-in data set.

    ``digits``: scikit-learn's 8x8 digits (1,797 samples, 64 features, 10 classes; shipped with
    scikit-learn, no download). ``synthetic``: 600 samples, 16 features, 4 classes, drawn from a
    fixed seed (tests).

    Raises:
        ConfigError: for an unknown name.
    """
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        x = np.asarray(bunch.data, dtype=np.float32)
        y = np.asarray(bunch.target, dtype=np.int64)
    elif name == "synthetic":
        rng = np.random.default_rng(0)
        centres = rng.normal(0.0, 1.0, size=(4, 16))
        y = rng.integers(0, 4, size=600).astype(np.int64)
        x = (centres[y] + rng.normal(0.0, 1.6, size=(600, 16))).astype(np.float32)
        x[:, :4] = np.tanh(x[:, :4] * x[:, 4:8])  # a non-linear part a cell can learn
    else:
        raise ConfigError(
            f"unknown dataset {name!r}; the built-in datasets are {', '.join(DATASETS)}"
        )
    x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
    return x.astype(np.float32), y


def _ops(width: int) -> Any:
    from torch import nn

    class Zero(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x * 0.0

    class Pool(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out: torch.Tensor = nn.functional.avg_pool1d(
                x.unsqueeze(1), 3, stride=1, padding=1, count_include_pad=False
            ).squeeze(1)
            return out

    return nn.ModuleList(
        [
            Zero(),
            nn.Identity(),
            nn.Sequential(nn.Linear(width, width), nn.ReLU()),
            nn.Sequential(nn.Linear(width, 2 * width), nn.ReLU(), nn.Linear(2 * width, width)),
            Pool(),
        ]
    )


def _net(n_in: int, n_out: int, width: int, ops: tuple[int, ...] | None) -> Any:
    """A cell network; ``ops`` None builds the supernet (every operation on every edge)."""
    import torch
    from torch import nn

    class CellNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Linear(n_in, width), nn.ReLU())
            self.edges = nn.ModuleList()
            for e in range(len(NB201_EDGES)):
                all_ops = _ops(width)
                self.edges.append(all_ops if ops is None else nn.ModuleList([all_ops[ops[e]]]))
            self.head = nn.Linear(width, n_out)

        def forward(self, x: torch.Tensor, path: tuple[int, ...] | None = None) -> torch.Tensor:
            nodes = [self.stem(x)]
            for j in (1, 2, 3):
                acc = torch.zeros_like(nodes[0])
                for e, (tgt, src) in enumerate(NB201_EDGES):
                    if tgt == j:
                        choices: Any = self.edges[e]
                        op = choices[0] if path is None else choices[path[e]]
                        acc = acc + op(nodes[src])
                nodes.append(acc)
            out: torch.Tensor = self.head(nodes[3])
            return out

    return CellNet()


class CellNetWorkload(Workload):
    """NAS-Bench-201 cells on a feature data set (see the module docstring).

    Args:
        dataset: a name in :data:`DATASETS`.
        width: hidden width of the cell.
        epochs: epochs of standalone training (an evaluation).
        supernet_epochs: epochs of a region's supernet fine-tuning (the first from scratch gets
            twice as many).
        batch_size: mini-batch size.
        lr: Adam learning rate.
        val_fraction: held-out share of the data (the validation error is the objective).
    """

    def __init__(
        self,
        dataset: str = "digits",
        *,
        width: int = 32,
        epochs: int = 15,
        supernet_epochs: int = 6,
        batch_size: int = 64,
        lr: float = 3e-3,
        val_fraction: float = 0.3,
    ) -> None:
        for name, v in (("width", width), ("epochs", epochs), ("batch_size", batch_size)):
            if v < 1:
                raise ConfigError(f"workload.{name} must be >= 1, but got {v}")
        if supernet_epochs < 1 or not 0 < val_fraction < 1 or not lr > 0:
            raise ConfigError(
                "workload needs supernet_epochs >= 1, 0 < val_fraction < 1 and lr > 0, but got "
                f"{supernet_epochs}, {val_fraction}, {lr}"
            )
        x, y = load_dataset(dataset)
        rng = np.random.default_rng(12345)
        perm = rng.permutation(len(y))
        n_val = round(val_fraction * len(y))
        self.dataset = dataset
        self.x_train, self.y_train = x[perm[n_val:]], y[perm[n_val:]]
        self.x_val, self.y_val = x[perm[:n_val]], y[perm[:n_val]]
        self.n_classes = int(y.max()) + 1
        self.width, self.epochs, self.supernet_epochs = width, epochs, supernet_epochs
        self.batch_size, self.lr = batch_size, lr
        self._nb201 = NB201Space()
        self.space = self._nb201
        self.objectives = ["val_error_pct", "params"]
        self.maximize = [False, False]
        # worst error, and the largest cell (every edge the wide block) plus one parameter
        self.ref_point = [100.0, self._params(int(self._nb201.from_op_vectors([[3] * 6])[0])) + 1]
        self._checksum = hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {
            "workload": "cellnet",
            "dataset": self.dataset,
            "dataset_sha256": self._checksum,
            "train_rows": len(self.y_train),
            "val_rows": len(self.y_val),
            "width": self.width,
            "epochs": self.epochs,
            "supernet_epochs": self.supernet_epochs,
            "batch_size": self.batch_size,
            "lr": self.lr,
        }

    # -------------------------------------------------------------------------- helpers
    def _train(self, net: Any, epochs: int, seed: int, paths: NDArray[np.int64] | None) -> None:
        import torch

        g = torch.Generator().manual_seed(seed)
        x = torch.from_numpy(self.x_train)
        y = torch.from_numpy(self.y_train)
        opt = torch.optim.Adam(net.parameters(), lr=self.lr)
        step = 0
        net.train()
        for _ in range(epochs):
            order = torch.randperm(len(y), generator=g)
            for b in range(0, len(y), self.batch_size):
                idx = order[b : b + self.batch_size]
                path = None if paths is None else tuple(int(v) for v in paths[step % len(paths)])
                loss = torch.nn.functional.cross_entropy(net(x[idx], path), y[idx])
                opt.zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                opt.step()
                step += 1

    def _val_error_pct(self, net: Any, path: tuple[int, ...] | None) -> float:
        import torch

        net.eval()
        with torch.no_grad():
            pred = net(torch.from_numpy(self.x_val), path).argmax(dim=1).numpy()
        return float(100.0 * np.mean(pred != self.y_val))

    def _params(self, index: int) -> float:
        ops = tuple(int(v) for v in self._nb201.op_vectors([index])[0])
        net = _net(self.x_train.shape[1], self.n_classes, self.width, ops)
        return float(sum(p.numel() for p in net.parameters()))

    # ----------------------------------------------------------------------------- tasks
    def train_supernet(self, region_id: int, seed: int, workdir: Path) -> dict[str, Any]:
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(seed)
        net = _net(self.x_train.shape[1], self.n_classes, self.width, None)
        base = _latest_supernet(workdir, before=region_id)
        epochs = self.supernet_epochs
        if base is None:
            epochs *= 2
        else:
            net.load_state_dict(torch.load(base, weights_only=True))
        rng = np.random.default_rng(seed)
        steps = epochs * -(-len(self.y_train) // self.batch_size)
        paths = rng.integers(0, 5, size=(steps, len(NB201_EDGES)))
        self._train(net, epochs, seed, paths)
        workdir.mkdir(parents=True, exist_ok=True)
        tmp = workdir / f".region_{region_id:05d}.pt.tmp"
        torch.save(net.state_dict(), tmp)
        tmp.replace(workdir / f"region_{region_id:05d}.pt")  # atomic: never a half file
        return {"fine_tuned_from": None if base is None else base.name, "epochs": epochs}

    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        import torch

        torch.set_num_threads(1)
        net = _net(self.x_train.shape[1], self.n_classes, self.width, None)
        weights = _latest_supernet(workdir, before=region_id + 1)
        if weights is not None:
            net.load_state_dict(torch.load(weights, weights_only=True))
        ops = self._nb201.op_vectors(indices)
        out = np.array(
            [
                [self._val_error_pct(net, tuple(int(v) for v in o)), self._params(int(i))]
                for i, o in zip(indices, ops, strict=True)
            ],
            dtype=np.float64,
        )
        return out, {"supernet": None if weights is None else weights.name}

    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        import torch

        torch.set_num_threads(1)
        torch.manual_seed(seed)
        ops = tuple(int(v) for v in self._nb201.op_vectors([index])[0])
        net = _net(self.x_train.shape[1], self.n_classes, self.width, ops)
        self._train(net, self.epochs, seed, None)
        params = float(sum(p.numel() for p in net.parameters()))
        return np.array([self._val_error_pct(net, None), params], dtype=np.float64)


def _latest_supernet(workdir: Path, before: int) -> Path | None:
    """The supernet file of the highest region id below ``before``, if any."""
    best: Path | None = None
    best_id = -1
    for p in workdir.glob("region_*.pt") if workdir.is_dir() else ():
        rid = int(p.stem.split("_")[1])
        if best_id < rid < before:
            best, best_id = p, rid
    return best
