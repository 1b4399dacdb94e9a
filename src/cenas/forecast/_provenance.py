"""What a fitted forecaster records about the data it learned from, and the checks that use it.

A model trained on the very hours it later forecasts scores well for the wrong reason: a
simulator that schedules a window with such a model has leaked the future into the past. So a
fitted model records its training period (the hours of intensity it fitted on, validation
included), the region and emission kind of the trace, and a SHA-256 of the fit data; the
simulator refuses a model whose training period overlaps the simulated window
(:func:`check_no_overlap`), and predicting on a trace of another region or kind warns.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from cenas.errors import ForecastError
from cenas.forecast._hourly import HourlySeries

__all__ = ["TrainingRecord", "check_no_overlap", "fit_data_sha256", "warn_if_other_region"]

_log = logging.getLogger(__name__)


def fit_data_sha256(data: HourlySeries) -> str:
    """SHA-256 of the fit data: the start hour, the hourly intensity, then the covariates (float64,
    little-endian, row-major; their column names first)."""
    h = hashlib.sha256()
    h.update(data.start.isoformat().encode())
    h.update(np.ascontiguousarray(data.values_g_per_kwh, dtype="<f8").tobytes())
    if data.known is not None and data.known_np is not None:
        h.update("\0".join(str(c) for c in data.known.columns).encode())
        h.update(np.ascontiguousarray(data.known_np, dtype="<f8").tobytes())
    return h.hexdigest()


@dataclass(frozen=True)
class TrainingRecord:
    """The data a model was fitted on.

    Attributes:
        start: first hour of intensity fitted on (UTC).
        end: end of the last hour fitted on (exclusive, UTC); validation hours included.
        label: the trace's source label.
        zone: the trace's grid zone, or None when unknown.
        kind: the trace's emission kind, or None when unknown.
        data_sha256: :func:`fit_data_sha256` of the fit data.
        covariates: the forecast covariate columns the fit data held.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    label: str
    zone: str | None
    kind: str | None
    data_sha256: str
    covariates: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: HourlySeries) -> TrainingRecord:
        """The record of fitting on ``data``."""
        return cls(
            start=data.start,
            end=data.end,
            label=data.label,
            zone=data.zone,
            kind=data.kind,
            data_sha256=fit_data_sha256(data),
            covariates=() if data.known is None else tuple(str(c) for c in data.known.columns),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "label": self.label,
            "zone": self.zone,
            "kind": self.kind,
            "data_sha256": self.data_sha256,
            "covariates": list(self.covariates),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainingRecord:
        """Inverse of :meth:`to_dict`.

        Raises:
            ForecastError: when a field is missing or malformed.
        """
        try:
            return cls(
                start=pd.Timestamp(d["start"]).tz_convert("UTC"),
                end=pd.Timestamp(d["end"]).tz_convert("UTC"),
                label=str(d["label"]),
                zone=None if d.get("zone") is None else str(d["zone"]),
                kind=None if d.get("kind") is None else str(d["kind"]),
                data_sha256=str(d["data_sha256"]),
                covariates=tuple(str(c) for c in d.get("covariates", ())),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise ForecastError(f"training record {d!r} is malformed ({e})") from None

    def describe(self) -> str:
        """One line: period, source and checksum prefix."""
        return (
            f"trained on {self.label} [{self.start.isoformat()}, {self.end.isoformat()}) "
            f"sha256 {self.data_sha256[:12]}"
        )


def check_no_overlap(
    record: TrainingRecord | None, start: pd.Timestamp, end: pd.Timestamp, what: str
) -> None:
    """Refuse a model whose training period overlaps ``[start, end)``.

    Args:
        record: the model's training record (None for a model that needs no fitting).
        start, end: the window the model will forecast (UTC).
        what: names the model in the message.

    Raises:
        ForecastError: when the periods overlap.
    """
    if record is None:
        return
    if record.start < end and start < record.end:
        raise ForecastError(
            f"{what} was trained on [{record.start.isoformat()}, {record.end.isoformat()}) of "
            f"{record.label}, which overlaps the simulated window [{start.isoformat()}, "
            f"{end.isoformat()}); fit it on data that ends by {start.isoformat()} "
            "(cenas forecast fit --end)"
        )


def _same_zone(a: str, b: str) -> bool:
    # Electricity Maps names zones with a country/region prefix (US-CAL-CISO), DACF does not (CISO).
    a, b = a.upper(), b.upper()
    return a == b or a.endswith("-" + b) or b.endswith("-" + a)


def warn_if_other_region(record: TrainingRecord | None, data: HourlySeries, what: str) -> None:
    """Warn (``UserWarning`` and the log) when ``data`` is another region or emission kind than
    the model was fitted on: its level and daily shape were learned from another grid."""
    if record is None:
        return
    problems = []
    if record.zone and data.zone and not _same_zone(record.zone, data.zone):
        problems.append(f"zone {data.zone!r}, fitted on {record.zone!r}")
    if record.kind and data.kind and record.kind != data.kind:
        problems.append(f"{data.kind} emissions, fitted on {record.kind}")
    if problems:
        msg = (
            f"{what} forecasts {data.label} ({'; '.join(problems)}); its forecasts carry the "
            "fitted grid's level and shape"
        )
        _log.warning(msg)
        warnings.warn(msg, UserWarning, stacklevel=3)
