"""``cenas ecnas``: the EC-NAS benchmark (info, cell hashing) and its surrogate energy model."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from cenas.cli._output import console, print_json, progress_bar
from cenas.errors import ArchitectureError, ConfigError, DataError, DataFileMissingError
from cenas.space import NB101Cell, nb101_param_count

__all__ = ["parse_cell", "register"]

ecnas_app = typer.Typer(
    help="EC-NAS: energy-aware NAS-Bench-101 benchmark and surrogate energy model.",
    no_args_is_help=True,
)
surrogate_app = typer.Typer(
    help="The surrogate energy model: train, predict.", no_args_is_help=True
)
ecnas_app.add_typer(surrogate_app, name="surrogate")

DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR, then the cache)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")
_ADJ_HELP = "Adjacency rows as 0/1 digits separated by ',' (e.g. 011,001,000) or a JSON matrix."
_OPS_HELP = (
    "Operations separated by ',': input, conv3x3(-bn-relu), conv1x1(-bn-relu), maxpool(3x3), "
    "output."
)
AdjacencyOption = typer.Option(None, "--adjacency", help=_ADJ_HELP)
OpsOption = typer.Option(None, "--ops", help=_OPS_HELP)

# Short names accepted on the command line.
_OP_ALIASES = {"conv3x3": "conv3x3-bn-relu", "conv1x1": "conv1x1-bn-relu", "maxpool": "maxpool3x3"}


def register(app: typer.Typer) -> None:
    """Add ``cenas ecnas`` to the root app."""
    app.add_typer(ecnas_app, name="ecnas")


def _parse_matrix(value: Any, where: str) -> list[list[int]]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as e:
                raise ConfigError(f"{where}: not a JSON matrix: {e}") from None
        else:
            rows = [r.strip() for r in text.split(",")]
            if any(not r or set(r) - {"0", "1"} for r in rows):
                raise ConfigError(
                    f"{where}: rows must be 0/1 digits separated by ',', got {text!r}"
                )
            return [[int(c) for c in r] for r in rows]
    if not (isinstance(value, list) and all(isinstance(r, list) for r in value)):
        raise ConfigError(f"{where}: adjacency must be a list of rows, got {value!r}")
    return value


def _parse_ops(value: Any, where: str) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(o, str) for o in items):
        raise ConfigError(f"{where}: operations must be names, got {value!r}")
    return [_OP_ALIASES.get(o.strip(), o.strip()) for o in items]


def parse_cell(adjacency: Any, ops: Any, where: str = "cell") -> NB101Cell:
    """A cell from command-line or JSON values (see ``--adjacency`` / ``--ops``)."""
    return NB101Cell(
        _parse_matrix(adjacency, f"{where} adjacency"), _parse_ops(ops, f"{where} ops")
    )


def _cell_json(cell: NB101Cell) -> dict[str, Any]:
    return {
        "graph_hash": cell.graph_hash,
        "cell": cell.to_string(),
        "vertices": cell.num_vertices,
        "edges": cell.num_edges,
        "params": nb101_param_count(cell),
    }


@ecnas_app.command("info")
def info(
    vertices: int = typer.Option(5, "--vertices", help="Space: 4 (91 cells) or 5 (2,532 cells)."),
    data_dir: Path | None = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Size, repeats and per-metric ranges of an EC-NAS space (4-epoch budget)."""
    from cenas.ecnas import load_ecnas

    if vertices not in (4, 5):
        raise ConfigError(f"--vertices must be 4 or 5 (the EC-NAS spaces), got {vertices}")
    t0 = time.perf_counter()
    b = load_ecnas(vertices, data_dir)
    load_s = time.perf_counter() - t0
    nv = np.bincount([c.num_vertices for c in b.space.cells])
    metrics = []
    for name, m in b.metrics.items():
        col = b.column(name)
        metrics.append(
            {
                "name": name,
                "unit": m.unit,
                "direction": m.direction.value,
                "min": float(col.min()),
                "median": float(np.median(col)),
                "max": float(col.max()),
                "description": m.description,
            }
        )
    doc = {
        "benchmark": b.name,
        "vertices": b.vertices,
        "epochs": b.epochs,
        "architectures": b.space.size,
        "cells_by_vertices": {str(k): int(v) for k, v in enumerate(nv) if v},
        "repeats": sorted({int(r) for r in b.repeats}),
        "feature_dim": b.space.feature_dim,
        "train_time_metric": b.train_time_metric,
        "load_s": load_s,
        "metrics": metrics,
    }
    if as_json:
        print_json(doc)
        return
    console.print(
        f"{b.name}: {b.space.size} architectures (cells by vertices {doc['cells_by_vertices']}), "
        f"{b.epochs}-epoch budget, repeats {doc['repeats']}, loaded in {load_s:.2f} s",
        highlight=False,
    )
    table = Table()
    for head in ("metric", "unit", "dir", "min", "median", "max"):
        table.add_column(head, justify="left" if head in ("metric", "unit", "dir") else "right")
    for r in metrics:
        table.add_row(
            str(r["name"]),
            str(r["unit"]),
            str(r["direction"]),
            *(f"{r[k]:.6g}" for k in ("min", "median", "max")),
        )
    console.print(table)


@ecnas_app.command("hash")
def hash_cmd(
    adjacency: str = typer.Option(..., "--adjacency", help=_ADJ_HELP),
    ops: str = typer.Option(..., "--ops", help=_OPS_HELP),
    as_json: bool = JsonOption,
) -> None:
    """Validate and prune a NAS-Bench-101 cell; print its graph hash and parameter count."""
    doc = _cell_json(parse_cell(adjacency, ops))
    if as_json:
        print_json(doc)
    else:
        console.print(
            f"{doc['graph_hash']}  {doc['cell']}  ({doc['vertices']} vertices, {doc['edges']} "
            f"edges, {doc['params']:,} parameters)",
            highlight=False,
        )


def _parse_fractions(text: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ConfigError(f"--fractions must be comma-separated numbers, got {text!r}") from None
    if not values or any(not 0 < v <= 1 for v in values):
        raise ConfigError(f"--fractions must be numbers in (0, 1], got {text!r}")
    return values


@surrogate_app.command("train")
def train(
    seed: int = typer.Option(0, "--seed", help="Seed of the split, initialisation, shuffling."),
    epochs: int = typer.Option(200, "--epochs", help="Training epochs (EC-NAS: 200)."),
    out: Path | None = typer.Option(None, "--out", help="Write the trained model here (.pt)."),
    curve: bool = typer.Option(
        True, "--learning-curve/--no-learning-curve", help="Also train on parts of the train split."
    ),
    fractions: str = typer.Option(
        "0.1,0.25,0.5", "--fractions", help="Train-split fractions of the learning curve."
    ),
    threads: int = typer.Option(
        1, "--threads", help="torch CPU threads (1 is fastest for this small MLP)."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    data_dir: Path | None = DataDirOption,
    as_json: bool = JsonOption,
) -> None:
    """Train EC-NAS's surrogate energy model on the 4,310 measured 7-vertex cells (70/10/20
    split); report Kendall's tau and the error on the test split, and the learning curve."""
    import torch

    from cenas.ecnas import (
        LearningCurvePoint,
        SurrogateConfig,
        learning_curve,
        load_surrogate_data,
        train_surrogate,
    )

    if threads < 1:
        raise ConfigError(f"--threads must be at least 1, got {threads}")
    if epochs < 1:
        raise ConfigError(f"--epochs must be at least 1, got {epochs}")
    torch.set_num_threads(threads)
    cfg = SurrogateConfig(epochs=epochs)
    fr = _parse_fractions(fractions) if curve else []
    data = load_surrogate_data(data_dir)
    with progress_bar(progress and not as_json) as bar:
        task = bar.add_task(f"training (seed {seed})", total=epochs)
        t0 = time.perf_counter()
        fit = train_surrogate(
            data, seed=seed, config=cfg, on_epoch=lambda e, *_: bar.update(task, completed=e + 1)
        )
        train_s = time.perf_counter() - t0
        points: list[LearningCurvePoint] = []
        if fr:
            ctask = bar.add_task("learning curve", total=len(fr))
            points = learning_curve(
                data,
                fr,
                seed=seed,
                config=cfg,
                on_fit=lambda _: bar.advance(ctask),
            )
    full = LearningCurvePoint(1.0, fit.n_train, fit.mae_kwh, fit.mape_pct, fit.kendall_tau)
    if fr and 1.0 not in fr:
        points.append(full)
    saved = fit.model.save(out) if out is not None else None
    doc = {
        "kendall_tau": fit.kendall_tau,
        "mae_kwh": fit.mae_kwh,
        "mape_pct": fit.mape_pct,
        "seed": fit.seed,
        "epochs": epochs,
        "best_epoch": fit.best_epoch,
        "n_total": len(data),
        "n_train": fit.n_train,
        "n_valid": fit.n_valid,
        "n_test": fit.n_test,
        "n_features": data.features().shape[1],
        "threads": threads,
        "train_s": train_s,
        "learning_curve": points,
        "model": saved,
    }
    if as_json:
        print_json(doc)
        return
    console.print(
        f"Kendall tau (test, n={fit.n_test}) = {fit.kendall_tau:.4f}, MAE = "
        f"{fit.mae_kwh * 1000:.3f} Wh ({fit.mape_pct:.2f} %), trained on {fit.n_train} in "
        f"{train_s:.1f} s ({threads} thread(s)), best epoch {fit.best_epoch + 1}/{epochs}",
        highlight=False,
    )
    if points:
        table = Table(title="test error against training-set size")
        for col in ("fraction", "n_train", "MAE Wh", "MAPE %", "Kendall tau"):
            table.add_column(col, justify="right")
        for p in points:
            table.add_row(
                f"{p.fraction:.2f}",
                str(p.n_train),
                f"{p.mae_kwh * 1000:.3f}",
                f"{p.mape_pct:.2f}",
                f"{p.kendall_tau:.4f}",
            )
        console.print(table)
    if saved is not None:
        console.print(f"model written to {saved}", highlight=False)


def _cells_from_file(path: Path) -> tuple[list[NB101Cell], list[int | None]]:
    if not path.is_file():
        raise DataFileMissingError(f"cells file {str(path)!r} does not exist")
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise DataError(f"{path}: not valid JSON: {e}") from None
    if not isinstance(items, list) or not items:
        raise DataError(f"{path}: expected a non-empty JSON list of cells")
    cells: list[NB101Cell] = []
    params: list[int | None] = []
    for k, item in enumerate(items):
        where = f"{path}[{k}]"
        try:
            if isinstance(item, str):
                cells.append(NB101Cell.from_string(item))
                params.append(None)
                continue
            if not isinstance(item, dict) or "adjacency" not in item or "ops" not in item:
                raise DataError(
                    f"{where}: a cell is a cell string or an object with 'adjacency' and 'ops' "
                    f"(and optionally 'params')"
                )
            cells.append(parse_cell(item["adjacency"], item["ops"], where))
        except ArchitectureError as e:
            raise ArchitectureError(f"{where}: {e}") from None
        p = item.get("params")
        if p is not None and (not isinstance(p, int) or p <= 0):
            raise DataError(f"{where}: 'params' must be a positive integer, got {p!r}")
        params.append(p)
    return cells, params


@surrogate_app.command("predict")
def predict(
    model: Path = typer.Option(..., "--model", help="A model written by 'surrogate train --out'."),
    adjacency: str | None = AdjacencyOption,
    ops: str | None = OpsOption,
    params: int | None = typer.Option(
        None, "--params", help="Parameter count (default: computed for the NAS-Bench-101 network)."
    ),
    cells_file: Path | None = typer.Option(
        None,
        "--cells",
        help="JSON list of cells: cell strings, or objects with adjacency, ops, optional params.",
    ),
    as_json: bool = JsonOption,
) -> None:
    """Predict the 4-epoch training energy (kWh) of NAS-Bench-101 cells."""
    from cenas.ecnas import EnergySurrogate

    if cells_file is not None:
        if adjacency is not None or ops is not None or params is not None:
            raise ConfigError("give either --cells or --adjacency/--ops/--params, not both")
        cells, given = _cells_from_file(cells_file)
    elif adjacency is not None and ops is not None:
        cells, given = [parse_cell(adjacency, ops)], [params]
    else:
        raise ConfigError("give a cell with --adjacency and --ops, or a JSON file with --cells")
    surrogate = EnergySurrogate.load(model)
    counts = [
        p if p is not None else nb101_param_count(c) for c, p in zip(cells, given, strict=True)
    ]
    energy = surrogate.predict_cells(cells, np.array(counts, dtype=np.int64))
    rows = [
        {**_cell_json(c), "params": n, "params_given": g is not None, "energy_kwh": float(e)}
        for c, n, g, e in zip(cells, counts, given, energy, strict=True)
    ]
    if as_json:
        print_json({"model": model, "predictions": rows})
        return
    table = Table()
    for col in ("graph hash", "cell", "params", "energy kWh"):
        table.add_column(col, justify="right" if col in ("params", "energy kWh") else "left")
    for r in rows:
        table.add_row(r["graph_hash"], r["cell"], f"{r['params']:,}", f"{r['energy_kwh']:.5f}")
    console.print(table)
