"""``cenas data``: list, verify and download the reference data files."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from cenas.cli._output import check_output_dir, console, print_json
from cenas.data import (
    CATALOG,
    DATA_DIR_ENV,
    FileStatus,
    download,
    resolve_data_dir,
    verify_dir,
)

__all__ = ["register"]

data_app = typer.Typer(help="Reference data: list, verify, download.", no_args_is_help=True)

DataDirOption = typer.Option(
    None, "--data-dir", help="Reference data directory (default: $CENAS_DATA_DIR, then the cache)."
)
JsonOption = typer.Option(False, "--json", help="Print one JSON document.")


def register(app: typer.Typer) -> None:
    """Add ``cenas data`` to the root app."""
    app.add_typer(data_app, name="data")


@data_app.command("list")
def list_(data_dir: Path | None = DataDirOption, as_json: bool = JsonOption) -> None:
    """List every known data file with its origin, license and whether it is present."""
    # A directory the user named must exist (a typo would list every file as absent); the
    # default cache may not exist yet.
    named = data_dir is not None or bool(os.environ.get(DATA_DIR_ENV))
    root = resolve_data_dir(data_dir, must_exist=named)
    rows = [
        {
            "name": e.name,
            "present": (root / e.name).is_file(),
            "sha256": e.sha256,
            "origin": e.origin,
            "license": e.license,
            "note": e.note,
        }
        for e in CATALOG.values()
    ]
    if as_json:
        print_json({"data_dir": str(root), "files": rows})
        return
    table = Table(title=f"reference data in {root}")
    for col in ("name", "present", "license", "origin"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            str(r["name"]),
            "yes" if r["present"] else "no",
            str(r["license"]),
            str(r["origin"] or r["note"]),
        )
    console.print(table)


@data_app.command("verify")
def verify(data_dir: Path | None = DataDirOption, as_json: bool = JsonOption) -> None:
    """Check every present file against its SHA-256; exit 1 naming each file that differs."""
    root = resolve_data_dir(data_dir)
    results = verify_dir(root)
    bad = [r for r in results if r.status is FileStatus.MISMATCH]
    present = [r for r in results if r.status is not FileStatus.MISSING]
    if as_json:
        print_json(
            {
                "data_dir": str(root),
                "ok": not bad,
                "checked": len(present),
                "missing": [r.name for r in results if r.status is FileStatus.MISSING],
                "mismatched": [
                    {"name": r.name, "expected": r.expected_sha256, "actual": r.actual_sha256}
                    for r in bad
                ],
            }
        )
    else:
        for r in bad:
            line = Text("MISMATCH", style="red")
            line.append(f" {r.name}: expected {r.expected_sha256}, got {r.actual_sha256}")
            console.print(line, highlight=False)
        missing = len(results) - len(present)
        verdict = (
            Text("ok", style="green") if not bad else Text(f"{len(bad)} file(s) differ", "red")
        )
        verdict.append(
            f": {len(present) - len(bad)}/{len(present)} present files match "
            f"({missing} not present) in {root}"
        )
        console.print(verdict, highlight=False)
    if bad:
        raise typer.Exit(1)


@data_app.command("download")
def download_cmd(
    name: str = typer.Argument(..., help="Catalog name, as printed by 'cenas data list'."),
    dest: Path | None = typer.Option(None, "--dest", help="Directory (default: the user cache)."),
) -> None:
    """Download one catalog file from its origin and verify it."""
    if dest is not None:
        check_output_dir(dest, "--dest")
    path = download(name, dest)
    console.print(f"downloaded {name} -> {path}", highlight=False)
