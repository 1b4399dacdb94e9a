"""The carbon-intensity trace: a regular UTC series in gCO2eq/kWh that remembers its source.

Its metadata types are in ``_source`` (format, kind, source, load report) and its time helpers in
``_time``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from cenas.carbon._source import EmissionKind, LoadReport, TraceFormat, TraceSource
from cenas.carbon._time import S_PER_H as S_PER_H
from cenas.carbon._time import TimeLike, to_step_s, to_utc_timestamp
from cenas.errors import TraceError

__all__ = ["S_PER_H", "IntensityTrace", "TraceStats"]


@dataclass(frozen=True)
class TraceStats:
    """Statistics of a trace (or a window of one).

    Attributes:
        rows: number of steps.
        start: time of the first step (UTC).
        end: time of the last step (UTC); the trace covers up to ``end + step``.
        mean, min, max: intensity in gCO2eq/kWh.
        cv: coefficient of variation, population standard deviation / mean (NaN if mean is 0).
    """

    rows: int
    start: pd.Timestamp
    end: pd.Timestamp
    mean: float
    min: float
    max: float
    cv: float


def _as_float_array(values: Any) -> NDArray[np.float64]:
    arr = np.array(values, dtype=np.float64, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class IntensityTrace:
    """A regular, validated series of grid carbon intensity, in UTC.

    Step ``i`` covers ``[start + i*step, start + (i+1)*step)`` and its value holds over the whole
    step (piecewise constant), so the trace covers ``[start_s, end_s)``.

    Attributes:
        start: time of the first step (UTC Timestamp).
        step_s: the step in whole seconds.
        values_g_per_kwh: float64 array of shape ``(rows,)``, read-only, gCO2eq/kWh, finite, >= 0.
        source: where the numbers come from.
        covariates: other columns of the file aligned with the steps (e.g. DACF weather and
            day-ahead production forecasts), or None. Rows of filled gaps are NaN.
        report: what the loader found, or None for traces built in memory.
    """

    start: pd.Timestamp
    step_s: int
    values_g_per_kwh: NDArray[np.float64]
    source: TraceSource
    covariates: pd.DataFrame | None = None
    report: LoadReport | None = None
    _cum_gh: NDArray[np.float64] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = to_utc_timestamp(self.start, what="start")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "step_s", to_step_s(self.step_s))
        values = _as_float_array(self.values_g_per_kwh)
        if values.ndim != 1 or values.size == 0:
            raise TraceError(
                f"{self.source.label}: values must be a non-empty 1-D array, got shape "
                f"{values.shape}"
            )
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.argmax(bad))
            raise TraceError(
                f"{self.source.label}: intensity must be finite and >= 0 gCO2eq/kWh, but step {i} "
                f"({start + pd.Timedelta(seconds=i * self.step_s)}) is {values[i]}"
            )
        object.__setattr__(self, "values_g_per_kwh", values)
        if self.covariates is not None and len(self.covariates) != values.size:
            raise TraceError(
                f"{self.source.label}: covariates have {len(self.covariates)} rows but the trace "
                f"has {values.size}"
            )
        # Cumulative integral at each step boundary, in (gCO2eq/kWh)*h, for exact O(log n)
        # integrals; cum[i] = integral from start to start + i*step.
        cum = np.empty(values.size + 1, dtype=np.float64)
        cum[0] = 0.0
        np.cumsum(values * (self.step_s / S_PER_H), out=cum[1:])
        cum.setflags(write=False)
        object.__setattr__(self, "_cum_gh", cum)

    # ----------------------------------------------------------------------------- construction
    @classmethod
    def from_series(
        cls,
        series: pd.Series,
        source: TraceSource | None = None,
        *,
        step: int | str | timedelta | None = None,
    ) -> IntensityTrace:
        """Build a trace from a Series indexed by a regular DatetimeIndex (naive means UTC).

        Args:
            series: values in gCO2eq/kWh, index of times, shape ``(rows,)``.
            source: where the values come from (default: an in-memory source of unknown kind).
            step: the step; inferred from the index when None (needs at least 2 rows).

        Raises:
            TraceError: when the index is not a sorted, regular DatetimeIndex or values are bad.
        """
        if source is None:
            source = TraceSource.make(
                path=None, format=TraceFormat.SERIES, zone=None, kind=EmissionKind.UNKNOWN
            )
        index = series.index
        if not isinstance(index, pd.DatetimeIndex) or len(index) == 0:
            raise TraceError(f"{source.label}: series needs a non-empty DatetimeIndex")
        index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
        secs = _epoch_seconds(index)
        if step is None:
            if len(index) < 2:
                raise TraceError(f"{source.label}: cannot infer the step of a 1-row series")
            step_s = to_step_s(float(secs[1] - secs[0]))
        else:
            step_s = to_step_s(step)
        expected = secs[0] + step_s * np.arange(len(secs), dtype=np.float64)
        off = np.abs(secs - expected) > 1e-6
        if off.any():
            i = int(np.argmax(off))
            raise TraceError(
                f"{source.label}: series must be regular with step {step_s} s, but row {i} is at "
                f"{index[i]} instead of {pd.Timestamp(expected[i], unit='s', tz='UTC')}"
            )
        return cls(
            start=index[0],
            step_s=step_s,
            values_g_per_kwh=series.to_numpy(dtype=np.float64, na_value=np.nan),
            source=source,
        )

    # ------------------------------------------------------------------------------- properties
    def __len__(self) -> int:
        return int(self.values_g_per_kwh.size)

    def __iter__(self) -> Iterator[float]:
        return iter(self.values_g_per_kwh.tolist())

    def __repr__(self) -> str:
        return (
            f"IntensityTrace(rows={len(self)}, start={self.start.isoformat()}, "
            f"step_s={self.step_s}, source={self.source.label!r})"
        )

    @property
    def rows(self) -> int:
        """Number of steps."""
        return len(self)

    @property
    def times(self) -> pd.DatetimeIndex:
        """Start time of each step, UTC, shape ``(rows,)``."""
        return pd.date_range(
            self.start, periods=len(self), freq=pd.Timedelta(seconds=self.step_s), name="time"
        )

    @property
    def start_s(self) -> float:
        """Start of the first step, UNIX epoch seconds."""
        return float(self.start.value) / 1e9

    @property
    def end_s(self) -> float:
        """End of the last step (exclusive), UNIX epoch seconds."""
        return self.start_s + len(self) * self.step_s

    @property
    def end(self) -> pd.Timestamp:
        """End of the last step (exclusive), UTC."""
        return self.start + pd.Timedelta(seconds=len(self) * self.step_s)

    @property
    def times_s(self) -> NDArray[np.float64]:
        """Start of each step in UNIX epoch seconds, shape ``(rows,)``."""
        return self.start_s + self.step_s * np.arange(len(self), dtype=np.float64)

    @property
    def cumulative_gh(self) -> NDArray[np.float64]:
        """Integral of intensity from the start to each step boundary, (gCO2eq/kWh)*h,
        shape ``(rows + 1,)``, read-only."""
        return self._cum_gh

    # ---------------------------------------------------------------------------------- queries
    def to_series(self) -> pd.Series:
        """The values as a Series named ``carbon_intensity_g_per_kwh`` indexed by UTC times."""
        return pd.Series(
            self.values_g_per_kwh.copy(), index=self.times, name="carbon_intensity_g_per_kwh"
        )

    def to_frame(self) -> pd.DataFrame:
        """The values and the covariates (if any) in one DataFrame indexed by UTC times."""
        frame = self.to_series().to_frame()
        if self.covariates is not None:
            cov = self.covariates.copy()
            cov.index = frame.index
            frame = pd.concat([frame, cov], axis=1)
        return frame

    def value_at(self, t_s: float) -> float:
        """Intensity (gCO2eq/kWh) of the step containing ``t_s`` (UNIX epoch seconds).

        Raises:
            TraceError: when ``t_s`` is outside ``[start_s, end_s)``.
        """
        t = float(t_s)
        if not (self.start_s <= t < self.end_s):
            raise TraceError(
                f"{self.source.label}: time {t} s "
                f"({_fmt_epoch(t)}) is outside the trace [{self.start.isoformat()}, "
                f"{self.end.isoformat()}); no extrapolation"
            )
        i = min(int((t - self.start_s) // self.step_s), len(self) - 1)
        return float(self.values_g_per_kwh[i])

    def values_at(self, t_s: NDArray[np.float64] | list[float]) -> NDArray[np.float64]:
        """Vectorised :meth:`value_at`: shape of ``t_s`` in, same shape out."""
        t = np.asarray(t_s, dtype=np.float64)
        outside = ~((t >= self.start_s) & (t < self.end_s))
        if outside.any():
            bad = float(t.ravel()[int(np.argmax(outside.ravel()))])
            self.value_at(bad)  # raises with the message
        i = np.minimum(((t - self.start_s) // self.step_s).astype(np.int64), len(self) - 1)
        out: NDArray[np.float64] = self.values_g_per_kwh[i]
        return out

    def window(self, start: TimeLike | None = None, end: TimeLike | None = None) -> IntensityTrace:
        """The steps whose start time is in ``[start, end)`` (end exclusive).

        Args:
            start: first time (default: the trace start); naive/offset-less means UTC.
            end: end, exclusive (default: the trace end).

        Raises:
            TraceError: when ``end <= start`` or no step falls in the window.
        """
        t0 = self.start if start is None else to_utc_timestamp(start, what="start")
        t1 = self.end if end is None else to_utc_timestamp(end, what="end")
        if t1 <= t0:
            raise TraceError(f"window end must be after start, but got start={t0}, end={t1}")
        step_ns = self.step_s * 1_000_000_000
        first = max(0, -(-(t0.value - self.start.value) // step_ns))
        stop = min(len(self), -(-(t1.value - self.start.value) // step_ns))
        if stop <= first:
            raise TraceError(
                f"{self.source.label}: window [{t0.isoformat()}, {t1.isoformat()}) holds no step "
                f"of the trace [{self.start.isoformat()}, {self.end.isoformat()})"
            )
        return self._slice(int(first), int(stop))

    def _slice(self, first: int, stop: int) -> IntensityTrace:
        cov = None if self.covariates is None else self.covariates.iloc[first:stop]
        return replace(
            self,
            start=self.start + pd.Timedelta(seconds=first * self.step_s),
            values_g_per_kwh=self.values_g_per_kwh[first:stop],
            covariates=cov,
        )

    def resample(self, step: int | str | timedelta) -> IntensityTrace:
        """Re-grid the trace to another step, exactly preserving the integral over time.

        Each new step's value is the mean intensity over it (finer steps repeat values; coarser
        ones average them, time-weighted). A trailing partial step is dropped. Covariates are
        dropped unless the step is unchanged.

        Raises:
            TraceError: when the new step is larger than the whole trace.
        """
        new_step = to_step_s(step)
        if new_step == self.step_s:
            return self
        n = int((len(self) * self.step_s) // new_step)
        if n == 0:
            raise TraceError(
                f"{self.source.label}: step {new_step} s is longer than the trace "
                f"({len(self) * self.step_s} s)"
            )
        edges = self.start_s + new_step * np.arange(n + 1, dtype=np.float64)
        cum = self.integral_gh_at(edges)
        values = np.diff(cum) * (S_PER_H / new_step)
        return IntensityTrace(
            start=self.start,
            step_s=new_step,
            values_g_per_kwh=np.maximum(values, 0.0),  # clip -1e-13 rounding
            source=self.source,
            covariates=None,
            report=self.report,
        )

    def integral_gh_at(self, t_s: NDArray[np.float64] | list[float] | float) -> NDArray[np.float64]:
        """Integral of intensity from the trace start to each ``t_s``, (gCO2eq/kWh)*hours.

        Args:
            t_s: UNIX epoch seconds, any shape, each within ``[start_s, end_s]``.

        Returns:
            float64 array of the same shape.

        Raises:
            TraceError: when a time is outside the trace.
        """
        t = np.asarray(t_s, dtype=np.float64)
        inside = (t >= self.start_s) & (t <= self.end_s)
        if not inside.all():
            bad = float(t.ravel()[int(np.argmax(~inside.ravel()))])
            raise TraceError(
                f"{self.source.label}: time {bad} s ({_fmt_epoch(bad)}) is outside the trace "
                f"[{self.start.isoformat()}, {self.end.isoformat()}]; no extrapolation"
            )
        rel = t - self.start_s
        i = np.minimum((rel // self.step_s).astype(np.int64), len(self) - 1)
        frac_h = (rel - i * self.step_s) / S_PER_H
        out: NDArray[np.float64] = self._cum_gh[i] + self.values_g_per_kwh[i] * frac_h
        return out

    def stats(self) -> TraceStats:
        """Rows, first/last step time, mean, min, max and coefficient of variation."""
        v = self.values_g_per_kwh
        mean = float(v.mean())
        return TraceStats(
            rows=len(self),
            start=self.start,
            end=self.start + pd.Timedelta(seconds=(len(self) - 1) * self.step_s),
            mean=mean,
            min=float(v.min()),
            max=float(v.max()),
            cv=float(v.std() / mean) if mean > 0 else float("nan"),
        )


def _epoch_seconds(index: pd.DatetimeIndex) -> NDArray[np.float64]:
    """UNIX epoch seconds of a tz-aware index, independent of its internal unit."""
    delta = index - pd.Timestamp(0, tz="UTC")
    return np.asarray(delta / pd.Timedelta(seconds=1), dtype=np.float64)


def _fmt_epoch(t_s: float) -> str:
    try:
        return pd.Timestamp(t_s, unit="s", tz="UTC").isoformat()
    except (ValueError, OverflowError):
        return "out of range"
