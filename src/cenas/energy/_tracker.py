"""The tracker: energy by component, duration and carbon of a window of real work."""

from __future__ import annotations

import functools
import math
import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import ParamSpec, TypeVar

from cenas.carbon import CarbonSignal, TraceSignal, carbon_of_energy_g
from cenas.energy._meter import J_PER_KWH, EnergyMeter
from cenas.energy._result import ComponentEnergy, EpochRecord, Prediction, TrackingResult
from cenas.errors import ConfigError, EnergyError, MeterUnavailableError

__all__ = ["DEFAULT_INTERVAL_S", "Clock", "Tracker"]

Clock = Callable[[], float]
"""A clock: seconds as a float (any origin for durations; UNIX time for the signal clock)."""

DEFAULT_INTERVAL_S = 1.0

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _trace_carbon_g(
    sig: TraceSignal, a_s: float, b_s: float, energy_kwh: float, pue: float
) -> float:
    """Exact carbon of energy spent uniformly over signal interval ``[a_s, b_s]`` of a replay."""
    ta, tb = sig.trace_time_s(a_s), sig.trace_time_s(b_s)
    tr = sig.trace
    if tb >= ta:
        return float(carbon_of_energy_g(tr, ta, tb, energy_kwh, pue))
    # A wrapping replay crossed the trace's end: split the energy by the time on each side.
    first_s, second_s = tr.end_s - ta, tb - tr.start_s
    share = first_s / (first_s + second_s)
    return float(
        carbon_of_energy_g(tr, ta, tr.end_s, energy_kwh * share, pue)
        + carbon_of_energy_g(tr, tr.start_s, tb, energy_kwh * (1.0 - share), pue)
    )


class Tracker:
    """Tracks the energy and carbon of real work with injected meters and carbon signal.

    Use it as a context manager, a decorator, with :meth:`start` / :meth:`stop`, or epoch by
    epoch (:meth:`epoch_start` / :meth:`epoch_end`, then :meth:`predict_total`). While running,
    a daemon thread reads the meters every ``interval_s``; each interval's energy is charged at
    that interval's carbon intensity: exactly over the trace's steps when ``signal`` is a
    :class:`~cenas.carbon.TraceSignal`, else at the signal's reading at the interval's midpoint.

    Times: ``clock`` (monotonic by default) measures durations and is what meters see;
    ``signal_clock`` is read once per :meth:`start` and gives the signal time of the start
    (UNIX seconds by default), later signal times being that plus the elapsed ``clock`` time.
    Tests inject both and pass ``interval_s=None`` (no thread; readings at start, stop, epoch
    boundaries and :meth:`snapshot`).

    A meter that stops being readable is reported once in the result's notes and its energy
    counted up to its last reading; it is never replaced by an estimate.

    Args:
        meters: the energy meters (see :func:`~cenas.energy.discover_meters`).
        signal: the carbon-intensity signal.
        pue: power usage effectiveness (>= 1) applied to the IT energy for carbon.
        interval_s: sampling interval of the background thread, s; None for no thread.
        clock: monotonic seconds.
        signal_clock: the signal's time at start (UNIX seconds).
        notes: remarks copied into every result (e.g. why a meter is unavailable).

    Raises:
        ConfigError: no meters, two meters with the same name, ``pue < 1`` or
            ``interval_s <= 0``.
    """

    def __init__(
        self,
        meters: Sequence[EnergyMeter],
        signal: CarbonSignal,
        *,
        pue: float = 1.0,
        interval_s: float | None = DEFAULT_INTERVAL_S,
        clock: Clock = time.monotonic,
        signal_clock: Clock = time.time,
        notes: Sequence[str] = (),
    ) -> None:
        if not meters:
            raise ConfigError("Tracker needs at least one energy meter, but got none")
        names = [m.name for m in meters]
        if len(set(names)) != len(names):
            raise ConfigError(f"meter names must be unique, but got {names}")
        if not (pue >= 1.0 and math.isfinite(pue)):
            raise ConfigError(f"pue must be a finite number >= 1, but got {pue}")
        if interval_s is not None and not interval_s > 0:
            raise ConfigError(f"interval_s must be positive or None, but got {interval_s}")
        self.meters = tuple(meters)
        self.signal = signal
        self.pue = float(pue)
        self.interval_s = interval_s
        self._clock = clock
        self._signal_clock = signal_clock
        self._fixed_notes = tuple(notes)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()
        self._thread: threading.Thread | None = None
        self._thread_error: BaseException | None = None
        self._running = False
        self.result: TrackingResult | None = None
        """The result of the last completed window (set by :meth:`stop`)."""
        self._reset(0.0, 0.0)

    # --- state -------------------------------------------------------------------------------

    def _reset(self, c0: float, s0: float) -> None:
        self._c0 = c0
        self._s0 = s0
        self._t_last = c0
        self._last_j: dict[tuple[str, str], float] = {
            (m.name, c.name): 0.0 for m in self.meters for c in m.components
        }
        self._active = list(self.meters)
        self._total_j = 0.0
        self._carbon_g = 0.0
        self._sources: dict[str, None] = {}
        self._fallback = False
        self._n_samples = 0
        self._notes: list[str] = []
        self._epochs: list[EpochRecord] = []
        self._epoch_open: tuple[float, float, float] | None = None

    @property
    def running(self) -> bool:
        """Whether a window is open."""
        return self._running

    def _signal_time(self, t: float) -> float:
        return self._s0 + (t - self._c0)

    def _note_reading(self, source: str, is_fallback: bool) -> None:
        self._sources.setdefault(source, None)
        self._fallback = self._fallback or is_fallback

    def _interval_carbon_g(self, t0: float, t1: float, energy_kwh: float) -> float:
        a, b = self._signal_time(t0), self._signal_time(t1)
        sig = self.signal
        if isinstance(sig, TraceSignal) and b > a:
            r = sig.reading(a)
            self._note_reading(r.source, r.is_fallback)
            return _trace_carbon_g(sig, a, b, energy_kwh, self.pue)
        r = sig.reading(0.5 * (a + b))
        self._note_reading(r.source, r.is_fallback)
        return energy_kwh * self.pue * float(r.value_g_per_kwh)

    def _sample_locked(self) -> float:
        t = self._clock()
        interval_j = 0.0
        for m in list(self._active):
            try:
                readings = m.energy_j(t)
            except MeterUnavailableError as e:
                self._active.remove(m)
                self._notes.append(
                    f"meter {m.name} stopped being readable after "
                    f"{t - self._c0:.1f} s: {e}; its energy after that is missing"
                )
                continue
            for comp, j in readings.items():
                key = (m.name, comp)
                interval_j += max(0.0, j - self._last_j[key])
                self._last_j[key] = max(j, self._last_j[key])
        self._total_j += interval_j
        if interval_j > 0:
            self._carbon_g += self._interval_carbon_g(self._t_last, t, interval_j / J_PER_KWH)
        self._t_last = max(t, self._t_last)
        self._n_samples += 1
        return t

    # --- start / stop ------------------------------------------------------------------------

    def start(self) -> Tracker:
        """Open a window now and start the sampling thread.

        Raises:
            EnergyError: a window is already open.
        """
        with self._lock:
            if self._running:
                raise EnergyError("Tracker.start() called while already tracking; stop() first")
            c0 = self._clock()
            self._reset(c0, self._signal_clock())
            first = self.signal.reading(self._s0)  # fails early if the signal cannot serve now
            self._note_reading(first.source, first.is_fallback)
            for m in self.meters:
                m.start(c0)
            self._n_samples = 1
            self._running = True
            self.result = None
        self._thread_error = None
        self._stop_event.clear()
        if self.interval_s is not None:
            self._thread = threading.Thread(
                target=self._run,
                args=(self.interval_s,),
                name="cenas-energy-tracker",
                daemon=True,
            )
            self._thread.start()
        return self

    def _run(self, interval_s: float) -> None:
        while not self._stop_event.wait(interval_s):
            try:
                with self._lock:
                    self._sample_locked()
            except Exception as e:  # handed to stop(), which re-raises it in the caller
                self._thread_error = e
                return

    def snapshot(self) -> TrackingResult:
        """Take a reading now and return the totals so far, without stopping.

        Raises:
            EnergyError: no window is open.
        """
        with self._lock:
            if not self._running:
                raise EnergyError("Tracker.snapshot() needs a running tracker; start() first")
            t = self._sample_locked()
            return self._result_locked(t)

    def stop(self) -> TrackingResult:
        """Close the window: stop the thread, take a last reading, return (and keep) the result.

        Raises:
            EnergyError: no window is open.
        """
        if not self._running:
            raise EnergyError("Tracker.stop() called without start()")
        self._stop_event.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        with self._lock:
            self._running = False
            if self._thread_error is not None:
                raise self._thread_error
            t = self._sample_locked()
            if self._epoch_open is not None:
                self._notes.append(f"epoch {len(self._epochs)} was started but not ended")
            self.result = self._result_locked(t)
            return self.result

    def _result_locked(self, t: float) -> TrackingResult:
        components = tuple(
            ComponentEnergy(m.name, c.name, c.kind, self._last_j[(m.name, c.name)] / J_PER_KWH)
            for m in self.meters
            for c in m.components
        )
        return TrackingResult(
            duration_s=t - self._c0,
            energy_kwh=self._total_j / J_PER_KWH,
            components=components,
            pue=self.pue,
            carbon_g=self._carbon_g,
            carbon_sources=tuple(self._sources),
            carbon_is_fallback=self._fallback,
            meters=tuple(m.name for m in self.meters),
            meter_details={m.name: m.details for m in self.meters},
            start_time_s=self._s0,
            end_time_s=self._signal_time(t),
            n_samples=self._n_samples,
            epochs=tuple(self._epochs),
            notes=self._fixed_notes + tuple(self._notes),
        )

    # --- context manager and decorator -------------------------------------------------------

    def __enter__(self) -> Tracker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, fn: Callable[_P, _R]) -> Callable[_P, _R]:
        """Track every call of ``fn``; the last call's result is in :attr:`result`."""

        @functools.wraps(fn)
        def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            self.start()
            try:
                return fn(*args, **kwargs)
            finally:
                self.stop()

        return wrapper

    # --- epochs ------------------------------------------------------------------------------

    def epoch_start(self) -> None:
        """Mark the start of an epoch (starting the tracker if it is not running).

        Raises:
            EnergyError: the previous epoch was not ended.
        """
        if not self._running:
            self.start()
        with self._lock:
            if self._epoch_open is not None:
                raise EnergyError(
                    f"epoch_start() called while epoch {len(self._epochs)} is still open; "
                    f"call epoch_end() first"
                )
            t = self._sample_locked()
            self._epoch_open = (t, self._total_j, self._carbon_g)

    def epoch_end(self) -> EpochRecord:
        """Mark the end of the open epoch and return its record.

        Raises:
            EnergyError: no epoch is open.
        """
        with self._lock:
            if self._epoch_open is None or not self._running:
                raise EnergyError("epoch_end() called without a matching epoch_start()")
            t = self._sample_locked()
            t0, j0, g0 = self._epoch_open
            rec = EpochRecord(
                len(self._epochs), t - t0, (self._total_j - j0) / J_PER_KWH, self._carbon_g - g0
            )
            self._epochs.append(rec)
            self._epoch_open = None
            return rec

    @property
    def epochs(self) -> tuple[EpochRecord, ...]:
        """The epochs completed in the current (or last) window."""
        with self._lock:
            return tuple(self._epochs)

    def predict_total(self, n_epochs: int) -> Prediction:
        """Predict the totals of an ``n_epochs`` run from the mean of the epochs completed.

        As Carbontracker does after its first epoch(s): per-epoch means times ``n_epochs``.

        Raises:
            ConfigError: ``n_epochs < 1``.
            EnergyError: no epoch has been completed yet.
        """
        if n_epochs < 1:
            raise ConfigError(f"n_epochs must be >= 1, but got {n_epochs}")
        epochs = self.epochs
        if not epochs:
            raise EnergyError("predict_total() needs at least one completed epoch")
        k = len(epochs)
        return Prediction(
            n_epochs=n_epochs,
            from_epochs=k,
            duration_s=n_epochs * sum(e.duration_s for e in epochs) / k,
            energy_kwh=n_epochs * sum(e.energy_kwh for e in epochs) / k,
            carbon_g=n_epochs * sum(e.carbon_g for e in epochs) / k,
        )
