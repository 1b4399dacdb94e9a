"""``cenas rl``: train a learned allocation policy, and evaluate policies on held-out windows."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from cenas.cli._output import check_output_dir, console, print_json, progress_bar

__all__ = ["register"]

rl_app = typer.Typer(
    help="Learned GPU allocation: train a policy offline (stable-baselines3), evaluate policies.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``cenas rl`` to the app."""
    app.add_typer(rl_app, name="rl")


@rl_app.command("train")
def train_cmd(
    config: Path = typer.Argument(..., help="Training configuration (configs/rl_default.toml)."),
    out: Path = typer.Option(Path("runs/rl"), "--out", "-o", help="Checkpoint directory to write."),
    timesteps: int | None = typer.Option(
        None, "--timesteps", help="Override rl.timesteps (environment steps)."
    ),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR)."
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Train a policy on the config's training windows and save a pickle-free checkpoint (NumPy
    weights, JSON normalisation statistics, config and data checksums) into --out."""
    import dataclasses

    from cenas.errors import ConfigError
    from cenas.rl import load_rl_config, train

    check_output_dir(out, "--out")
    cfg = load_rl_config(config)
    if timesteps is not None:
        if timesteps < 1:
            raise ConfigError(f"--timesteps must be >= 1, got {timesteps}")
        cfg = dataclasses.replace(cfg, timesteps=timesteps)
    with progress_bar(progress) as bar:
        task = bar.add_task(f"{cfg.algorithm.upper()} {cfg.action.kind.value}", total=cfg.timesteps)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        ckpt = train(cfg, out, data_dir=data_dir, progress=update)
    console.print(
        f"trained {cfg.algorithm.upper()} ({ckpt.action.kind.value} actions, "
        f"{cfg.timesteps} steps, seed {cfg.seed}) -> {out}"
    )


@rl_app.command("evaluate")
def evaluate_cmd(
    config: Path = typer.Argument(
        ..., help="Experiment config whose methods to run (configs/nb201_trace1_rl.toml)."
    ),
    seeds: int = typer.Option(3, "--seeds", help="Seeds per window and budget (0, 1, ...)."),
    method: list[str] | None = typer.Option(
        None, "--method", "-m", help="Only this method (repeatable; default: all)."
    ),
    jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write runs.csv and table.csv here."),
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the table as one JSON document."),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
) -> None:
    """Run the config's methods on the held-out windows (CISO 2021 trace 1 and 2, CISO 2023,
    PJM 2021) under budgets 0.1/0.2/0.4 of vanilla's carbon and none; print medians."""
    from cenas.errors import ConfigError
    from cenas.rl import evaluate_policies, summarise_policies

    if seeds < 1 or jobs < 1:
        raise ConfigError(f"--seeds and --jobs must be >= 1, got {seeds} and {jobs}")
    if out is not None:
        check_output_dir(out, "--out")
    with progress_bar(progress) as bar:
        task = bar.add_task("runs", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        runs = evaluate_policies(
            config,
            seeds=tuple(range(seeds)),
            methods=method or None,
            data_dir=data_dir,
            jobs=jobs,
            on_done=update,
        )
    table = summarise_policies(runs)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        runs.to_csv(out / "runs.csv", index=False)
        table.to_csv(out / "table.csv", index=False)
    if as_json:
        print_json(table.to_dict("records"))
        return
    t = Table(title=f"held-out windows, {seeds} seeds, median over windows x seeds")
    for c in table.columns:
        t.add_column(str(c))
    for row in table.itertuples(index=False):
        t.add_row(*(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row))
    console.print(t)
