"""``cenas bench``: information, queries and the true Pareto front of a tabular benchmark."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from cenas.cli._output import console, print_error, print_json
from cenas.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from cenas.bench import Benchmark, Objectives

__all__ = ["load_benchmark_option", "parse_floats", "register"]

bench_app = typer.Typer(
    help="Tabular NAS benchmarks: info, query, Pareto front.", no_args_is_help=True
)

DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR, then the cache)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")
HwnasOption = typer.Option(
    None, "--hwnas", help="HW-NAS-Bench pickle to join (nb201 only; needs its SHA-256 or opt-in)."
)
HwnasShaOption = typer.Option(None, "--hwnas-sha256", help="Expected SHA-256 of --hwnas.")
UnverifiedOption = typer.Option(
    False, "--allow-unverified-pickle", help="Read an HW-NAS-Bench pickle with no known checksum."
)


def register(app: typer.Typer) -> None:
    """Add ``cenas bench`` to the root app."""
    app.add_typer(bench_app, name="bench")


def load_benchmark_option(
    name: str,
    data_dir: Path | None,
    hwnas: Path | None = None,
    hwnas_sha256: str | None = None,
    allow_unverified_pickle: bool = False,
) -> Benchmark:
    """Load a benchmark from CLI options (HW-NAS-Bench options apply to nb201 only)."""
    import cenas.ecnas  # noqa: F401  (registers the EC-NAS benchmark names)
    from cenas.bench import get_benchmark

    kwargs: dict[str, object] = {}
    if name == "nb201":
        kwargs = {
            "hwnas_path": hwnas,
            "hwnas_sha256": hwnas_sha256,
            "allow_unverified_pickle": allow_unverified_pickle,
        }
    elif hwnas is not None:
        raise ConfigError(f"--hwnas applies to nb201 only, not {name!r}")
    return get_benchmark(name, data_dir, **kwargs)


def parse_floats(text: str, field: str, n: int | None = None) -> list[float]:
    """Parse ``"1.5,2"`` into floats, naming ``field`` in the error."""
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise ConfigError(f"{field} must be comma-separated numbers, got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise ConfigError(f"{field} must be finite numbers, got {text!r}")
    if n is not None and len(values) != n:
        raise ConfigError(f"{field} must have {n} values (one per objective), got {len(values)}")
    return values


def check_reference_point(
    obj: Objectives, front_min: NDArray[np.float64], ref_natural: list[float]
) -> int:
    """How many front members (minimisation form) do not dominate ``--ref``.

    Raises:
        ConfigError: none does: the hypervolume would be 0 whatever the search finds. The
            message names each objective in which the reference point is out of reach.
    """
    from cenas.bench import Direction

    r = obj.to_min(ref_natural)
    inside = (front_min < r).all(axis=1)
    if inside.any():
        return int((~inside).sum())
    best_min = front_min.min(axis=0)
    out = [
        f"{o.metric} best {v:.5g}, not {'below' if o.direction is Direction.MIN else 'above'} "
        f"{ref_v:g}"
        for o, v, ref_v, bv, rv in zip(
            obj.items, obj.to_natural(best_min), ref_natural, best_min, r, strict=True
        )
        if bv >= rv
    ]
    why = "; ".join(out) or "each objective is reached alone, but by no architecture in all"
    raise ConfigError(
        f"--ref {','.join(f'{v:g}' for v in ref_natural)}: no architecture is better than the "
        f"reference point in every objective, so the hypervolume would be 0 ({why})"
    )


@bench_app.command("info")
def info(
    name: str = typer.Argument("nb201", help="Benchmark name."),
    data_dir: Path | None = DataDirOption,
    hwnas: Path | None = HwnasOption,
    hwnas_sha256: str | None = HwnasShaOption,
    allow_unverified_pickle: bool = UnverifiedOption,
    as_json: bool = JsonOption,
) -> None:
    """Number of architectures, metrics with units and directions, devices."""
    b = load_benchmark_option(name, data_dir, hwnas, hwnas_sha256, allow_unverified_pickle)
    metrics = [
        {
            "name": m.name,
            "unit": m.unit,
            "direction": m.direction.value,
            "description": m.description,
            "estimates": m.estimates,
        }
        for m in b.metrics.values()
    ]
    devices = list(getattr(b, "devices", []))
    if as_json:
        print_json(
            {
                "benchmark": b.name,
                "architectures": b.space.size,
                "metrics": metrics,
                "devices": devices,
                "data_files": getattr(b, "data_files", {}),
            }
        )
        return
    console.print(f"{b.name}: {b.space.size:,} architectures", style="bold", highlight=False)
    table = Table("metric", "unit", "direction", "description")
    for m in metrics:
        table.add_row(str(m["name"]), str(m["unit"]), str(m["direction"]), str(m["description"]))
    console.print(table)
    if devices:
        console.print(f"devices: {', '.join(devices)}", highlight=False)


@bench_app.command("query")
def query(
    name: str = typer.Argument("nb201", help="Benchmark name."),
    arch: str | None = typer.Option(None, "--arch", help="Architecture string."),
    index: int | None = typer.Option(None, "--index", help="Architecture index."),
    data_dir: Path | None = DataDirOption,
    hwnas: Path | None = HwnasOption,
    hwnas_sha256: str | None = HwnasShaOption,
    allow_unverified_pickle: bool = UnverifiedOption,
    as_json: bool = JsonOption,
) -> None:
    """All metrics of one architecture (by --arch or --index)."""
    if (arch is None) == (index is None):
        raise ConfigError("give exactly one of --arch STRING or --index N")
    b = load_benchmark_option(name, data_dir, hwnas, hwnas_sha256, allow_unverified_pickle)
    i = b.space.index_of(arch if arch is not None else int(index))  # type: ignore[arg-type]
    values = b.query(i)
    if as_json:
        print_json(
            {"benchmark": b.name, "index": i, "arch": b.space.to_string(i), "metrics": values}
        )
        return
    console.print(f"#{i} {b.space.to_string(i)}", highlight=False)
    table = Table("metric", "value", "unit")
    for k, v in values.items():
        table.add_row(k, f"{v:.6g}", b.metric(k).unit)
    console.print(table)


@bench_app.command("pareto")
def pareto(
    name: str = typer.Argument("nb201", help="Benchmark name."),
    objectives: str = typer.Option(
        "cifar10_test_acc:max,latency_pixel3_ms:min", "--objectives", help="NAME:max,NAME:min"
    ),
    ref: str = typer.Option(..., "--ref", help="Reference point in natural units, e.g. 0,10"),
    show: int = typer.Option(
        10, "--show", help="Front members to list (text output; 0 lists none).", min=0
    ),
    data_dir: Path | None = DataDirOption,
    hwnas: Path | None = HwnasOption,
    hwnas_sha256: str | None = HwnasShaOption,
    allow_unverified_pickle: bool = UnverifiedOption,
    as_json: bool = JsonOption,
) -> None:
    """Size and hypervolume of the benchmark's true Pareto front (HV_max of experiments)."""
    import numpy as np

    from cenas.bench import Objectives
    from cenas.moo import hypervolume, non_dominated_mask

    obj = Objectives.parse(objectives)
    ref_natural = parse_floats(ref, "--ref", len(obj))  # before the (slow) load
    b = load_benchmark_option(name, data_dir, hwnas, hwnas_sha256, allow_unverified_pickle)
    obj.check(b)
    y = obj.evaluate(b, b.space.all_indices())
    finite = np.isfinite(y).all(axis=1)
    idx = b.space.all_indices()[finite]
    y = y[finite]
    mask = non_dominated_mask(y)
    front_idx = idx[mask]
    order = np.argsort(y[mask][:, 0])
    front_idx = front_idx[order]
    outside = check_reference_point(obj, y[mask], ref_natural)
    hv = float(hypervolume(y, obj.to_min(ref_natural)))
    front = [
        {
            "index": int(i),
            "arch": b.space.to_string(int(i)),
            **dict(zip(obj.metrics, b.query_many([i], obj.metrics)[0].tolist(), strict=True)),
        }
        for i in front_idx
    ]
    if as_json:
        print_json(
            {
                "benchmark": b.name,
                "objectives": str(obj),
                "ref": ref_natural,
                "front_size": len(front),
                "hypervolume": hv,
                "front": front,
            }
        )
        return
    if outside:
        print_error(
            f"{outside} of {len(front)} front members are not better than --ref "
            f"{ref} in every objective and add nothing to the hypervolume",
            prefix="warning",
        )
    console.print(
        f"{b.name} {obj}: Pareto front of {len(front)} architectures, hypervolume {hv:.6g} "
        f"(reference point {ref_natural})",
        highlight=False,
    )
    table = Table("index", *obj.metrics, "arch")
    for row in front[:show]:
        table.add_row(str(row["index"]), *(f"{row[m]:.5g}" for m in obj.metrics), str(row["arch"]))
    console.print(table)
