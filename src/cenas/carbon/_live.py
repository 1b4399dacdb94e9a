"""Live carbon-intensity providers over HTTP: Electricity Maps and the UK Carbon Intensity API.

Both share one policy: a per-request timeout, a cache of the last value for ``cache_ttl_s``
seconds of signal time, retries with exponential back-off inside a call, and after a failed
call a growing pause during which calls fail at once (so a :class:`FallbackSignal` answers
without waiting). The Electricity Maps token is read from the environment at each request and
is never stored, logged or put into a message.
"""

from __future__ import annotations

import logging
import math
import os
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
import requests

from cenas.carbon._signals import CarbonSignal, IntensityReading
from cenas.carbon._source import EmissionKind
from cenas.errors import CarbonSignalError

__all__ = [
    "ELECTRICITYMAPS_TOKEN_ENV",
    "ElectricityMapsSignal",
    "HttpPolicy",
    "UKCarbonIntensitySignal",
]

_log = logging.getLogger(__name__)

ELECTRICITYMAPS_TOKEN_ENV = "ELECTRICITYMAPS_TOKEN"


@dataclass(frozen=True)
class HttpPolicy:
    """Timeouts, caching and back-off of a live signal.

    Attributes:
        timeout_s: connect and read timeout of one request.
        cache_ttl_s: a value is reused for this many seconds of signal time.
        retries: extra attempts within one call after a retryable failure (timeout,
            connection error, HTTP 429 or 5xx).
        backoff_s: the first pause between attempts; doubles each time.
        max_backoff_s: cap of every pause, and of the pause after a failed call.
    """

    timeout_s: float = 10.0
    cache_ttl_s: float = 300.0
    retries: int = 2
    backoff_s: float = 1.0
    max_backoff_s: float = 300.0

    def __post_init__(self) -> None:
        for name in ("timeout_s", "cache_ttl_s", "backoff_s", "max_backoff_s"):
            v = getattr(self, name)
            if not (v >= 0 and math.isfinite(v)):
                raise CarbonSignalError(f"HttpPolicy.{name} must be finite and >= 0, got {v}")
        if self.timeout_s <= 0:
            raise CarbonSignalError(f"HttpPolicy.timeout_s must be > 0, got {self.timeout_s}")
        if self.retries < 0:
            raise CarbonSignalError(f"HttpPolicy.retries must be >= 0, got {self.retries}")


class _Retryable(Exception):
    pass


class _LiveSignal(CarbonSignal):
    """Caching, retries, back-off and message scrubbing shared by the HTTP providers."""

    def __init__(
        self,
        base_url: str,
        policy: HttpPolicy | None,
        session: requests.Session | None,
        sleep: Callable[[float], None] | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy or HttpPolicy()
        self._session = session or requests.Session()
        self._sleep = sleep or time.sleep
        self._cached: IntensityReading | None = None
        self._cached_at_s = -math.inf
        self._failures = 0
        self._next_try_s = -math.inf
        self._last_error = ""

    # subclasses ---------------------------------------------------------------------------
    @abstractmethod
    def _request(self) -> tuple[str, dict[str, str], dict[str, str]]:
        """(url, query parameters, headers) of the request."""

    @abstractmethod
    def _parse(self, payload: Any) -> tuple[float, float | None, str]:
        """(intensity gCO2eq/kWh, data time epoch s or None, source label) from the JSON."""

    def _secrets(self) -> tuple[str, ...]:
        return ()

    # shared -------------------------------------------------------------------------------
    def _scrub(self, text: str) -> str:
        for secret in self._secrets():
            if secret:
                text = text.replace(secret, "***")
        return text

    def _fail(self, message: str) -> CarbonSignalError:
        return CarbonSignalError(self._scrub(f"{self.label}: {message}"))

    def _fetch_once(self) -> IntensityReading:
        url, params, headers = self._request()
        try:
            resp = self._session.get(
                url, params=params, headers=headers, timeout=self.policy.timeout_s
            )
        except requests.Timeout:
            raise _Retryable(f"no answer within {self.policy.timeout_s:g} s from {url}") from None
        except requests.ConnectionError as e:
            raise _Retryable(f"cannot connect to {url}: {type(e).__name__}") from None
        except requests.RequestException as e:
            raise self._fail(f"request to {url} failed: {type(e).__name__}: {e}") from None
        if resp.status_code == 429 or resp.status_code >= 500:
            raise _Retryable(f"HTTP {resp.status_code} from {url}")
        if resp.status_code != 200:
            body = resp.text[:200].replace("\n", " ")
            raise self._fail(f"HTTP {resp.status_code} from {url}: {body}")
        try:
            payload = resp.json()
        except ValueError:
            raise self._fail(f"{url} did not return JSON: {resp.text[:100]!r}") from None
        try:
            value, data_time_s, source = self._parse(payload)
        except (KeyError, IndexError, TypeError, ValueError) as e:
            raise self._fail(
                f"unexpected payload from {url} ({type(e).__name__}: {e}): {str(payload)[:200]}"
            ) from None
        if not (math.isfinite(value) and value >= 0):
            raise self._fail(f"{url} returned intensity {value}; expected finite and >= 0")
        return IntensityReading(math.nan, value, source, data_time_s=data_time_s)

    def reading(self, t_s: float) -> IntensityReading:
        t = float(t_s)
        if self._cached is not None and 0 <= t - self._cached_at_s < self.policy.cache_ttl_s:
            c = self._cached
            return IntensityReading(t, c.value_g_per_kwh, c.source, data_time_s=c.data_time_s)
        if t < self._next_try_s:
            raise self._fail(
                f"backing off after {self._failures} failed call(s) until t={self._next_try_s:.0f}"
                f" s; last error: {self._last_error}"
            )
        p = self.policy
        for attempt in range(p.retries + 1):
            try:
                r = self._fetch_once()
            except _Retryable as e:
                self._last_error = self._scrub(str(e))
                if attempt < p.retries:
                    pause = min(p.backoff_s * 2**attempt, p.max_backoff_s)
                    _log.info("%s: %s; retrying in %.3g s", self.label, self._last_error, pause)
                    self._sleep(pause)
                continue
            self._failures = 0
            self._next_try_s = -math.inf
            self._cached = r
            self._cached_at_s = t
            _log.debug("%s: %g gCO2eq/kWh", r.source, r.value_g_per_kwh)
            return IntensityReading(t, r.value_g_per_kwh, r.source, data_time_s=r.data_time_s)
        self._failures += 1
        pause = min(p.backoff_s * 2**self._failures, p.max_backoff_s)
        self._next_try_s = t + pause
        raise self._fail(
            f"{p.retries + 1} attempt(s) failed, last: {self._last_error}; next try in {pause:g} s"
        )


def _epoch_s(text: Any) -> float | None:
    if text is None:
        return None
    ts = pd.Timestamp(str(text))
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return float(ts.value) / 1e9


class ElectricityMapsSignal(_LiveSignal):
    """Latest carbon intensity of a zone from the Electricity Maps API (v3).

    ``GET {base_url}/carbon-intensity/latest?zone=ZONE`` with the ``auth-token`` header taken
    from the environment variable ``ELECTRICITYMAPS_TOKEN`` at each request (never stored,
    logged or shown in messages and reprs).

    Args:
        zone: Electricity Maps zone id, e.g. ``US-CAL-CISO``, ``DE``.
        kind: ``lca`` (the API's default, life-cycle) or ``direct``.
        base_url: API root (tests point it at a local server).
        policy: timeouts, caching and back-off.
        session: requests session to use (default: a new one).
        sleep: pause function for back-off (tests inject a recorder).
        token_env: name of the environment variable holding the token.
    """

    def __init__(
        self,
        zone: str,
        *,
        kind: EmissionKind | str = EmissionKind.LCA,
        base_url: str = "https://api.electricitymap.org/v3",
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
        token_env: str = ELECTRICITYMAPS_TOKEN_ENV,
    ) -> None:
        super().__init__(base_url, policy, session, sleep)
        self.zone = zone
        self.kind = EmissionKind.parse(kind)
        if self.kind not in (EmissionKind.LCA, EmissionKind.DIRECT):
            raise CarbonSignalError(
                f"Electricity Maps gives lca or direct intensity, not {self.kind.value!r}"
            )
        self.token_env = token_env

    @property
    def label(self) -> str:
        return f"electricitymaps:{self.zone}:{self.kind.value}"

    def _token(self) -> str:
        token = os.environ.get(self.token_env, "").strip()
        if not token:
            raise CarbonSignalError(
                f"{self.label}: no API token; set the environment variable {self.token_env}"
            )
        return token

    def _secrets(self) -> tuple[str, ...]:
        return (os.environ.get(self.token_env, "").strip(),)

    def _request(self) -> tuple[str, dict[str, str], dict[str, str]]:
        params = {"zone": self.zone}
        if self.kind is EmissionKind.DIRECT:
            params["emissionFactorType"] = "direct"
        return f"{self.base_url}/carbon-intensity/latest", params, {"auth-token": self._token()}

    def _parse(self, payload: Any) -> tuple[float, float | None, str]:
        return float(payload["carbonIntensity"]), _epoch_s(payload.get("datetime")), self.label

    def __repr__(self) -> str:
        return (
            f"ElectricityMapsSignal(zone={self.zone!r}, kind={self.kind.value!r}, "
            f"base_url={self.base_url!r}, token=<from ${self.token_env}>)"
        )


class UKCarbonIntensitySignal(_LiveSignal):
    """Current national carbon intensity of Great Britain from the Carbon Intensity API (no
    token): ``GET {base_url}/intensity``.

    The reading's source ends in ``:actual`` when the API has a measured value for the current
    half hour, else ``:forecast``.

    Args:
        base_url: API root (tests point it at a local server).
        policy: timeouts, caching and back-off.
        session: requests session to use.
        sleep: pause function for back-off.
    """

    def __init__(
        self,
        *,
        base_url: str = "https://api.carbonintensity.org.uk",
        policy: HttpPolicy | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(base_url, policy, session, sleep)

    @property
    def label(self) -> str:
        return "carbonintensity.org.uk:GB"

    def _request(self) -> tuple[str, dict[str, str], dict[str, str]]:
        return f"{self.base_url}/intensity", {}, {"Accept": "application/json"}

    def _parse(self, payload: Any) -> tuple[float, float | None, str]:
        entry: Mapping[str, Any] = payload["data"][0]
        intensity = entry["intensity"]
        actual = intensity.get("actual")
        if actual is not None:
            return float(actual), _epoch_s(entry.get("from")), f"{self.label}:actual"
        return float(intensity["forecast"]), _epoch_s(entry.get("from")), f"{self.label}:forecast"

    def __repr__(self) -> str:
        return f"UKCarbonIntensitySignal(base_url={self.base_url!r})"
