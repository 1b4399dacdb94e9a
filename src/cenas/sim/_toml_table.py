"""Typed, strict access to the tables of a parsed TOML config: every key read is checked for
its type, and keys nobody read are reported as unknown (see :mod:`cenas.sim._config_toml`)."""

from __future__ import annotations

import math
from typing import Any

from cenas.errors import ConfigError


class _Table:
    """Typed access to one TOML table that reports unknown keys and wrong types."""

    def __init__(self, label: str, section: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: {section} must be a table, got {type(data).__name__}")
        self.label, self.section, self.data = label, section, data
        self.used: set[str] = set()

    def where(self, key: str) -> str:
        if not self.section:
            return f"{self.label}: {key}"
        return f"{self.label}: {self.section}.{key}"

    def has(self, key: str) -> bool:
        return key in self.data

    def get(self, key: str, types: tuple[type, ...], default: Any = ..., *, what: str = "") -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise ConfigError(f"{self.where(key)} is required")
            return default
        v = self.data[key]
        if float in types and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        ok = isinstance(v, types) and not (isinstance(v, bool) and bool not in types)
        if not ok:
            names = what or " or ".join(_type_name(t) for t in types)
            raise ConfigError(f"{self.where(key)} must be {names}, got {v!r}")
        return v

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self.used]
        if unknown:
            raise ConfigError(
                f"{self.where(unknown[0])}: unknown key; known keys: "
                f"{', '.join(sorted(self.used)) or '(none)'}"
            )


def _type_name(t: type) -> str:
    return {
        int: "an integer",
        float: "a number",
        str: "a string",
        bool: "true or false",
        list: "an array",
        dict: "a table",
        type(None): "absent",
    }.get(t, t.__name__)


def _floats(t: _Table, key: str, default: Any = ...) -> tuple[float, ...]:
    v = t.get(key, (list,), default)
    if v is default:
        return tuple(v) if isinstance(v, tuple | list) else v  # type: ignore[no-any-return]
    out = []
    for x in v:
        if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
            raise ConfigError(f"{t.where(key)} must be an array of finite numbers, got {v!r}")
        out.append(float(x))
    return tuple(out)


def _strings(t: _Table, key: str, default: Any = ...) -> tuple[str, ...]:
    v = t.get(key, (list, str), default)
    if v is default:
        return v  # type: ignore[no-any-return]
    items = [v] if isinstance(v, str) else v
    if not items or not all(isinstance(x, str) for x in items):
        raise ConfigError(f"{t.where(key)} must be a non-empty array of strings, got {v!r}")
    return tuple(items)
