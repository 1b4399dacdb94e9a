"""The one exception root of cenas.

Every error a user can cause derives from :class:`CenasError` and also from the matching builtin,
so ``except ValueError`` keeps working. Messages state the rule and the values that broke it; the
CLI prints them as one line and exits non-zero.
"""

from __future__ import annotations

__all__ = [
    "ArchitectureError",
    "BenchmarkError",
    "CarbonSignalError",
    "CenasError",
    "ChecksumError",
    "ConfigError",
    "DataError",
    "DataFileMissingError",
    "DownloadError",
    "EnergyError",
    "ForecastError",
    "MeterUnavailableError",
    "ObjectiveError",
    "StoreError",
    "TraceError",
    "UnsafePickleError",
]


class CenasError(Exception):
    """Root of every error raised by cenas on bad input or missing resources."""


class ConfigError(CenasError, ValueError):
    """A configuration file or option is invalid."""


class DataError(CenasError, ValueError):
    """A data file is malformed or inconsistent."""


class DataFileMissingError(CenasError, FileNotFoundError):
    """A required data file or directory does not exist."""


class ChecksumError(DataError):
    """A data file's SHA-256 does not match the catalog."""


class UnsafePickleError(DataError):
    """A pickle refers to a class that the restricted unpickler does not admit."""


class DownloadError(CenasError, OSError):
    """A file could not be downloaded (offline, HTTP error, ...)."""


class ArchitectureError(CenasError, ValueError):
    """An architecture string, index or encoding is invalid."""


class BenchmarkError(CenasError, ValueError):
    """A benchmark query names an unknown metric or benchmark."""


class TraceError(CenasError, ValueError):
    """A carbon-intensity trace is malformed."""


class ForecastError(CenasError, ValueError):
    """A forecaster cannot be fitted or used as asked."""


class StoreError(CenasError, ValueError):
    """A run store is missing, corrupt or inconsistent."""


class ObjectiveError(CenasError, ValueError):
    """An objective array, reference point or optimiser input has the wrong shape or values."""


class MeterUnavailableError(CenasError, OSError):
    """An energy meter cannot be used or read here: no such hardware, permission denied, an
    unknown CPU model without a user-given TDP. The message says why and how to fix it."""


class EnergyError(CenasError, RuntimeError):
    """Energy tracking was used in the wrong order (stopped before started, no epoch yet, ...)."""


class CarbonSignalError(CenasError, OSError):
    """A live carbon-intensity source could not give a value (network, HTTP status, payload,
    missing token). Never carries the token."""
