"""The live runner's workload: real NAS-Bench-201 networks and region supernets (``cenas.live``).

Every task runs :mod:`cenas.live` in a worker process: an evaluation trains the standalone
network of an architecture (index of :class:`~cenas.space.NB201Space`) to its epoch budget and
reports the held-out accuracy; a supernet task trains the region's weight-sharing supernet by
single-path sampling restricted to the region's members, starting from the newest supernet of an
earlier region when there is one (fine-tuning, as a child region's supernet should); an estimate
task reads the region's supernet and gives one-shot accuracies. Weights travel between worker
processes through files in the run directory's ``supernets/`` folder, written atomically.

Objectives: held-out accuracy (%, maximised) and parameter count (minimised). Measured batch-1
latency is recorded with each evaluation but is not an objective here: on a shared CPU it varies
by tens of percent from run to run, which would make the search's decisions (and so ``cenas
resume``'s promise to reach the same final set) depend on the machine's load; parameter count is
exact and deterministic. The energy of a task is what ``cenas.live``'s tracker measured around it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from cenas.runner._config import WorkloadConfig
from cenas.runner._workload import Workload
from cenas.space import NB201Space

if TYPE_CHECKING:
    from cenas.live import DataSplits, NetworkConfig

__all__ = ["LiveWorkload", "LiveWorkloadSettings"]

_WIDEST = (3, 3, 3, 3, 3, 3)  # nor_conv_3x3 on every edge: the most parameters of the space


LiveWorkloadSettings = WorkloadConfig
"""What a live workload trains, and how: the ``[workload]`` table of a search config, whole."""


class LiveWorkload(Workload):
    """NAS-Bench-201 networks on an image data set, trained by :mod:`cenas.live`.

    Args:
        settings: data set, network size and training budget.

    Raises:
        ConfigError, DataFileMissingError, ChecksumError, DataError: the data set cannot be
            loaded (checked here, in the driver, before a run starts), or a bad setting.
    """

    def __init__(self, settings: LiveWorkloadSettings) -> None:
        from cenas.live import NetworkConfig, TrainConfig

        self.settings = s = settings
        # both raise ConfigError naming the bad value
        self._network: NetworkConfig = NetworkConfig(s.channels, s.cells_per_stage)
        self._train = TrainConfig(
            epochs=s.epochs,
            batch_size=s.batch_size,
            learning_rate=s.lr,
            latency_repeats=s.latency_repeats,
            latency_warmup=1,
        )
        self._supernet_train = TrainConfig(
            epochs=s.supernet_epochs, batch_size=s.batch_size, learning_rate=s.lr
        )
        self._data: DataSplits | None = None
        data = self.data  # fail now on a missing or bad data set, not in a worker
        self._checksum = _checksum(data)
        self._shape = (data.in_channels, data.num_classes)
        self._nb201 = NB201Space()
        self.space = self._nb201
        self.objectives = ["accuracy", "params"]
        self.maximize = [True, False]
        # minimisation form: 0 % accuracy, and one parameter more than the largest network
        self.ref_point = [0.0, float(self._params(_WIDEST)) + 1.0]

    def __getstate__(self) -> dict[str, Any]:
        # workers load the data themselves: a pickled CIFAR-10 would be hundreds of MB per task
        state = dict(self.__dict__)
        state["_data"] = None
        return state

    @property
    def data(self) -> DataSplits:
        """The splits (loaded once per process)."""
        if self._data is None:
            from cenas.live import load_dataset

            s = self.settings
            self._data = load_dataset(
                s.dataset,
                data_dir=s.data_dir or None,
                seed=0,
                train_size=s.train_size,
                val_size=s.val_size,
            )
        return self._data

    def describe(self) -> dict[str, Any]:
        d = self.data
        return {
            "workload": "nb201-live",
            "dataset": self.settings.dataset,
            "dataset_sha256": self._checksum,
            "dataset_source": d.source,
            "train_rows": len(d.train),
            "val_rows": len(d.val),
            "network": {"channels": self._network.channels, "cells": self._network.cells_per_stage},
            "epochs": self.settings.epochs,
            "supernet_epochs": self.settings.supernet_epochs,
            "batch_size": self.settings.batch_size,
            "lr": self.settings.lr,
            "device": self.settings.device,
            "objectives": "held-out (validation) accuracy %, parameter count; latency recorded",
        }

    # -------------------------------------------------------------------------- helpers
    def _params(self, ops: tuple[int, ...]) -> int:
        from cenas.live import NB201Network, count_parameters

        c, k = self._shape
        return count_parameters(NB201Network(ops, self._network, in_channels=c, num_classes=k))

    def _ops(self, index: int) -> tuple[int, ...]:
        return tuple(int(v) for v in self._nb201.op_vectors([index])[0])

    def _supernet(self, weights: Path | None) -> Any:
        import torch

        from cenas.live import Supernet

        c, k = self._shape
        net = Supernet(self._network, in_channels=c, num_classes=k)
        if weights is not None:
            net.load_state_dict(torch.load(weights, weights_only=True))
        return net

    # ----------------------------------------------------------------------------- tasks
    def train_supernet(
        self, region_id: int, seed: int, workdir: Path, members: tuple[int, ...] = ()
    ) -> dict[str, Any]:
        import torch

        from cenas.live import Region, RegionSupernet

        torch.set_num_threads(1)
        region = (
            Region(self._nb201, np.asarray(members, dtype=np.int64), f"region {region_id}")
            if members
            else Region.whole(self._nb201)
        )
        base = _latest_supernet(workdir, before=region_id)
        parent = None if base is None else base.stem
        rs = RegionSupernet(
            region,
            self.data,
            network=self._network,
            device=self.settings.device,
            seed=seed,
            supernet=None if base is None else self._supernet(base),
            parent=parent,
        )
        result = rs.train(self._supernet_train)
        workdir.mkdir(parents=True, exist_ok=True)
        tmp = workdir / f".region_{region_id:05d}.pt.tmp"
        torch.save(rs.supernet.state_dict(), tmp)
        tmp.replace(workdir / f"region_{region_id:05d}.pt")  # atomic: never a half file
        return {
            "fine_tuned_from": parent,
            "region_size": result.region_size,
            "epochs": result.epochs,
            "steps": result.steps,
            "train_loss": result.train_loss,
            "seconds": result.seconds,
            "measured_energy_kwh": result.energy_kwh,
            "measured_meter": "+".join(result.meters),
        }

    def estimate(
        self, indices: NDArray[np.int64], region_id: int, workdir: Path
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        import torch

        from cenas.live import Region, RegionSupernet

        torch.set_num_threads(1)
        weights = _latest_supernet(workdir, before=region_id + 1)
        rs = RegionSupernet(
            Region.whole(self._nb201),
            self.data,
            network=self._network,
            device=self.settings.device,
            supernet=self._supernet(weights),
        )
        # proposals may come from outside the region when it runs out of untried members
        est = rs.estimate(indices, split="val", allow_outside=True)
        params = [float(self._params(self._ops(int(i)))) for i in indices]
        y = np.column_stack([-est.accuracy, np.asarray(params, dtype=np.float64)])
        return y, {
            "supernet": None if weights is None else weights.name,
            "seconds": est.seconds,
            "measured_energy_kwh": est.energy_kwh,
            "measured_meter": "+".join(est.tracking.meters),
        }

    def evaluate(self, index: int, seed: int) -> NDArray[np.float64]:
        return self.evaluate_with_info(index, seed)[0]

    def evaluate_with_info(
        self, index: int, seed: int
    ) -> tuple[NDArray[np.float64], dict[str, Any]]:
        import torch

        from cenas.live import train_network

        torch.set_num_threads(1)
        r = train_network(
            self._ops(index),
            self.data,
            network=self._network,
            config=self._train,
            device=self.settings.device,
            seed=seed,
        )
        y = np.array([-r.accuracy, float(r.params)], dtype=np.float64)
        return y, {
            "arch": r.arch,
            "latency_ms": r.latency_ms,
            "train_loss": r.train_loss,
            "seconds": r.seconds,
            "device": r.device,
            "measured_energy_kwh": r.energy_kwh,
            "measured_meter": "+".join(r.meters),
        }


def _checksum(data: DataSplits) -> str:
    h = hashlib.sha256()
    for part in (data.train, data.val, data.test):
        h.update(part.x.numpy().tobytes())
        h.update(part.y.numpy().tobytes())
    return h.hexdigest()


def _latest_supernet(workdir: Path, before: int) -> Path | None:
    """The supernet file of the highest region id below ``before``, if any."""
    best: Path | None = None
    best_id = -1
    for p in workdir.glob("region_*.pt") if workdir.is_dir() else ():
        rid = int(p.stem.split("_")[1])
        if best_id < rid < before:
            best, best_id = p, rid
    return best
