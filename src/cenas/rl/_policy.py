"""The learned allocation policy (``policy = "rl"``): a trained checkpoint deciding the GPU split
from the observation of :mod:`cenas.rl._features`, in the simulator and in the live runner.

It never learns while it decides (training is offline, on other years: ``cenas rl train``), so a
run is deterministic given its inputs. It reads the future only through its outlook: a
forecaster (leak-free) or, without one, the trace's own future, an ORACLE said in
:meth:`RLPolicy.describe`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from cenas.alloc import Allocation, AllocationContext, AllocationPolicy, ForecasterLike, Outlook
from cenas.errors import ConfigError
from cenas.rl._checkpoint import Checkpoint, load_checkpoint
from cenas.rl._features import ObservationBuilder

__all__ = ["PRETRAINED_DIR", "PRETRAINED_SHA256", "RLPolicy", "load_pretrained"]

PRETRAINED_DIR = Path(__file__).resolve().parent / "pretrained"
"""The shipped policies' directory: one checkpoint directory per name of
:data:`PRETRAINED_SHA256`."""

PRETRAINED_SHA256: Mapping[str, str] = MappingProxyType(
    {
        "discrete": "5790c36f94848281f90edd4539f7c116fd33f887a131baf6da63b5216e7d1deb",
        "continuous": "6cc3830d605cb6409c26e5c5c94fde67ef50f945cfda5fdf2049519af6844cc4",
    }
)
"""Shipped policy name -> SHA-256 of its ``checkpoint.json`` (which lists the SHA-256 of the
other files, so pinning it here pins them all)."""


def load_pretrained(name: str = "discrete") -> Checkpoint:
    """A shipped policy (``discrete``, the default, or ``continuous``), after checking its files'
    SHA-256.

    Raises:
        ConfigError: for an unknown name.
        ChecksumError: when a shipped file was changed.
    """
    if name not in PRETRAINED_SHA256:
        raise ConfigError(
            f"unknown pretrained RL policy {name!r}; shipped: {', '.join(PRETRAINED_SHA256)}"
        )
    return load_checkpoint(PRETRAINED_DIR / name, expected_sha256=PRETRAINED_SHA256[name])


class RLPolicy(AllocationPolicy):
    """A trained reinforcement-learning policy.

    Args:
        checkpoint: a checkpoint directory (``cenas rl train``); None: a shipped policy.
        pretrained: which shipped policy when ``checkpoint`` is None: ``discrete`` (the
            default) or ``continuous``.
        forecaster: forecasts the coming intensity from the past only; None reads the trace's
            future (an ORACLE, said in :meth:`describe`).

    Raises:
        DataFileMissingError: for a directory without a checkpoint.
        ChecksumError: for a checkpoint file that does not match its recorded SHA-256.
    """

    name = "rl"

    def __init__(
        self,
        checkpoint: str | Path | None = None,
        pretrained: str = "discrete",
        forecaster: ForecasterLike | None = None,
    ) -> None:
        if checkpoint is None:
            self.checkpoint_label = f"pretrained {pretrained}"
            self.model = load_pretrained(pretrained)
        else:
            self.checkpoint_label = str(checkpoint)
            self.model = load_checkpoint(checkpoint)
        self.forecaster = forecaster
        meta = self.model.meta
        self.features = ObservationBuilder(
            Outlook(forecaster),
            plan_h=float(meta.get("plan_h", 48.0)),
            work_fraction=float(meta.get("work_fraction", 0.3)),
        )

    def reset(self, seed: int | None) -> None:
        self.features.reset()

    def decide(self, ctx: AllocationContext) -> Allocation:
        action = self.model.act(self.features.observe(ctx))
        return self.model.action.to_allocation(action, ctx.gpus)

    def describe(self) -> str:
        algo = str(self.model.meta.get("algorithm", "?")).upper()
        return (
            f"rl ({algo} {self.model.action.kind.value}, checkpoint {self.checkpoint_label}; "
            f"{self.features.outlook.describe()})"
        )
